"""Issue reports (问题反映) and their lifecycle:

reported → accepted (任务清单) → claimed (领办) → resolved → confirmed,
with side exits rejected, duplicate (merged into another) and reopened (not fixed after all).
Every change writes an ``IssueEvent``; points are booked through the ledger on the way — for
resolving and claiming only once somebody checked (``bot.issue_points``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from models import (
    ISSUE_OPEN,
    ISSUE_STATUS_ZH,
    Building,
    Issue,
    IssueCategory,
    IssueEvent,
    IssueFollower,
    IssueStatus,
    Member,
    Resident,
)

from bot.issues import points as issue_points
from bot.members import permissions
from bot.points import service as points
from bot.infra.errors import InvalidInput, NotAllowed, NotFound
from bot.infra.ids import parse_id
from bot.issues.lifecycle import Actor, record, require_state

S = IssueStatus


def code(issue: Issue | int) -> str:
    """The number residents see and type: 「Q123」."""
    return f"Q{issue if isinstance(issue, int) else issue.id}"


def parse_code(text: str) -> int | None:
    text = text.strip().lstrip("#").upper()
    if text.startswith("Q"):
        text = text[1:]
    return parse_id(text)


def get(session: Session, issue_id: int) -> Issue:
    issue = session.get(Issue, issue_id)
    if issue is None:
        raise NotFound(f"没有找到问题 {code(issue_id)}")
    return issue


def _allow(problem: str | None) -> None:
    if problem:
        raise NotAllowed(problem)


def _state(issue: Issue, allowed, action_zh: str) -> None:
    require_state(issue, allowed, action_zh, ISSUE_STATUS_ZH, code(issue))


def _event(session, issue, action, to, actor, now, note=""):
    return record(
        session, issue, IssueEvent, "issue_id",
        action=action, to_status=to, actor=actor, now=now, note=note,
    )


def _reporter_member(session: Session, issue: Issue) -> Member | None:
    resident = session.get(Resident, issue.reporter_id)
    return session.get(Member, resident.member_id) if resident and resident.member_id else None


def report(
    session: Session,
    *,
    reporter: Resident,
    community_id: int,
    text: str,
    now: datetime,
    category: str = IssueCategory.other,
    urgent: bool = False,
    building: Building | None = None,
    grid_id: int | None = None,
    unit: str = "",
    room: str = "",
    source_chat_id: int | None = None,
    source_message_id: str | None = None,
) -> Issue:
    text = text.strip()
    if not text:
        raise InvalidInput("问题内容不能为空")
    if category not in IssueCategory.__members__:
        raise InvalidInput(f"未知的问题类别「{category}」")
    if building is not None:
        if building.community_id != community_id:
            raise InvalidInput("楼栋不属于这个社区")
        grid_id = building.grid_id or grid_id
    issue = Issue(
        community_id=community_id,
        grid_id=grid_id,
        building_id=building.id if building else None,
        unit=unit,
        room=room,
        category=category,
        urgent=urgent,
        text=text,
        status=S.reported,
        reporter_id=reporter.id,
        source_chat_id=source_chat_id,
        source_message_id=source_message_id,
        created_at=now,
        updated_at=now,
    )
    session.add(issue)
    session.flush()
    session.add(IssueFollower(issue_id=issue.id, resident_id=reporter.id, kind="reporter", at=now))
    session.add(
        IssueEvent(
            issue_id=issue.id,
            at=now,
            action="report",
            from_status=None,
            to_status=S.reported,
            actor_resident_id=reporter.id,
            actor_member_id=reporter.member_id,
        )
    )
    session.flush()
    return issue


def _mark_accepted(session, issue: Issue, actor: Actor, now: datetime, note: str = "") -> IssueEvent:
    event = _event(session, issue, "accept", S.accepted, actor, now, note)
    issue.accepted_at = issue.accepted_at or now
    reporter = _reporter_member(session, issue)
    if reporter is not None and issue_points.may_earn_reporting(session, issue, actor.member and actor.member.id):
        points.award(session, issue_points.REPORTED, reporter, issue_points.issue_key(issue.id), now=now)
    return event


def accept(session: Session, issue: Issue, actor: Actor, *, now: datetime, note: str = "") -> IssueEvent:
    _allow(permissions.may_handle(actor.member, issue))
    _state(issue, (S.reported,), "受理")
    if issue.handler_id is None:
        issue.handler_id = actor.member.id
    return _mark_accepted(session, issue, actor, now, note)


def reject(session: Session, issue: Issue, actor: Actor, *, reason: str, now: datetime) -> IssueEvent:
    _allow(permissions.may_handle(actor.member, issue))
    _state(issue, (S.reported, S.accepted), "驳回")
    if not reason.strip():
        raise InvalidInput("驳回须写明理由，反映人会看到")
    event = _event(session, issue, "reject", S.rejected, actor, now, reason.strip())
    issue.closed_at = now
    issue_points.cancel_reporting(session, issue, now=now, note=f"{code(issue)} 已驳回")
    return event


def claim(session: Session, issue: Issue, actor: Actor, *, now: datetime) -> IssueEvent:
    """领办. A handler may claim a fresh report straight away; it is accepted on the way."""
    _allow(permissions.may_claim(actor.member, issue))
    _state(issue, (S.reported, S.accepted, S.reopened), "领办")
    if issue.status == S.reported:
        _mark_accepted(session, issue, actor, now)
    if issue.status == S.reopened and issue.handler_id not in (None, actor.member.id):
        # a reopened issue goes back to its handler; someone else takes it only by reassigning
        _allow(permissions.may_reassign(actor.member, issue))
    event = _event(session, issue, "claim", S.claimed, actor, now)
    issue.handler_id = actor.member.id
    issue.claimed_at = now
    session.flush()  # the claim is an event: the points follow it when the resolution is checked
    return event


def resolve(
    session: Session,
    issue: Issue,
    actor: Actor,
    *,
    now: datetime,
    note: str = "",
    photo: str | None = None,
) -> IssueEvent:
    _allow(permissions.may_resolve(actor.member, issue))
    _state(issue, (S.accepted, S.claimed, S.reopened), "标记解决")
    event = _event(session, issue, "resolve", S.resolved, actor, now, note.strip())
    issue.resolved_at = now
    issue.resolution_note = note.strip()
    issue.resolution_photo = photo
    if issue.handler_id is None:
        issue.handler_id = actor.member.id
    session.flush()  # booked when the reporter confirms, or when the window passes (bot.issue_points)
    return event


def reassign(
    session: Session, issue: Issue, actor: Actor, *, to: Member, now: datetime, note: str = ""
) -> IssueEvent:
    """转派 to another member who may handle it; it waits in the task list for them to claim."""
    _allow(permissions.may_reassign(actor.member, issue))
    _state(issue, (S.reported, S.accepted, S.claimed, S.reopened), "转派")
    if permissions.may_claim(to, issue) is not None:
        raise InvalidInput(f"{to.name} 不能处理这件事，请转派给本网格的处理人员")
    if to.id == issue.handler_id:
        raise InvalidInput(f"这件事已经由 {to.name} 负责")
    if issue.status == S.reported:
        _mark_accepted(session, issue, actor, now)
    event = _event(session, issue, "reassign", S.accepted, actor, now, note or f"转派给 {to.name}")
    issue.handler_id = to.id
    return event


def confirm(session: Session, issue: Issue, actor: Actor, *, now: datetime) -> IssueEvent:
    """The reporter says it is fixed (the system may too): the resolution's points are booked."""
    if not actor.is_system:
        _allow(permissions.may_answer_as_reporter(actor.resident and actor.resident.id, issue))
    _state(issue, (S.resolved,), "确认解决")
    event = _event(session, issue, "confirm", S.confirmed, actor, now)
    issue.closed_at = now
    session.flush()
    issue_points.book_resolution(session, issue, now=now)
    reporter = _reporter_member(session, issue)
    if reporter is not None and not actor.is_system and issue_points.may_earn_confirming(session, issue):
        points.award(session, issue_points.CONFIRMED, reporter, issue_points.issue_key(issue.id), now=now)
    return event


