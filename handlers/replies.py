"""The reply every handler starts from (apart from ``handlers.conversation`` so that feature
modules the conversation calls can use it without importing the conversation back)."""

from __future__ import annotations

from bot.messages import Outgoing
from bot.rich import Rich

from .types import Inbound, Reaction


def reply(msg: Inbound, text: str | Rich, **kw) -> Reaction:
    """A reply in thread to ``msg`` (``text`` plain or rich: nothing in it is markup)."""
    return Reaction([Outgoing(chat_id=msg.chat.id, text=text, reply_to_message_id=msg.message_id, **kw)])
