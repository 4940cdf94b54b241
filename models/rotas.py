"""Patrol and duty rotas (巡逻 / 值班 / 卡口值守 …), their shifts, check-ins and escalation policies.

Everything that decides who serves when, and who is told what, is a row here — never code:
the rhythm of a rota, its team, the materialised shifts and who is on each, one-off overrides,
away dates, swaps, check-ins, and the escalation steps (GoAlert-style: targets and delays as data).
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import utc_field


class RotaKind(StrEnum):
    patrol = "patrol"  # 巡逻 (义务巡逻队, 巡察巡逻队)
    duty = "duty"  # 值班
    checkpoint = "checkpoint"  # 卡口值守
    delivery = "delivery"  # 物资配送
    order = "order"  # 秩序维护
    other = "other"


ROTA_KIND_ZH = {
    RotaKind.patrol: "巡逻",
    RotaKind.duty: "值班",
    RotaKind.checkpoint: "卡口值守",
    RotaKind.delivery: "物资配送",
    RotaKind.order: "秩序维护",
    RotaKind.other: "其他",
}

DAILY = "1234567"  # ``Rota.weekdays``: ISO weekdays the rota runs on (1 = Monday)


class Rota(SQLModel, table=True):
    """A rota of one community (or one of its grids / buildings): a rhythm and a team."""

    __table_args__ = (UniqueConstraint("community_id", "name", name="uq_rota_name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    building_id: int | None = Field(default=None, foreign_key="building.id")
    name: str = Field(max_length=64)
    kind: str = Field(default=RotaKind.patrol, max_length=16)
    weekdays: str = Field(default=DAILY, max_length=7)  # "1234567" daily, "135" Mon/Wed/Fri
    start_time: time  # local wall-clock time in ``timezone``
    duration_minutes: int = Field(gt=0, le=24 * 60)
    size: int = Field(default=1, ge=1, le=20)  # people put on each shift
    quorum: int = Field(default=1, ge=1, le=20)  # fewer than this → ask the team for a volunteer
    timezone: str = Field(default="Asia/Shanghai", max_length=64)
    starts_on: date  # first local day of the rhythm
    ends_on: date | None = None  # last local day, inclusive
    active: bool = True
    escalation_policy_id: int | None = Field(default=None, foreign_key="escalationpolicy.id")
    created_by_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime | None = utc_field()
    updated_at: datetime | None = utc_field()


class RotaMember(SQLModel, table=True):
    """The team: members who take turns, in ``position`` order for the first round."""

    __table_args__ = (UniqueConstraint("rota_id", "member_id", name="uq_rota_member"),)

    id: int | None = Field(default=None, primary_key=True)
    rota_id: int = Field(foreign_key="rota.id", index=True)
    member_id: int = Field(foreign_key="member.id", index=True)
    position: int = 0
    active: bool = True
    joined_at: datetime | None = utc_field()


class ShiftStatus:
    scheduled = "scheduled"
    cancelled = "cancelled"


class Shift(SQLModel, table=True):
    """One turn of a rota. Materialised ahead from the rhythm; (rota, start) is unique, so
    materialising twice, or from two processes, creates it once."""

    __table_args__ = (
        UniqueConstraint("rota_id", "starts_at", name="uq_shift_start"),
        Index("ix_shift_starts_at", "starts_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    rota_id: int = Field(foreign_key="rota.id")
    starts_at: datetime = utc_field(nullable=False)
    ends_at: datetime = utc_field(nullable=False)
    status: str = Field(default=ShiftStatus.scheduled, max_length=16)
    one_off: bool = False  # added by hand, not from the rhythm
    handoff_note: str = Field(default="", sa_type=Text)  # from this shift to the next one
    handoff_by_id: int | None = Field(default=None, foreign_key="member.id")
    handoff_at: datetime | None = utc_field()
    created_at: datetime | None = utc_field()


class AssignmentRole:
    on = "on"  # serves on the shift
    backup = "backup"  # called first when the shift is missed


class AssignmentSource:
    rotation = "rotation"  # the fair round-robin
    override = "override"  # a manager's override (ShiftOverride)
    swap = "swap"  # took over through an accepted SwapRequest
    join = "join"  # volunteered for a shift short of its quorum
    repair = "repair"  # replaced someone who went away or left


class ShiftAssignment(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("shift_id", "member_id", name="uq_shift_member"),
        Index("ix_assignment_member", "member_id", "shift_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id", index=True)
    member_id: int = Field(foreign_key="member.id")
    role: str = Field(default=AssignmentRole.on, max_length=8)
    source: str = Field(default=AssignmentSource.rotation, max_length=16)
    at: datetime | None = utc_field()


class ShiftOverride(SQLModel, table=True):
    """GoAlert-style override on the shifts of a rota starting in [starts_at, ends_at):
    replace ``remove_member_id`` with ``add_member_id``; either may be empty (add / remove)."""

    id: int | None = Field(default=None, primary_key=True)
    rota_id: int = Field(foreign_key="rota.id", index=True)
    starts_at: datetime = utc_field(nullable=False)
    ends_at: datetime = utc_field(nullable=False)
    remove_member_id: int | None = Field(default=None, foreign_key="member.id")
    add_member_id: int | None = Field(default=None, foreign_key="member.id")
    note: str = Field(default="", max_length=256)
    created_by_id: int | None = Field(default=None, foreign_key="member.id")
    created_at: datetime | None = utc_field()


class AwayPeriod(SQLModel, table=True):
    """A member is away on these local days (inclusive); turns skip them."""

    __table_args__ = (Index("ix_away_member_dates", "member_id", "starts_on", "ends_on"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(foreign_key="member.id")
    starts_on: date
    ends_on: date
    note: str = Field(default="", max_length=256)
    cancelled: bool = False
    created_at: datetime | None = utc_field()


class SwapStatus:
    open = "open"
    accepted = "accepted"
    cancelled = "cancelled"


class SwapRequest(SQLModel, table=True):
    """换班: ``requester`` asks the team to take their place on a shift; the first to accept does."""

    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(foreign_key="shift.id", index=True)
    requester_id: int = Field(foreign_key="member.id")
    taker_id: int | None = Field(default=None, foreign_key="member.id")
    status: str = Field(default=SwapStatus.open, max_length=16)
    created_at: datetime | None = utc_field()
    decided_at: datetime | None = utc_field()


class CheckInKind:
    shift = "shift"  # 巡逻/值班打卡
    dual = "dual"  # 双报到: a unit cadre serving in their community


class CheckIn(SQLModel, table=True):
    """``key`` makes a check-in count once: ``shift:{shift}:m:{member}`` / ``dual:{member}:{day}``."""

    __table_args__ = (
        Index("ix_checkin_shift", "shift_id"),
        Index("ix_checkin_kind_at", "kind", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    kind: str = Field(default=CheckInKind.shift, max_length=8)
    shift_id: int | None = Field(default=None, foreign_key="shift.id")
    member_id: int = Field(foreign_key="member.id", index=True)
    community_id: int = Field(foreign_key="community.id")
    work_unit_id: int | None = Field(default=None, foreign_key="workunit.id")  # as it stood then
    at: datetime = utc_field(nullable=False)
    latitude: float | None = None
    longitude: float | None = None
    photo: str | None = Field(default=None, max_length=256)  # a file reference: ``telegram:<file id>``
    note: str = Field(default="", max_length=256)


class PolicyKind:
    issue_unaccepted = "issue_unaccepted"  # reported and nobody accepted it
    issue_urgent = "issue_urgent"  # urgent and nobody accepted it (any hour)
    issue_overdue = "issue_overdue"  # claimed and not resolved
    checkin_missed = "checkin_missed"  # nobody checked in (after the call to the backup)

    ALL = (issue_unaccepted, issue_urgent, issue_overdue, checkin_missed)


class EscalationPolicy(SQLModel, table=True):
    """Escalation steps for one kind of trouble. ``community_id`` empty = for every community;
    a community's own policy of a kind replaces it; without any row the settings' default applies."""

    id: int | None = Field(default=None, primary_key=True)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    kind: str = Field(max_length=32)
    name: str = Field(default="", max_length=64)
    active: bool = True


class EscalationStep(SQLModel, table=True):
    """Step ``position`` fires ``delay_minutes`` after the previous one (the first: after the
    trigger) and tells ``targets`` ("grid_manager+office"; see ``bot.escalation.TARGETS``)."""

    __table_args__ = (UniqueConstraint("policy_id", "position", name="uq_escalation_step"),)

    id: int | None = Field(default=None, primary_key=True)
    policy_id: int = Field(foreign_key="escalationpolicy.id", index=True)
    position: int = Field(ge=1)
    delay_minutes: int = Field(ge=0)
    targets: str = Field(max_length=128)
    any_hour: bool = False  # sent in quiet hours too


class CalendarFeed(SQLModel, table=True):
    """A secret token naming one iCalendar feed: a member's shifts or a rota's."""

    token: str = Field(primary_key=True, max_length=40)
    member_id: int | None = Field(default=None, foreign_key="member.id", unique=True)
    rota_id: int | None = Field(default=None, foreign_key="rota.id", unique=True)
    created_at: datetime | None = utc_field()


class Occurrence(SQLModel, table=True):
    """One reminder, call, escalation step or digest that fired (``eve:shift:12:m:4``,
    ``miss:shift:12:2``, ``digest:20261128:m:7`` …): recorded once per key in the same transaction
    as its outbox rows, so it is never sent twice and computing what is due skips it quickly."""

    key: str = Field(primary_key=True, max_length=128)
    due_at: datetime = utc_field(nullable=False)
    fired_at: datetime = utc_field(nullable=False, index=True)
    messages: int = 0
