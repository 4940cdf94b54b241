"""A minimal aiogram echo bot: the baseline of the pipeline benchmark, and a partner for the
stand-in's page when tried alone (``hgj standin --echo``)."""

from __future__ import annotations

import html

from aiogram import Bot, Dispatcher, F
from aiogram.types import Message

from bot.platforms.telegram.standin import aiogram_session


def build_echo_dispatcher():
    """A ``Dispatcher`` that answers every text message with the same (escaped) text."""
    dp = Dispatcher()

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(html.escape(message.text or ""), parse_mode="HTML")

    return dp


def echo_bot(base_url: str, token: str):
    """An aiogram ``Bot`` for ``token`` talking to the stand-in at ``base_url``."""
    return Bot(token, session=aiogram_session(base_url))
