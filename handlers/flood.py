"""The flood rule in the conversation (the rule itself, and what is kept: ``bot.flood``).

``guarded`` wraps the report flow for each report-like message (``reports.group_text``):

- a repeat of what the sender just wrote → one short answer in a group (then silence), a short
  answer each time in private (a private chat is never left without an answer, and it can only
  cost its own one message a second);
- a sender over the limit → the message is held in their bundle; they are told once per bundle
  in a group (every time, briefly, in private); the reviewers (the grid manager, else up the
  routing levels) get one card when the bundle opens — after quiet hours, unless a held message
  sounds urgent, which they hear of at once;
- anything else → the report flow, and the message counts toward the limit if it did something
  (filed, asked, offered 附议).

The card's buttons are ``handlers.held``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import select

from bot import identities
from bot.issues import flood
from bot.places import groups
from bot.issues.escalation import quiet_until
from bot.nlu.decision import IGNORE, decide
from models import Building, HeldBundle, PendingQuestion, Resident

from . import texts
from .context import Context, GroupBinding
from .replies import reply
from bot.messages import Action, Button, Outgoing
from .types import Inbound, Reaction

LIST_SIZE = 8  # held messages shown (and 立案 buttons) at a time


def _chatter(ctx: Context, text: str, parsed) -> bool:
    """What the conversation's one decision ignores (``bot.nlu.decision``) is not counted."""
    return decide(parsed, text, ctx.settings.nlu_confidence).action == IGNORE


def guarded(ctx: Context, msg: Inbound, group: GroupBinding, text: str, parsed,
            consider: Callable[..., Reaction]) -> Reaction:
    """``consider(ctx, msg, group, text, parsed)`` unless the message is a repeat or its sender is
    over the limit."""
    if _chatter(ctx, text, parsed):
        return consider(ctx, msg, group, text, parsed)  # chatter: the flow says nothing; nothing to count
    settings = ctx.settings
    screened = flood.screen(ctx.session, settings, community_id=group.community_id, user_id=msg.user.id,
                            text=text, place=parsed.place, now=ctx.now)
    if screened.repeat_of is not None:
        return _repeat(ctx, msg, screened)
    if screened.hold:
        return _hold(ctx, msg, group, text, parsed, screened)
    reaction = consider(ctx, msg, group, text, parsed)
    if reaction.outgoing:
        flood.note(ctx.session, settings, community_id=group.community_id, user_id=msg.user.id,
                   chat_id=msg.chat.id, message_id=msg.message_id, screened=screened, outcome=flood.ACTED,
                   now=ctx.now)
    return reaction


def command_limit(ctx: Context, msg: Inbound) -> Reaction | None:
    """A command in a bound group is answered in the group, and a group gets twenty messages a
    minute: beyond ``flood_commands`` of one sender there within the window, one notice, then no
    answer there (in private every command is still answered)."""
    group = ctx.group(msg.chat)
    if msg.chat.is_private or group is None:
        return None
    n = flood.commands_answered(ctx.session, ctx.settings, community_id=group.community_id, user_id=msg.user.id,
                                chat_id=msg.chat.id, message_id=msg.message_id, now=ctx.now)
    limit = ctx.settings.flood_commands
    if n <= limit:
        return None
    if n == limit + 1:
        return reply(msg, texts.commands_throttled(ctx.settings.flood_window_minutes))
    return Reaction()


def _repeat(ctx: Context, msg: Inbound, screened: flood.Screen) -> Reaction:
    if msg.chat.is_private:
        return reply(msg, texts.repeat_seen())
    if screened.repeat_answered or _asked(ctx, msg):
        return Reaction()  # said once already, or the bot's question about it is right there
    flood.repeat_answered(ctx.session, screened.repeat_of)
    return reply(msg, texts.repeat_seen())


def _asked(ctx: Context, msg: Inbound) -> bool:
    if not ctx.may_be_waiting(msg.chat.id, msg.user.id):
        return False
    return ctx.session.exec(select(PendingQuestion.id).where(
        PendingQuestion.chat_id == msg.chat.id, PendingQuestion.user_id == msg.user.id)).first() is not None


def _hold(ctx: Context, msg: Inbound, group: GroupBinding, text: str, parsed, screened: flood.Screen) -> Reaction:
    settings = ctx.settings
    resident = ctx.resident(msg.user, group.community_id)
    held = flood.hold(
        ctx.session, screened.bundle, community_id=group.community_id, grid_id=_grid_of(ctx, group, resident),
        user_id=msg.user.id, resident=resident, sender_name=msg.user.name, chat_id=msg.chat.id,
        message_id=msg.message_id, text=text, urgent=bool(parsed.urgent), now=ctx.now,
    )
    flood.note(ctx.session, settings, community_id=group.community_id, user_id=msg.user.id, chat_id=msg.chat.id,
               message_id=msg.message_id, screened=screened, outcome=flood.HELD, now=ctx.now)
    bundle = held.bundle
    if held.opened:
        _tell_reviewers(ctx, bundle, texts.held_card(bundle, _title(ctx, bundle), settings.flood_reports,
                                                     settings.flood_window_minutes, text),
                        urgent=held.now_urgent)
    elif held.now_urgent:
        _tell_reviewers(ctx, bundle, texts.held_urgent_card(bundle, _title(ctx, bundle), text), urgent=True)
    if not bundle.noticed:
        bundle.noticed = True
        ctx.session.add(bundle)
        return reply(msg, texts.held_notice(settings.flood_reports, settings.flood_window_minutes, text))
    if held.now_urgent:
        return reply(msg, texts.held_urgent_reply(text))
    if msg.chat.is_private:
        return reply(msg, texts.held_more(bundle.count))
    return Reaction()  # the group heard it once: the rest is silent


def _grid_of(ctx: Context, group: GroupBinding, resident: Resident | None) -> int | None:
    if group.grid_id is not None:
        return group.grid_id
    if resident is not None and resident.building_id:
        building = ctx.session.get(Building, resident.building_id)
        return building.grid_id if building else None
    return None


def _title(ctx: Context, bundle: HeldBundle) -> str:
    if ctx.chat(bundle.chat_id).is_private:
        return ""
    row = groups.get(ctx.session, bundle.chat_id)
    return row.title if row is not None else ""


def _tell_reviewers(ctx: Context, bundle: HeldBundle, text: str, *, urgent: bool) -> None:
    later = None if urgent else quiet_until(ctx.now, ctx.settings)
    people = flood.reviewers(ctx.session, community_id=bundle.community_id, grid_id=bundle.grid_id)
    if urgent:  # as an urgent report: the office hears of it too
        people += [m for m in flood.reviewers(ctx.session, community_id=bundle.community_id, grid_id=None)
                   if m.id not in {p.id for p in people}]
    for member in people:
        if (private := identities.private_chat(ctx.session, member)) is None:
            continue  # reviewers are members with a chat account (``flood.reviewers``)
        ctx.send(Outgoing(chat_id=private, text=text, buttons=_card_buttons(bundle), kind="alert",
                          member_id=member.id, ref=f"held:{bundle.id}", not_before=later))


def _card_buttons(bundle: HeldBundle) -> list[list[Button]]:
    return [[Button("查看", Action("hb", "show", bundle.id)), Button("全部忽略", Action("hb", "drop", bundle.id))]]


# --- the reviewers' buttons -----------------------------------------------------------------
