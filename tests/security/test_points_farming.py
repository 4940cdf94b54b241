"""Finding 8: points cannot be farmed. Claim + resolve by one person paid 13 points with nobody
checking; now the resolution's points are booked when the reporter confirms (已修复), or when 3 days
pass after 已解决 without 仍未修复 (the scheduler's periodic work), and 仍未修复 cancels what was booked
with a reversing ledger line. Claims that end in a reassignment earn nothing, nor does checking
one's own work. Replayed through the stand-in, then each rule on the services (both databases)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.issues import points as issue_points
from bot.issues import service as issues
from bot.points import service as points
from bot.infra.clock import FixedClock
from bot.infra.config import Settings
from bot.issues.points import settle_due
from models import Member, Occurrence, PointsEntry
from tests.chat.conftest import demo, demo_template, parser, people  # noqa: F401 (fixtures)
from tests.chat.live import button
from tests.factories import build_world

from .guard_steps import SUNSHINE, live, report, resolve  # noqa: F401
from tests import ids as tg

DAY = timedelta(days=1)


def ledger(db, key_prefix: str) -> list[tuple[str, int, int]]:
    """(rule, member id, points) of every line about that issue, and reversals of them, in order."""
    with db.session() as s:
        rows = s.exec(select(PointsEntry).order_by(PointsEntry.id)).all()
        ids = {e.id for e in rows if e.object_key and (e.object_key == key_prefix or
                                                        e.object_key.startswith(key_prefix + ":"))}
        return [(e.rule_code, e.member_id, e.delta) for e in rows
                if e.id in ids or (e.rule_code == points.REVERSAL and int(e.object_key.split(":")[1]) in ids)]


def member_id(db, chat_user_id: int) -> int:
    with db.session() as s:
        return tg.member_of(s, chat_user_id).id


# --- through the stand-in ----------------------------------------------------------------------


async def test_claim_and_resolve_pay_nothing_until_the_reporter_confirms(live, people):
    sc = live.sc
    _reply, found = await report(live, people)
    notice = await resolve(live, people, found)
    key = f"issue:{found.id}"
    assert ledger(live.db, key) == []  # claimed and resolved by one person: nobody checked yet
    await sc.send_text(people.bh_s4, people.bh_s4, "/points")
    assert "+0" in (await sc.wait_for_message(people.bh_s4, lambda m: "你的积分" in m["text"]))["text"]
    q = await sc.press(people.r_li, SUNSHINE, notice["message_id"], button(notice, "已修复"))
    assert (await sc.callback_answer(q, wait=5))["text"] == "谢谢确认！"
    head = member_id(live.db, people.bh_s4)
    assert sorted(ledger(live.db, key)) == [("issue_claimed", head, 3), ("issue_resolved", head, 10)]
    await sc.send_text(people.bh_s4, people.bh_s4, "/points")
    assert "+13" in (await sc.wait_for_message(people.bh_s4, lambda m: "你的积分" in m["text"]))["text"]


async def test_three_quiet_days_book_them_and_a_later_not_fixed_reverses_them(live, people):
    sc = live.sc
    _reply, found = await report(live, people)
    notice = await resolve(live, people, found)
    key, head = f"issue:{found.id}", member_id(live.db, people.bh_s4)
    now = live.runtime.clock.now()
    with live.db.transaction() as s:  # the scheduler's periodic work, three days later
        settle_due(s, now)  # the demo's own resolutions of twelve days ago
        assert settle_due(s, now + 3 * DAY - timedelta(minutes=1)) == 0
        assert settle_due(s, now + 3 * DAY + timedelta(minutes=1)) == 1
        assert settle_due(s, now + 4 * DAY) == 0  # once
    assert sorted(ledger(live.db, key)) == [("issue_claimed", head, 3), ("issue_resolved", head, 10)]
    q = await sc.press(people.r_li, SUNSHINE, notice["message_id"], button(notice, "仍未修复"))
    await sc.callback_answer(q, wait=5)
    await sc.wait_for_message(people.bh_s4, lambda m: "仍未修复" in m["text"])
    lines = ledger(live.db, key)
    assert sorted(lines[2:]) == [(points.REVERSAL, head, -10), (points.REVERSAL, head, -3)]
    with live.db.session() as s:
        assert points.balance(s, head) == sum(delta for _rule, who, delta in lines if who == head) == 0


# --- the rules, on the services ---------------------------------------------------------------------


@pytest.fixture
def w(any_db, clock):
    with any_db.transaction() as session:
        yield build_world(session, clock.now())


def balances(w, *keys) -> list[int]:
    return [points.balance(w.session, w.m[k].id) for k in keys]


def claim_resolve(w, issue, who="bh3", at=None):
    issues.claim(w.session, issue, w.actor(who), now=at or w.now)
    issues.resolve(w.session, issue, w.actor(who), now=at or w.now)


def test_settling_after_the_window_books_once_and_records_it(w):
    issue = w.report()
    claim_resolve(w, issue)
    assert balances(w, "bh3") == [0]
    assert settle_due(w.session, w.now + 3 * DAY - timedelta(seconds=1)) == 0
    assert settle_due(w.session, w.now + 3 * DAY) == 1
    assert settle_due(w.session, w.now + 3 * DAY) == 0 and settle_due(w.session, w.now + 9 * DAY) == 0
    assert balances(w, "bh3") == [13]
    assert w.session.exec(select(Occurrence).where(Occurrence.key.startswith("settle:"))).one()
    issues.confirm(w.session, issue, w.actor("resident"), now=w.now + 4 * DAY)  # late 已修复: nothing twice
    assert balances(w, "bh3") == [13]
    # two resolutions on different days settle each on its own day
    first, second = w.report("3栋电梯坏了"), w.report("3栋门禁坏了")
    claim_resolve(w, first, at=w.now + 10 * DAY)
    claim_resolve(w, second, at=w.now + 11 * DAY)
    assert settle_due(w.session, w.now + 13 * DAY) == 1 and settle_due(w.session, w.now + 13 * DAY) == 0
    assert settle_due(w.session, w.now + 14 * DAY) == 1 and balances(w, "bh3") == [39]


def test_a_reopen_before_the_window_books_nothing_and_the_next_resolution_is_paid_once(w):
    issue = w.report()
    claim_resolve(w, issue)
    issues.reopen(w.session, issue, w.actor("resident"), now=w.now + DAY)
    assert settle_due(w.session, w.now + 5 * DAY) == 0 and balances(w, "bh3") == [0]
    issues.resolve(w.session, issue, w.actor("bh3"), now=w.now + 2 * DAY)
    issues.reopen(w.session, issue, w.actor("resident"), now=w.now + 3 * DAY)
    issues.resolve(w.session, issue, w.actor("bh3"), now=w.now + 4 * DAY)
    issues.confirm(w.session, issue, w.actor("resident"), now=w.now + 4 * DAY)
    assert balances(w, "bh3") == [13]
    keys = {e.object_key for e in w.session.exec(select(PointsEntry).where(PointsEntry.member_id == w.m["bh3"].id))}
    assert keys == {f"issue:{issue.id}:r3"}


def test_reopen_after_settling_reverses_and_the_ledger_stays_append_only(w):
    issue = w.report()
    claim_resolve(w, issue)
    settle_due(w.session, w.now + 3 * DAY)
    before = w.session.exec(select(PointsEntry).order_by(PointsEntry.id)).all()
    snapshot = [(e.id, e.delta, e.rule_code) for e in before]
    issues.reopen(w.session, issue, w.actor("resident"), now=w.now + 4 * DAY)
    after = w.session.exec(select(PointsEntry).order_by(PointsEntry.id)).all()
    assert [(e.id, e.delta, e.rule_code) for e in after[:len(before)]] == snapshot  # nothing changed…
    assert sorted(e.delta for e in after[len(before):]) == [-10, -3]  # …two lines were added
    assert balances(w, "bh3") == [0]
    # the same reopening handled twice reverses once
    assert issue_points.cancel_resolution(w.session, issue, now=w.now + 4 * DAY, note="again") == []
    # the month's leaderboard counts the reversal; nobody is ranked with nothing
    from tests.conftest import TZ

    period = points.period_of("month", (w.now + 4 * DAY).astimezone(TZ).date(), TZ)
    assert w.m["bh3"].id not in {s.id for s in points.leaderboard(w.session, period, community_id=w.community.id)}
    claim_resolve(w, issue, at=w.now + 5 * DAY)
    issues.confirm(w.session, issue, w.actor("resident"), now=w.now + 5 * DAY)
    assert balances(w, "bh3") == [13]


def test_a_claim_handed_on_earns_nothing_the_one_who_finishes_earns_it(w):
    issue = w.report()
    issues.claim(w.session, issue, w.actor("cadre"), now=w.now)  # a unit cadre may claim anything
    issues.reassign(w.session, issue, w.actor("gm1"), to=w.m["bh3"], now=w.now)
    claim_resolve(w, issue)
    issues.confirm(w.session, issue, w.actor("resident"), now=w.now)
    assert balances(w, "cadre", "bh3") == [0, 13]
    # claimed, handed back and rejected: nothing for anyone
    dropped = w.report("3栋楼道有人吵架")
    issues.claim(w.session, dropped, w.actor("cadre"), now=w.now)
    issues.reassign(w.session, dropped, w.actor("gm1"), to=w.m["bh3"], now=w.now)
    issues.reject(w.session, dropped, w.actor("gm1"), reason="已由派出所处理", now=w.now)
    assert settle_due(w.session, w.now + 30 * DAY) == 0 and balances(w, "cadre", "bh3") == [0, 13]
    # claiming many and resolving none pays nothing either
    for _ in range(5):
        issues.claim(w.session, w.report(), w.actor("cadre"), now=w.now)
    assert settle_due(w.session, w.now + 30 * DAY) == 0 and balances(w, "cadre") == [0]


def test_nobody_earns_points_for_checking_their_own_work(w):
    issue = w.report(by="bh3")  # the building head reports, accepts, claims, resolves and confirms
    issues.accept(w.session, issue, w.actor("bh3"), now=w.now)
    claim_resolve(w, issue)
    issues.confirm(w.session, issue, w.actor("bh3"), now=w.now)
    assert balances(w, "bh3") == [0]
    other = w.report("3栋单元门坏了", by="bh3")
    claim_resolve(w, other)
    settle_due(w.session, w.now + 3 * DAY)
    assert balances(w, "bh3") == [0]
    # a member reporting for someone else to handle earns the reporting and confirming points
    third = w.report("3栋楼顶漏水", by="volunteer")
    issues.accept(w.session, third, w.actor("gm1"), now=w.now)
    claim_resolve(w, third)
    issues.confirm(w.session, third, w.actor("volunteer"), now=w.now)
    assert balances(w, "volunteer", "bh3") == [5 + 2, 13]


def test_a_report_rejected_after_it_was_accepted_keeps_no_reporting_points(w):
    issue = w.report(by="volunteer")
    issues.accept(w.session, issue, w.actor("gm1"), now=w.now)
    assert balances(w, "volunteer") == [5]
    issues.reject(w.session, issue, w.actor("gm1"), reason="不是公共问题", now=w.now)
    assert balances(w, "volunteer") == [0]


async def test_the_scheduler_settles_with_its_clock(db, clock):
    from bot.scheduler import start_scheduler

    with db.transaction() as s:
        w = build_world(s, clock.now())
        claim_resolve(w, w.report())
        head = w.m["bh3"].id
    later = FixedClock(clock.now() + 3 * DAY + timedelta(minutes=5))
    settings = Settings(_env_file=None, scheduler_tick_seconds=60, points_settle_seconds=60)
    handle = start_scheduler(db, settings, later)
    try:
        assert handle.is_owner
        for _ in range(200):  # the job runs at start; wait for it, never longer than needed
            if handle.runtime.settled:
                break
            await asyncio.sleep(0.02)
    finally:
        handle.stop()
    assert handle.runtime.settled == 1 and handle.runtime.last_error == ""
    with db.session() as s:
        assert points.balance(s, head) == 13