def reopen(session: Session, issue: Issue, actor: Actor, *, now: datetime, note: str = "") -> IssueEvent:
    """仍未修复: back to the same handler."""
    _allow(permissions.may_answer_as_reporter(actor.resident and actor.resident.id, issue))
    _state(issue, (S.resolved,), "重新打开")
    issue_points.cancel_resolution(session, issue, now=now, note=f"{code(issue)} 反映人表示仍未修复")
    event = _event(session, issue, "reopen", S.reopened, actor, now, note.strip() or "反映人表示仍未修复")
    issue.resolved_at = None
    return event


def root(session: Session, issue: Issue) -> Issue:
    """Follow merges to the issue that is actually handled."""
    seen = {issue.id}
    while issue.merged_into_id is not None:
        issue = get(session, issue.merged_into_id)
        if issue.id in seen:  # a cycle would be a bug; stop rather than loop
            break
        seen.add(issue.id)
    return issue


def followers(session: Session, issue: Issue) -> list[IssueFollower]:
    return list(
        session.exec(
            select(IssueFollower).where(IssueFollower.issue_id == issue.id).order_by(IssueFollower.id)
        ).all()
    )


def merge(session: Session, issue: Issue, into: Issue, actor: Actor, *, now: datetime) -> IssueEvent:
    """Mark ``issue`` a duplicate of ``into``: its reporters follow the original, whose count of
    people affected (附议) rises."""
    _allow(permissions.may_handle(actor.member, issue))
    _state(issue, (S.reported, S.accepted), "合并")
    into = root(session, into)
    if into.id == issue.id:
        raise InvalidInput("不能把问题合并到它自己")
    if into.community_id != issue.community_id:
        raise InvalidInput("只能合并同一社区的问题")
    if into.status not in ISSUE_OPEN + (S.resolved,):
        raise InvalidInput(f"{code(into)} 已经结束，不能再合并进去")
    already = {f.resident_id for f in followers(session, into)}
    moved = 0
    for follower in followers(session, issue):
        if follower.resident_id not in already:
            session.add(
                IssueFollower(issue_id=into.id, resident_id=follower.resident_id, kind="supporter", at=now)
            )
            already.add(follower.resident_id)
            moved += 1
    into.affected += moved
    into.updated_at = now
    issue.merged_into_id = into.id
    issue.closed_at = now
    session.add(
        IssueEvent(
            issue_id=into.id, at=now, action="merge_in", from_status=into.status,
            to_status=into.status, actor_member_id=actor.member.id, note=f"合并了 {code(issue)}",
        )
    )
    return _event(session, issue, "merge", S.duplicate, actor, now, f"与 {code(into)} 重复")


