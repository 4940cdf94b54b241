"""Issue occurrences for ``bot.due``: escalation of reports nobody accepted (step by step along the
route, per the ``issue_unaccepted`` policy; urgent ones per ``issue_urgent``, everyone on the
route at once, any hour) and reminders of claimed issues not resolved in time (``issue_overdue``:
the claimer, then whoever the policy names). A reopened issue (the reporter says it is not fixed)
is overdue like a claimed one, its clock starting again at the reopening.

The first alert when a report arrives is the conversation's (``handlers``); these are the steps
after it. An issue accepted, claimed or closed drops out: its remaining steps never fire.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, case, cast, exists, func, literal, type_coerce
from sqlmodel import select

from models import Issue, IssueEvent, IssueStatus, Occurrence, PolicyKind
from models.base import UTCDateTime

from bot.issues import escalation
from bot.places import service as places
from bot.due.plan import Candidate, Message, Plan
from bot.issues.notices import Escalation

S = IssueStatus


MAX_STEPS_CHECKED = 6  # fired steps of an issue are looked up in SQL up to this many


def candidates(plan: Plan, until: datetime):
    s, now = plan.session, plan.now
    since = now - timedelta(days=plan.settings.escalation_lookback_days)
    # Steps fire in order, so the fired ones are a prefix: look their keys up with the issues
    # (through the occurrence key's index) instead of asking for every step of every issue.
    done = []
    if not plan.include_fired:
        for pos in range(1, MAX_STEPS_CHECKED + 1):
            kind = case((Issue.urgent, literal(":urgent:", String)), else_=literal(":unaccepted:", String))
            key = literal("esc:issue:", String) + cast(Issue.id, String) + kind + literal(str(pos), String)
            done.append(exists().where(Occurrence.key == key).label(f"s{pos}"))
    for row in s.connection().execute(
        select(Issue.id, Issue.community_id, Issue.created_at, Issue.urgent, *done).where(
            Issue.status == S.reported, Issue.created_at >= since, Issue.merged_into_id.is_(None)
        )
    ):
        iid, community_id, created_at, urgent, *flags = row
        fired_steps = next((i for i, f in enumerate(flags) if not f), len(flags))
        kind = PolicyKind.issue_urgent if urgent else PolicyKind.issue_unaccepted
        short = "urgent" if urgent else "unaccepted"
        for step in plan.policies.steps(kind, community_id):
            at = created_at + step.offset
            if at > until:
                break
            if step.position <= fired_steps:
                continue
            yield Candidate(
                key=f"esc:issue:{iid}:{short}:{step.position}", at=at, until=None, what=short, kind="alert",
                ref=f"issue:{iid}", urgent=bool(urgent), any_hour=step.any_hour,
                expand=_escalate(iid, step, short),
            )
    reopened_at = (
        select(func.max(IssueEvent.at)).where(IssueEvent.issue_id == Issue.id, IssueEvent.action == "reopen")
        .correlate(Issue).scalar_subquery()
    )
    # typed, so the column type gives the instant back with its zone on every database
    clock = type_coerce(case((Issue.status == S.reopened, reopened_at), else_=Issue.claimed_at), UTCDateTime)
    for iid, community_id, started in s.exec(
        select(Issue.id, Issue.community_id, clock).where(
            Issue.status.in_((S.claimed, S.reopened)), Issue.updated_at >= since
        )
    ).all():
        if started is None or started < since:
            continue
        stamp = int(started.timestamp())  # a new claim or a reopening starts the clock again
        for step in plan.policies.steps(PolicyKind.issue_overdue, community_id):
            at = started + step.offset
            if at > until:
                break
            yield Candidate(
                key=f"over:issue:{iid}:{stamp}:{step.position}", at=at, until=None, what="overdue", kind="alert",
                ref=f"issue:{iid}", any_hour=step.any_hour, expand=_escalate(iid, step, "overdue", started),
            )


def _place(plan: Plan, issue: Issue) -> str:
    return places.place_label(plan.session, building_id=issue.building_id, grid_id=issue.grid_id)


def _escalate(issue_id: int, step: escalation.Step, what: str, started: datetime | None = None):
    def expand(plan: Plan) -> list[Message]:
        issue = plan.session.get(Issue, issue_id)
        if issue is None:
            return []
        place = escalation.Place(issue.community_id, issue.grid_id, issue.building_id, issue.category, issue.urgent)
        claimer = plan.member(issue.handler_id) if what == "overdue" else None
        recipients = []
        for target in step.targets:
            if target == escalation.CLAIMER:
                found = [claimer] if claimer is not None else []
            elif target == escalation.ROUTE:
                found = escalation.route_members(plan.session, place)
            elif target in (escalation.BACKUP, escalation.TEAM):
                found = []
            else:
                found = escalation.level_members(plan.session, target, place)
            recipients.extend(m for m in found if m not in recipients)
        since = (started if what == "overdue" else issue.created_at) or issue.created_at
        where = _place(plan, issue)
        return [
            Message(Escalation(issue, what, plan.now - since, where, claimer,
                               to_claimer=claimer is not None and m.id == claimer.id), member=m, suffix=f":m:{m.id}")
            for m in recipients
        ]

    return expand
