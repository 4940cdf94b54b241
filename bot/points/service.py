"""Points (积分): rules, the append-only ledger, redemption and leaderboards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from models import Member, PointsEntry, PointsRule, Voucher, WorkUnit

from bot.infra.errors import InvalidInput, NotFound

# code → (name, points). Communities change the numbers in the table; these are the first values.
DEFAULT_RULES: dict[str, tuple[str, int]] = {
    "issue_reported": ("反映问题被受理", 5),
    "issue_claimed": ("领办问题", 3),
    "issue_resolved": ("解决问题", 10),
    "issue_confirmed": ("确认问题已解决", 2),
    "issue_supervised": ("督办问题", 2),
    "wish_fulfilled": ("实现微心愿", 8),
    "task_joined": ("参加任务", 2),
    "patrol_checkin": ("巡逻值班打卡", 5),
    "dual_checkin": ("双报到服务打卡", 5),
}
REDEEM = "redeem"
ADJUST = "adjust"
REVERSAL = "reversal"  # cancels one earlier line (object ``entry:<id>``): points booked for work undone


def ensure_default_rules(session: Session) -> int:
    """Insert the default rules that are missing; never overwrite a community's changes."""
    have = set(session.exec(select(PointsRule.code)).all())
    added = 0
    for code, (name, points) in DEFAULT_RULES.items():
        if code not in have:
            session.add(PointsRule(code=code, name=name, points=points))
            added += 1
    session.flush()
    return added


def award(
    session: Session,
    rule_code: str,
    member: Member,
    object_key: str,
    *,
    now: datetime,
    note: str = "",
) -> PointsEntry | None:
    """Book the rule's points for ``object_key`` once. Returns None when the rule is off or
    the award was already booked (idempotent per rule and object, also under concurrency)."""
    rule = session.get(PointsRule, rule_code)
    if rule is None or not rule.active or rule.points == 0:
        return None
    entry = _entry(member, rule_code, rule.points, object_key, note or rule.name, now)
    values = entry.model_dump(exclude={"id"})
    insert = _insert_for(session)(PointsEntry).values(**values)
    insert = insert.on_conflict_do_nothing(index_elements=["rule_code", "object_key"])
    result = session.execute(insert.returning(PointsEntry.id))
    new_id = result.scalar()
    if new_id is None:
        return None
    entry.id = new_id
    return entry


def _insert_for(session: Session):
    # INSERT … ON CONFLICT DO NOTHING: the unique (rule, object) index decides, in one statement
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else pg_insert
    return insert


def _entry(member: Member, rule_code, delta, object_key, note, now) -> PointsEntry:
    return PointsEntry(
        member_id=member.id,
        rule_code=rule_code,
        object_key=object_key,
        delta=delta,
        note=note[:256],
        at=now,
        community_id=member.community_id,
        grid_id=member.grid_id,
        work_unit_id=member.work_unit_id,
    )


def reverse(session: Session, entry: PointsEntry, *, now: datetime, note: str) -> PointsEntry | None:
    """Cancel ``entry`` with a line of the opposite amount, booked now, where the entry was
    booked (its community, grid, unit). Once per entry: None when it was reversed already."""
    values = dict(
        member_id=entry.member_id, rule_code=REVERSAL, object_key=f"entry:{entry.id}", delta=-entry.delta,
        note=note[:256], at=now, community_id=entry.community_id, grid_id=entry.grid_id,
        work_unit_id=entry.work_unit_id,
    )
    insert = _insert_for(session)(PointsEntry).values(**values)
    insert = insert.on_conflict_do_nothing(index_elements=["rule_code", "object_key"])
    new_id = session.execute(insert.returning(PointsEntry.id)).scalar()
    return PointsEntry(id=new_id, **values) if new_id is not None else None


def earned(since: datetime | None = None, until: datetime | None = None) -> list:
    """Ledger lines that count as earned in a period: awards, reversals and corrections, not the
    vouchers spent (redeeming never lowers a rank)."""
    filters = [PointsEntry.rule_code != REDEEM]
    if since is not None:
        filters.append(PointsEntry.at >= since)
    if until is not None:
        filters.append(PointsEntry.at < until)
    return filters


def balance(session: Session, member_id: int) -> int:
    return session.exec(
        select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
            PointsEntry.member_id == member_id
        )
    ).one()


def _lock_member(session: Session, member: Member) -> None:
    # SQLite transactions already hold the write lock (BEGIN IMMEDIATE); PostgreSQL needs a
    # row lock so two redemptions cannot both see the old balance.
    if session.get_bind().dialect.name != "sqlite":
        session.exec(select(Member.id).where(Member.id == member.id).with_for_update()).one()


