"""The points an issue earns, and when: nobody is paid for work nobody checked.

- 解决 (``issue_resolved``, to whoever marked it resolved) and 领办 (``issue_claimed``, to whoever
  held the claim when it was resolved: a claim that ended in a reassignment earns nothing) are
  booked together when the reporter confirms (已修复), or when ``HGJ_POINTS_CONFIRM_DAYS`` (3) pass
  after 已解决 without 仍未修复 (``settle_due``, part of the scheduler's periodic work).
- 仍未修复 cancels what that resolution booked: a reversing ledger line for each (the ledger is
  append-only). The next resolution is booked on its own terms.
- Nobody earns points for resolving, claiming or confirming an issue they reported themselves,
  nor for reporting an issue they accept themselves: nobody would have checked.
- Reporting points (``issue_reported``) of a report that is rejected after all are reversed.

Each award is booked once per rule and object (``bot.points.award``): a resolution's object is
``issue:12`` for the first, ``issue:12:r2`` for the second and so on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, cast, exists, func, literal
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from models import Issue, IssueEvent, IssueStatus, Member, Occurrence, PointsEntry, Resident

from bot.points import service as points

RESOLVED, CLAIMED, REPORTED, CONFIRMED = "issue_resolved", "issue_claimed", "issue_reported", "issue_confirmed"
SETTLE_LOOKBACK = timedelta(days=60)  # older resolutions are no longer looked at (occurrences live 90 days)


@dataclass(frozen=True)
class Resolution:
    """The issue's latest 已解决: its number (1, 2 … after reopenings), who resolved it, who held
    the claim then, and its event."""

    number: int
    resolver_id: int | None
    claimer_id: int | None
    event_id: int

    def key(self, issue_id: int) -> str:
        return issue_key(issue_id) if self.number == 1 else f"{issue_key(issue_id)}:r{self.number}"


def issue_key(issue_id: int) -> str:
    return f"issue:{issue_id}"


def settle_key(event_id: int) -> str:
    return f"settle:event:{event_id}"


def latest_resolution(session: Session, issue: Issue) -> Resolution | None:
    events = session.exec(select(IssueEvent.id, IssueEvent.action, IssueEvent.actor_member_id).where(
        IssueEvent.issue_id == issue.id).order_by(IssueEvent.id)).all()
    found, number, claimer = None, 0, None
    for event_id, action, actor in events:
        if action == "claim":
            claimer = actor
        elif action == "reassign":
            claimer = None  # handed on: the claim is over
        elif action == "resolve":
            number += 1
            found = Resolution(number, actor, claimer, event_id)
    return found


def reporter_member_id(session: Session, issue: Issue) -> int | None:
    resident = session.get(Resident, issue.reporter_id)
    return resident.member_id if resident is not None else None


def book_resolution(session: Session, issue: Issue, *, now: datetime) -> list[PointsEntry]:
    """Book the latest resolution's points (the reporter confirmed, or the window passed)."""
    found = latest_resolution(session, issue)
    if found is None:
        return []
    own = reporter_member_id(session, issue)
    key = found.key(issue.id)
    booked = []
    for rule, member_id in ((RESOLVED, found.resolver_id), (CLAIMED, found.claimer_id)):
        if member_id is None or member_id == own:
            continue
        member = session.get(Member, member_id)
        entry = points.award(session, rule, member, key, now=now) if member is not None else None
        if entry is not None:
            booked.append(entry)
    return booked


def cancel_resolution(session: Session, issue: Issue, *, now: datetime, note: str) -> list[PointsEntry]:
    """仍未修复: reverse what the latest resolution booked (if anything was booked yet)."""
    found = latest_resolution(session, issue)
    if found is None:
        return []
    return _reverse(session, (RESOLVED, CLAIMED), found.key(issue.id), now=now, note=note)


def cancel_reporting(session: Session, issue: Issue, *, now: datetime, note: str) -> list[PointsEntry]:
    """A report accepted and then rejected after all earns its reporter nothing."""
    return _reverse(session, (REPORTED,), issue_key(issue.id), now=now, note=note)


def _reverse(session: Session, rules: tuple[str, ...], key: str, *, now: datetime, note: str) -> list[PointsEntry]:
    entries = session.exec(select(PointsEntry).where(
        PointsEntry.rule_code.in_(rules), PointsEntry.object_key == key)).all()
    done = [points.reverse(session, entry, now=now, note=note) for entry in entries]
    return [entry for entry in done if entry is not None]


def may_earn_reporting(session: Session, issue: Issue, acting_member_id: int | None) -> bool:
    """Reporting points are for a report someone else took on."""
    own = reporter_member_id(session, issue)
    return own is not None and own != acting_member_id


def may_earn_confirming(session: Session, issue: Issue) -> bool:
    """The reporter's 已修复 earns them points only when someone else resolved it."""
    found = latest_resolution(session, issue)
    return found is None or found.resolver_id != reporter_member_id(session, issue)


def settle_due(session: Session, now: datetime, *, days: int = 3) -> int:
    """Book the points of every resolution left ``days`` without 仍未修复 (nor a confirmation),
    once: each settled resolution is recorded as an occurrence (``settle:event:<id>``), so a
    second run, a second process or a restart books nothing twice. Returns how many were settled."""
    cutoff = now - timedelta(days=days)
    latest = (
        select(func.max(IssueEvent.id))
        .where(IssueEvent.issue_id == Issue.id, IssueEvent.action == "resolve")
        .correlate(Issue)  # two levels down (inside EXISTS): say which issue it is
        .scalar_subquery()
    )
    settled = exists().where(Occurrence.key == literal("settle:event:", String) + cast(latest, String))
    due = session.exec(select(Issue).where(
        Issue.status == IssueStatus.resolved, Issue.resolved_at <= cutoff,
        Issue.resolved_at > cutoff - SETTLE_LOOKBACK, ~settled,
    ).order_by(Issue.id)).all()
    count = 0
    for issue in due:
        found = latest_resolution(session, issue)
        if found is None:
            continue
        book_resolution(session, issue, now=now)
        _record(session, settle_key(found.event_id), due_at=issue.resolved_at + timedelta(days=days), now=now)
        count += 1
    session.flush()
    return count


def _record(session: Session, key: str, *, due_at: datetime, now: datetime) -> None:
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    session.execute(insert(Occurrence).values(key=key, due_at=due_at, fired_at=now, messages=0)
                    .on_conflict_do_nothing(index_elements=["key"]))
