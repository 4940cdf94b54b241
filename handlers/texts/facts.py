"""What a text shows besides the thing it is about, looked up by the handler
(``handlers.facts``) and handed in: texts never read the database."""

from __future__ import annotations

from dataclasses import dataclass

from models import Issue, Member, Wish


@dataclass(frozen=True)
class IssueFacts:
    issue: Issue
    place: str = ""  # ``places.place_label``: 「阳光花园3栋2单元」, the grid's name, or ""
    handler: Member | None = None


@dataclass(frozen=True)
class WishFacts:
    wish: Wish
    place: str = ""
    claimer: Member | None = None


@dataclass(frozen=True)
class MemberFacts:
    member: Member
    where: tuple[str, ...] = ()  # community, grid, building as people name them
