"""What issues and wishes share: who acts, the event trail, and the state check."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, SQLModel

from models import Member, Resident

from bot.infra.errors import InvalidTransition


@dataclass(frozen=True)
class Actor:
    """Who does something: a member, a resident (possibly also a member), or the system."""

    member: Member | None = None
    resident: Resident | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls()

    @property
    def is_system(self) -> bool:
        return self.member is None and self.resident is None

    @property
    def name(self) -> str:
        if self.member is not None:
            return self.member.name
        if self.resident is not None:
            return self.resident.display_name or "居民"
        return "系统"


def require_state(obj, allowed: Iterable[str], action_zh: str, status_zh: dict, code: str) -> None:
    if obj.status not in tuple(allowed):
        raise InvalidTransition(
            f"{code} 当前状态为「{status_zh.get(obj.status, obj.status)}」，不能{action_zh}"
        )


def record(
    session: Session,
    obj,
    event_cls: type[SQLModel],
    fk: str,
    *,
    action: str,
    to_status: str,
    actor: Actor,
    now: datetime,
    note: str = "",
):
    """Move ``obj`` to ``to_status`` and write the event row (who, when, from → to, note)."""
    event = event_cls(
        **{fk: obj.id},
        at=now,
        action=action,
        from_status=obj.status,
        to_status=to_status,
        actor_member_id=actor.member.id if actor.member else None,
        actor_resident_id=actor.resident.id if actor.resident else None,
        note=note,
    )
    obj.status = to_status
    obj.updated_at = now
    session.add(obj)
    session.add(event)
    return event
