"""What an issue's escalation steps tell, as facts (``bot.notices``); their words are
``handlers.texts.issues``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from models import Issue, Member


@dataclass(frozen=True)
class Escalation:
    """A step of an issue's escalation: ``what`` is ``unaccepted`` / ``urgent`` (nobody took it)
    or ``overdue`` (claimed, not solved); ``to_claimer``: this copy goes to the claimer."""

    issue: Issue
    what: str
    waited: timedelta  # since the report, the claim or the reopening
    place: str
    claimer: Member | None = None
    to_claimer: bool = False
