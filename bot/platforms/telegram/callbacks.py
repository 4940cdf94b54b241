"""Button data. Each feature's buttons are an aiogram ``CallbackData`` whose packed string is
exactly ``bot.messages.Action.pack()`` (``kind:verb:id:arg``): the conversation builds the
buttons platform-neutrally, aiogram's filters route the presses."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class IssueCB(CallbackData, prefix="q"):
    verb: str
    id: int
    arg: str = ""


class WishCB(CallbackData, prefix="w"):
    verb: str
    id: int
    arg: str = ""


class QuestionCB(CallbackData, prefix="ask"):
    verb: str
    id: int
    arg: str = ""


class TaskCB(CallbackData, prefix="t"):
    verb: str
    id: int
    arg: str = ""


class HeldCB(CallbackData, prefix="hb"):
    """The reviewers' buttons under a bundle of held messages (the flood rule)."""

    verb: str
    id: int
    arg: str = ""


FACTORIES: dict[str, type[CallbackData]] = {"q": IssueCB, "w": WishCB, "ask": QuestionCB, "t": TaskCB, "hb": HeldCB}