def support(session: Session, issue: Issue, resident: Resident, *, now: datetime) -> tuple[Issue, bool]:
    """附议 +1: the resident is affected too. Returns the issue joined (after merges) and whether
    this was new."""
    issue = root(session, issue)
    if issue.status not in ISSUE_OPEN:
        raise InvalidInput(f"{code(issue)} 当前「{ISSUE_STATUS_ZH[issue.status]}」，不需要再附议")
    exists = session.exec(
        select(IssueFollower.id).where(
            IssueFollower.issue_id == issue.id, IssueFollower.resident_id == resident.id
        )
    ).first()
    if exists:
        return issue, False
    session.add(IssueFollower(issue_id=issue.id, resident_id=resident.id, kind="supporter", at=now))
    issue.affected += 1
    issue.updated_at = now
    session.add(issue)
    session.add(
        IssueEvent(
            issue_id=issue.id, at=now, action="support", from_status=issue.status,
            to_status=issue.status, actor_resident_id=resident.id, actor_member_id=resident.member_id,
        )
    )
    session.flush()
    return issue, True


def events(session: Session, issue: Issue) -> list[IssueEvent]:
    return list(
        session.exec(select(IssueEvent).where(IssueEvent.issue_id == issue.id).order_by(IssueEvent.id)).all()
    )


def open_candidates(
    session: Session, community_id: int, *, building_id: int | None = None, limit: int = 50
) -> list[Issue]:
    """Open issues of the same place, newest first: where a new report may be a duplicate."""
    query = select(Issue).where(Issue.community_id == community_id, Issue.status.in_(ISSUE_OPEN))
    if building_id is not None:
        query = query.where(Issue.building_id == building_id)
    return list(session.exec(query.order_by(Issue.id.desc()).limit(limit)).all())


def reported_by(session: Session, resident_id: int, limit: int = 20) -> list[Issue]:
    """The issues a resident reported or joined, newest first."""
    query = (
        select(Issue)
        .join(IssueFollower, IssueFollower.issue_id == Issue.id)
        .where(IssueFollower.resident_id == resident_id)
        .order_by(Issue.id.desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


def count_open(session: Session, community_id: int) -> int:
    return session.exec(
        select(func.count()).select_from(Issue).where(
            Issue.community_id == community_id, Issue.status.in_(ISSUE_OPEN)
        )
    ).one()
