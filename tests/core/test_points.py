"""The points ledger: idempotent awards, redemption never below zero, leaderboards by period."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from bot.points import service as points
from bot.infra.errors import InvalidInput
from models import PointsEntry, PointsRule, Voucher
from tests.conftest import TZ
from tests.factories import build_world


@pytest.fixture
def w(any_db, clock):
    with any_db.transaction() as session:
        yield build_world(session, clock.now())


def test_an_award_is_booked_once_per_rule_and_object(w):
    v = w.m["volunteer"]
    assert points.award(w.session, "patrol_checkin", v, "shift:1", now=w.now) is not None
    assert points.award(w.session, "patrol_checkin", v, "shift:1", now=w.now) is None
    assert points.award(w.session, "patrol_checkin", v, "shift:2", now=w.now) is not None
    assert points.balance(w.session, v.id) == 10


def test_a_rule_switched_off_or_changed_takes_effect(w):
    rule = w.session.get(PointsRule, "patrol_checkin")
    rule.points = 7
    assert points.award(w.session, "patrol_checkin", w.m["volunteer"], "shift:1", now=w.now).delta == 7
    rule.active = False
    assert points.award(w.session, "patrol_checkin", w.m["volunteer"], "shift:2", now=w.now) is None


def test_redemption_cannot_drive_the_balance_below_zero(w):
    v = w.m["volunteer"]
    voucher = Voucher(merchant="惠民超市", title="10元券", cost=8)
    w.session.add(voucher)
    w.session.flush()
    with pytest.raises(InvalidInput, match="积分不足"):
        points.redeem(w.session, v, voucher, now=w.now)
    points.award(w.session, "wish_fulfilled", v, "wish:1", now=w.now)  # 8 points
    points.redeem(w.session, v, voucher, now=w.now)
    assert points.balance(w.session, v.id) == 0
    with pytest.raises(InvalidInput):
        points.redeem(w.session, v, voucher, now=w.now)
    with pytest.raises(InvalidInput, match="不能为负"):
        points.adjust(w.session, v, -1, note="更正", now=w.now)


def test_period_bounds_are_local_midnight():
    q = points.period_of("quarter", date(2026, 11, 28), TZ)
    assert q.start == datetime(2026, 10, 1, tzinfo=TZ) and q.end == datetime(2027, 1, 1, tzinfo=TZ)
    assert q.label == "2026年第4季度"
    m = points.period_of("month", date(2026, 12, 5), TZ)
    assert (m.start, m.end) == (datetime(2026, 12, 1, tzinfo=TZ), datetime(2027, 1, 1, tzinfo=TZ))
    with pytest.raises(InvalidInput):
        points.period_of("week", date(2026, 1, 1), TZ)


def test_leaderboards_by_grid_community_and_unit(w):
    s = w.session
    month = points.period_of("month", date(2026, 11, 28), TZ)
    points.award(s, "issue_resolved", w.m["gm1"], "issue:1", now=w.now)
    points.award(s, "issue_claimed", w.m["volunteer2"], "issue:2", now=w.now)
    points.award(s, "issue_resolved", w.m["cadre"], "issue:3", now=w.now)
    points.award(s, "wish_fulfilled", w.m["cadre"], "wish:1", now=w.now)
    # a late-evening award on the last day of October (local) is not November's
    points.award(s, "issue_resolved", w.m["volunteer2"], "issue:4", now=datetime(2026, 10, 31, 23, 30, tzinfo=TZ))
    board = points.leaderboard(s, month, community_id=w.community.id)
    assert [(x.name, x.points) for x in board] == [("cadre", 18), ("gm1", 10), ("volunteer2", 3)]
    assert [x.name for x in points.leaderboard(s, month, grid_id=w.grid2.id)] == ["volunteer2"]
    quarter = points.period_of("quarter", date(2026, 11, 28), TZ)
    assert [(x.name, x.points) for x in points.leaderboard(s, quarter, grid_id=w.grid2.id)] == [("volunteer2", 13)]
    units = points.unit_leaderboard(s, quarter)
    assert [(u.name, u.points) for u in units] == [("区住建局", 18)]


def test_redemptions_do_not_lower_a_rank(w):
    s = w.session
    v = w.m["volunteer"]
    points.award(s, "issue_resolved", v, "issue:1", now=w.now)
    voucher = Voucher(merchant="理发店", title="理发", cost=10)
    s.add(voucher)
    s.flush()
    points.redeem(s, v, voucher, now=w.now + timedelta(minutes=1))
    board = points.leaderboard(s, points.period_of("month", date(2026, 11, 28), TZ))
    assert board[0].points == 10 and points.balance(s, v.id) == 0


def test_the_ledger_keeps_where_the_member_stood(w):
    s = w.session
    entry = points.award(s, "issue_resolved", w.m["gm1"], "issue:1", now=w.now)
    w.m["gm1"].grid_id = w.grid2.id
    s.flush()
    assert s.get(PointsEntry, entry.id).grid_id == w.grid1.id
