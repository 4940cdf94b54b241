"""What the core tells people, handed over as facts; the words belong to the conversation layer.

Scheduled jobs (shift reminders, issue escalations, digests) and the bind notices know *what* to
say and to *whom*, but the core may not import ``handlers`` (where every Chinese text lives,
``handlers/texts/``). So the core describes a message as a fact — a frozen dataclass of its own
(``bot.rotas.notices``, ``bot.members.notices`` …: whose turn, which rota, which time) — and
asks ``render`` for its text and buttons. The renderers are installed once per process by its
entry point (``handlers.notices.install()``: ``hgj``, ``hgj scheduler``, the runtime, the web
app); a process that forgot fails loudly on its first message instead of sending none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.messages import Button
from bot.rich import Rich


@dataclass(frozen=True)
class Said:
    """A fact in words: the text and the buttons under it."""

    text: Rich
    buttons: list[list[Button]] = field(default_factory=list)


@dataclass(frozen=True)
class InGroup:
    """A message for members without a reachable chat account, told in their group: it names
    them above what each would have been told."""

    names: tuple[str, ...]
    said: Said


class NoRenderer(LookupError):
    """A fact with no words installed: the process's entry point did not call
    ``handlers.notices.install()``."""


Renderer = Callable[[Any], "Said | Rich | str"]
_renderers: dict[type, Renderer] = {}


def install(renderers: Mapping[type, Renderer]) -> None:
    """Register (or replace) the renderer of each fact type; idempotent."""
    _renderers.update(renderers)


def uninstall() -> None:
    """Forget every renderer (tests that check an entry point installs them)."""
    _renderers.clear()


def installed(kind: type) -> bool:
    return kind in _renderers


def render(fact: Any) -> Said:
    try:
        renderer = _renderers[type(fact)]
    except KeyError:
        raise NoRenderer(f"no words for {type(fact).__name__}: the process's entry point must call "
                         "handlers.notices.install()") from None
    said = renderer(fact)
    return said if isinstance(said, Said) else Said(said if isinstance(said, Rich) else Rich(said))
