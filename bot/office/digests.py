"""Digest occurrences for ``bot.due``:

- the morning digest to each grid manager (open issues of their grid by age, today's shifts,
  yesterday's missed check-ins) at ``HGJ_DIGEST_TIME``, useful for six hours;
- the weekly note to each bound group (issues solved, wishes fulfilled, patrols served, thanks,
  star of the week) on ``HGJ_WEEKLY_NOTE_WEEKDAY`` at ``HGJ_WEEKLY_NOTE_TIME``, useful for a day;
- the quarterly scoreboard of work units (dual check-ins 双报到 and points of their cadres) to
  each community's office admins and district leaders, on the first day of a quarter.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, exists, func, literal
from sqlmodel import select

from bot.due.plan import Candidate, Message, Plan
from bot.points import service as points
from bot.office.notices import MorningDigest, Scoreboard, WeeklyNote
from models import (
    ISSUE_OPEN,
    ChatGroup,
    CheckIn,
    CheckInKind,
    Community,
    Grid,
    Issue,
    IssueStatus,
    Member,
    MemberStatus,
    Occurrence,
    Role,
    Rota,
    Shift,
    ShiftAssignment,
    ShiftStatus,
    Wish,
    WishStatus,
    WorkUnit,
)

UTC = timezone.utc
DIGEST_USEFUL = timedelta(hours=6)
WEEKLY_USEFUL = timedelta(days=1)
QUARTER_USEFUL = timedelta(days=7)


def _at(day: date, clock, tz) -> datetime:
    return datetime.combine(day, clock, tz).astimezone(UTC)


def candidates(plan: Plan, until: datetime):
    today = plan.now.astimezone(plan.tz).date()
    yield from _digests(plan, until, today)
    yield from _weekly(plan, until, today)
    yield from _quarterly(plan, until, today)


def _digests(plan: Plan, until: datetime, today: date):
    times = [(d, _at(d, plan.settings.digest_time, plan.tz)) for d in (today - timedelta(days=1), today, today + timedelta(days=1))]
    times = [(d, t) for d, t in times if t <= until and plan.now < t + DIGEST_USEFUL]
    if not times:
        return
    for day, at in times:
        done = (
            literal(False)
            if plan.include_fired
            else exists().where(Occurrence.key == literal(f"digest:{day:%Y%m%d}:m:", String) + cast(Member.id, String))
        )
        managers = plan.session.exec(
            select(Member.id, done.label("done")).where(
                Member.is_grid_manager, Member.status == MemberStatus.active, Member.grid_id.is_not(None)
            )
        ).all()
        for mid, fired_already in managers:
            if fired_already:
                continue
            yield Candidate(
                key=f"digest:{day:%Y%m%d}:m:{mid}", at=at, until=at + DIGEST_USEFUL, what="digest", kind="digest",
                ref=f"digest:{day:%Y%m%d}", expand=_digest(mid, day), checked=True,
            )


def _digest(member_id: int, day: date):
    def expand(plan: Plan) -> list[Message]:
        me = plan.member(member_id)
        if me is None or me.grid_id is None:
            return []
        s, tz = plan.session, plan.tz
        grid = s.get(Grid, me.grid_id)
        issues = s.exec(
            select(Issue.id, Issue.text, Issue.created_at)
            .where(Issue.grid_id == me.grid_id, Issue.status.in_(ISSUE_OPEN), Issue.merged_into_id.is_(None))
            .order_by(Issue.created_at)
        ).all()
        start, end = _at(day, datetime.min.time(), tz), _at(day + timedelta(days=1), datetime.min.time(), tz)
        shifts = s.exec(
            select(Shift, Rota)
            .join(Rota, Rota.id == Shift.rota_id)
            .where(
                Rota.grid_id == me.grid_id, Rota.active, Shift.status == ShiftStatus.scheduled,
                Shift.starts_at >= start, Shift.starts_at < end,
            )
            .order_by(Shift.starts_at)
        ).all()
        today: list[tuple] = []
        for shift, rota in shifts[:10]:
            who = s.exec(
                select(Member.name)
                .join(ShiftAssignment, ShiftAssignment.member_id == Member.id)
                .where(ShiftAssignment.shift_id == shift.id, ShiftAssignment.role == "on")
            ).all()
            today.append((shift, rota, rota_tz(rota), tuple(who)))
        missed = _missed_yesterday(plan, me.grid_id, start)
        if not issues and not shifts and not missed:
            return []
        fact = MorningDigest(
            name=me.name, grid=grid.name if grid else "", day=day,
            issues=tuple((iid, text, (plan.now - created_at).total_seconds() / 86400)
                         for iid, text, created_at in issues),
            shifts=tuple(today), missed=tuple(missed),
        )
        return [Message(fact, member=me, suffix="")]

    return expand


def rota_tz(rota: Rota):
    return ZoneInfo(rota.timezone)


def _missed_yesterday(plan: Plan, grid_id: int, day_start: datetime) -> list[tuple[int, str, int, int]]:
    s = plan.session
    rows = s.exec(
        select(Shift.id, Rota.name, Rota.quorum)
        .join(Rota, Rota.id == Shift.rota_id)
        .where(
            Rota.grid_id == grid_id, Shift.status == ShiftStatus.scheduled,
            Shift.starts_at >= day_start - timedelta(days=1), Shift.starts_at < day_start,
        )
    ).all()
    out = []
    for sid, name, quorum in rows:
        present = s.exec(select(func.count()).select_from(CheckIn).where(CheckIn.shift_id == sid)).one()
        if present < quorum:
            out.append((sid, name, present, quorum))
    return out


# --- weekly note -------------------------------------------------------------------------


def _weekly(plan: Plan, until: datetime, today: date):
    st = plan.settings
    back = (today.isoweekday() - st.weekly_note_weekday) % 7
    this_week = today - timedelta(days=back)
    times = [(d, _at(d, st.weekly_note_time, plan.tz)) for d in (this_week - timedelta(days=7), this_week, this_week + timedelta(days=7))]
    times = [(d, t) for d, t in times if t <= until and plan.now < t + WEEKLY_USEFUL]
    if not times:
        return
    for day, at in times:
        year, week, _ = day.isocalendar()
        prefix = f"weekly:{year}w{week:02d}:chat:"
        done = (
            literal(False)
            if plan.include_fired
            else exists().where(Occurrence.key == literal(prefix, String) + cast(ChatGroup.chat_id, String))
        )
        for chat_id, fired_already in plan.session.exec(select(ChatGroup.chat_id, done.label("done"))).all():
            if fired_already:
                continue
            yield Candidate(
                key=f"{prefix}{chat_id}", at=at, until=at + WEEKLY_USEFUL, what="weekly", kind="digest",
                ref=f"weekly:{year}w{week:02d}", expand=_weekly_note(chat_id, at), checked=True,
            )


def _weekly_note(chat_id: int, at: datetime):
    def expand(plan: Plan) -> list[Message]:
        s = plan.session
        group = s.get(ChatGroup, chat_id)
        if group is None:
            return []
        start, end = at - timedelta(days=7), at
        scope_issue = Issue.grid_id == group.grid_id if group.grid_id else Issue.community_id == group.community_id
        solved = s.exec(
            select(Issue.id, Issue.text, Issue.handler_id).where(
                scope_issue, Issue.status.in_((IssueStatus.resolved, IssueStatus.confirmed)),
                Issue.resolved_at >= start, Issue.resolved_at < end,
            )
        ).all()
        scope_wish = Wish.grid_id == group.grid_id if group.grid_id else Wish.community_id == group.community_id
        wishes = s.exec(
            select(Wish.id, Wish.claimer_id).where(
                scope_wish, Wish.status.in_((WishStatus.fulfilled, WishStatus.thanked)),
                Wish.fulfilled_at >= start, Wish.fulfilled_at < end,
            )
        ).all()
        scope_rota = Rota.grid_id == group.grid_id if group.grid_id else Rota.community_id == group.community_id
        turns = s.exec(
            select(func.count())
            .select_from(CheckIn)
            .join(Shift, Shift.id == CheckIn.shift_id)
            .join(Rota, Rota.id == Shift.rota_id)
            .where(scope_rota, CheckIn.at >= start, CheckIn.at < end)
        ).one()
        period = points.Period("week", start, end, "本周")
        star = points.leaderboard(
            s, period, community_id=group.community_id, grid_id=group.grid_id, limit=1
        )
        helpers = Counter(h for _, _, h in solved if h) + Counter(c for _, c in wishes if c)
        names = plan.members(helpers)
        local_start, local_end = start.astimezone(plan.tz), (end - timedelta(seconds=1)).astimezone(plan.tz)
        fact = WeeklyNote(
            start=local_start, end=local_end, solved=len(solved),
            solved_first=tuple((iid, text) for iid, text, _h in solved[:5]), wishes=len(wishes), turns=turns,
            thanks=tuple(names[m].name for m, _ in helpers.most_common(8) if m in names) if helpers else None,
            star=(star[0].name, star[0].points) if star else None,
        )
        return [Message(fact, chat_id=chat_id)]

    return expand


# --- quarterly unit scoreboard ----------------------------------------------------------


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _quarterly(plan: Plan, until: datetime, today: date):
    first = _quarter_start(today)
    nxt = _quarter_start(first + timedelta(days=100))
    times = [(d, _at(d, plan.settings.quarterly_report_time, plan.tz)) for d in (first, nxt)]
    times = [(d, t) for d, t in times if t <= until and plan.now < t + QUARTER_USEFUL]
    if not times:
        return
    communities = plan.session.exec(select(Community.id)).all()
    for day, at in times:
        last = _quarter_start(day - timedelta(days=1))  # the quarter being reported
        label = f"{last.year}q{(last.month - 1) // 3 + 1}"
        for cid in communities:
            yield Candidate(
                key=f"quarter:{label}:c:{cid}", at=at, until=at + QUARTER_USEFUL, what="quarterly", kind="digest",
                ref=f"quarter:{label}", expand=_scoreboard(cid, last),
            )


def unit_scores(plan: Plan, community_id: int, quarter_day: date) -> tuple[points.Period, list[tuple[str, int, int]]]:
    """(period, [(unit, dual check-ins, points)]) for one community, best first."""
    s = plan.session
    period = points.period_of("quarter", quarter_day, plan.tz)
    by_points = {st.id: (st.name, st.points) for st in points.unit_leaderboard(s, period, community_id=community_id)}
    checkins = dict(
        s.exec(
            select(CheckIn.work_unit_id, func.count())
            .where(
                CheckIn.kind == CheckInKind.dual, CheckIn.community_id == community_id,
                CheckIn.work_unit_id.is_not(None), CheckIn.at >= period.start, CheckIn.at < period.end,
            )
            .group_by(CheckIn.work_unit_id)
        ).all()
    )
    ids = set(by_points) | set(checkins)
    names = dict(s.exec(select(WorkUnit.id, WorkUnit.name).where(WorkUnit.id.in_(ids))).all()) if ids else {}
    rows = [(names.get(u, "?"), checkins.get(u, 0), by_points.get(u, ("", 0))[1]) for u in ids]
    rows.sort(key=lambda r: (-r[2], -r[1], r[0]))
    return period, rows


def _scoreboard(community_id: int, quarter_day: date):
    def expand(plan: Plan) -> list[Message]:
        s = plan.session
        community = s.get(Community, community_id)
        period, rows = unit_scores(plan, community_id, quarter_day)
        recipients = s.exec(
            select(Member)
            .where(
                Member.community_id == community_id, Member.status == MemberStatus.active,
                (Member.is_office_admin) | (Member.role == Role.district_leader),
            )
            .order_by(Member.id)
        ).all()
        if not recipients:
            return []
        fact = Scoreboard(period.label, community.name, tuple(rows))
        return [Message(fact, member=m, suffix=f":m:{m.id}") for m in recipients]

    return expand