def redeem(session: Session, member: Member, voucher: Voucher, *, now: datetime) -> PointsEntry:
    """Spend points on a voucher; refused when the balance would go below zero."""
    if not voucher.active:
        raise InvalidInput("该奖券已下架")
    _lock_member(session, member)
    have = balance(session, member.id)
    if have < voucher.cost:
        raise InvalidInput(f"积分不足：需要 {voucher.cost} 分，当前 {have} 分")
    entry = _entry(member, REDEEM, -voucher.cost, None, f"兑换 {voucher.merchant}·{voucher.title}", now)
    session.add(entry)
    session.flush()
    return entry


def adjust(
    session: Session, member: Member, delta: int, *, note: str, now: datetime
) -> PointsEntry:
    """A manual correction, as a new ledger line; it may not take the balance below zero."""
    if not note.strip():
        raise InvalidInput("调整积分须写明原因")
    _lock_member(session, member)
    if balance(session, member.id) + delta < 0:
        raise InvalidInput("调整后积分不能为负")
    entry = _entry(member, ADJUST, delta, None, note, now)
    session.add(entry)
    session.flush()
    return entry


def get_voucher(session: Session, voucher_id: int) -> Voucher:
    voucher = session.get(Voucher, voucher_id)
    if voucher is None:
        raise NotFound(f"没有编号为 {voucher_id} 的奖券")
    return voucher


# --- periods and leaderboards ------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str  # month | quarter
    start: datetime  # aware UTC, inclusive
    end: datetime  # aware UTC, exclusive
    label: str  # 「2026年11月」 / 「2026年第4季度」


# Days whose month and quarter bounds exist in every zone: 0001-01-01 at local midnight east of
# UTC is before the first representable instant, and December 9999 has no next month.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(9998, 12, 31)


def period_of(kind: str, day: date, tz: ZoneInfo) -> Period:
    """The month or quarter containing ``day``, with its bounds at local midnight."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidInput(f"日期须在 {EARLIEST_DAY} 到 {LATEST_DAY} 之间")
    if kind == "month":
        first = date(day.year, day.month, 1)
        nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        label = f"{day.year}年{day.month}月"
    elif kind == "quarter":
        q = (day.month - 1) // 3
        first = date(day.year, q * 3 + 1, 1)
        nxt = date(day.year + (q == 3), (q + 1) % 4 * 3 + 1, 1)
        label = f"{day.year}年第{q + 1}季度"
    else:
        raise InvalidInput("统计周期只能是 month（月）或 quarter（季度）")

    def at_midnight(d: date) -> datetime:
        return datetime.combine(d, time(), tz).astimezone(timezone.utc)

    return Period(kind, at_midnight(first), at_midnight(nxt), label)


@dataclass(frozen=True)
class Standing:
    rank: int
    id: int
    name: str
    points: int


def _standings(session: Session, period: Period, owner, owner_key, filters, limit: int) -> list[Standing]:
    """``owner`` (Member or WorkUnit) ranked by points earned in the period; redemptions do not
    lower a rank, reversals of points booked for work undone do; nobody is ranked with nothing."""
    total = func.sum(PointsEntry.delta).label("total")
    query = (
        select(owner.id, owner.name, total)
        .join(owner, owner.id == owner_key)
        .where(*earned(period.start, period.end), *filters)
        .group_by(owner.id, owner.name)
        .having(func.sum(PointsEntry.delta) > 0)
        .order_by(total.desc(), owner.id)
        .limit(limit)
    )
    return [Standing(i + 1, r[0], r[1], int(r[2])) for i, r in enumerate(session.exec(query).all())]


def _scope(community_id: int | None, grid_id: int | None = None) -> list:
    filters = []
    if community_id is not None:
        filters.append(PointsEntry.community_id == community_id)
    if grid_id is not None:
        filters.append(PointsEntry.grid_id == grid_id)
    return filters


def leaderboard(
    session: Session,
    period: Period,
    *,
    community_id: int | None = None,
    grid_id: int | None = None,
    limit: int = 10,
) -> list[Standing]:
    """Members by points earned in the period, in a community or grid (红管家之星)."""
    return _standings(session, period, Member, PointsEntry.member_id, _scope(community_id, grid_id), limit)


def unit_leaderboard(
    session: Session, period: Period, *, community_id: int | None = None, limit: int = 100
) -> list[Standing]:
    """Work units by the points their cadres earned in the period (the quarterly 单位得分)."""
    return _standings(session, period, WorkUnit, PointsEntry.work_unit_id, _scope(community_id), limit)
