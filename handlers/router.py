"""One ``Router`` per feature, platform-neutral (the shape of aiogram's, without aiogram).

A feature module creates ``router = Router("reports")`` and decorates its functions:

    @router.command("my", help="我的反映")
    def my_reports(ctx: Context, msg: Inbound) -> Reaction: ...

    @router.button("q")                 # Action.kind "q": buttons under issue messages
    def issue_button(ctx: Context, press: Press, action: Action) -> Reaction: ...

    @router.pending("ask_place", expire=file_anyway)   # the answer to a question the bot asked
    def place_answer(ctx: Context, msg: Inbound, question: PendingQuestion) -> Reaction | None: ...

    @router.text()                      # any other text (the group report flow)
    def group_text(ctx: Context, msg: Inbound) -> Reaction | None: ...

``handlers.conversation.Conversation`` includes the routers and finds the function for an update.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Scope = Literal["any", "private", "group"]


@dataclass
class CommandSpec:
    names: tuple[str, ...]
    fn: Callable
    help: str = ""
    scope: Scope = "any"
    hidden: bool = False
    unbound: bool = False  # also answered in a group not bound to a community (/bind)


@dataclass
class Router:
    name: str
    commands: list[CommandSpec] = field(default_factory=list)
    buttons: dict[str, Callable] = field(default_factory=dict)
    pendings: dict[str, Callable] = field(default_factory=dict)
    expirers: dict[str, Callable] = field(default_factory=dict)
    texts: list[Callable] = field(default_factory=list)
    silencers: list[Callable] = field(default_factory=list)
    contacts: list[Callable] = field(default_factory=list)

    def command(
        self, *names: str, help: str = "", scope: Scope = "any", hidden: bool = False, unbound: bool = False
    ):
        def register(fn: Callable) -> Callable:
            self.commands.append(
                CommandSpec(tuple(n.lower() for n in names), fn, help, scope, hidden, unbound)
            )
            return fn

        return register

    def button(self, kind: str):
        def register(fn: Callable) -> Callable:
            if kind in self.buttons:
                raise ValueError(f"button kind {kind!r} registered twice in {self.name}")
            self.buttons[kind] = fn
            return fn

        return register

    def pending(self, kind: str, *, expire: Callable | None = None):
        """``fn(ctx, msg, question)`` takes the asker's next message in that chat; ``expire(ctx,
        question)`` (optional) runs when the question ran out unanswered (it may ``ctx.send``)."""

        def register(fn: Callable) -> Callable:
            self.pendings[kind] = fn
            if expire is not None:
                self.expirers[kind] = expire
            return fn

        return register

    def text(self):
        def register(fn: Callable) -> Callable:
            self.texts.append(fn)
            return fn

        return register

    def contact(self):
        """``fn(ctx, msg) -> Reaction``: a message that shares a contact (``msg.contact``)."""

        def register(fn: Callable) -> Callable:
            self.contacts.append(fn)
            return fn

        return register

    def silent(self):
        """``fn(ctx, msg) -> bool``: True when this router is sure a group message needs nothing
        (chatter). When a router says so and no question waits for the writer, the update is
        not even recorded: chatter costs little more than reading it."""

        def register(fn: Callable) -> Callable:
            self.silencers.append(fn)
            return fn

        return register
