"""Red team (finding 8, points cannot be farmed): a wish's claimer alone marked 已实现 and was paid
8 points at once, nobody checking — the cheapest points in the system, with two accounts (one
posts in the group, the other claims). Now they are booked when the poster taps 谢谢, or when
``HGJ_POINTS_CONFIRM_DAYS`` (3) pass after 已实现 without thanks (the scheduler's settling), once.
Through the chat on the demo, then the settling on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.points import service as points
from bot.wishes import service as wishes
from models import Member, PointsEntry, Wish
from tests.chat.conftest import SUNSHINE, conversation, cw, demo, demo_template, parser, people  # noqa: F401
from tests.factories import build_world
from tests import ids

WISH = "家里老人腿脚不便，想请志愿者帮忙每周买一次菜"
DAY = timedelta(days=1)


def wish_points(db, wish_id: int) -> list[tuple[str, int]]:
    with db.session() as s:
        return [(e.rule_code, e.delta) for e in s.exec(select(PointsEntry).where(
            PointsEntry.object_key == f"wish:{wish_id}"))]


def claimed_and_fulfilled(cw, people):
    with cw.db.transaction() as s:
        wishes.settle_due(s, cw.clock.now())  # the demo's own wishes, fulfilled days ago
    (reply,) = cw.say(people.r_wang, SUNSHINE, WISH)
    with cw.db.session() as s:
        wish = s.exec(select(Wish).order_by(Wish.id.desc())).first()
    out = cw.press(people.vol1, reply, "我来认领")
    (private,) = [m for m in out if m.chat_id == people.vol1]
    out = cw.press(people.vol1, private, "已实现")
    assert "谢谢" in cw.last_answer.text and "积分已记上" not in cw.last_answer.text
    thanks = next(m for m in out if m.chat_id == SUNSHINE and "谢谢" in " ".join(m.labels))
    return wish, thanks


def test_the_claimer_alone_is_paid_nothing_until_the_poster_thanks(cw, people):
    wish, thanks = claimed_and_fulfilled(cw, people)
    assert wish_points(cw.db, wish.id) == []
    cw.press(people.r_wang, thanks, "谢谢")
    assert wish_points(cw.db, wish.id) == [("wish_fulfilled", 8)]
    with cw.db.transaction() as s:  # settling later pays nothing twice
        assert wishes.settle_due(s, cw.clock.now() + 10 * DAY) == 0
    assert wish_points(cw.db, wish.id) == [("wish_fulfilled", 8)]


def test_a_wish_left_unthanked_is_paid_after_the_quiet_days(cw, people):
    wish, _thanks = claimed_and_fulfilled(cw, people)
    with cw.db.transaction() as s:
        assert wishes.settle_due(s, cw.clock.now() + 3 * DAY - timedelta(minutes=1)) == 0
    assert wish_points(cw.db, wish.id) == []
    with cw.db.transaction() as s:
        assert wishes.settle_due(s, cw.clock.now() + 3 * DAY) == 1
        assert wishes.settle_due(s, cw.clock.now() + 4 * DAY) == 0
    assert wish_points(cw.db, wish.id) == [("wish_fulfilled", 8)]
    with cw.db.session() as s:
        vol1 = ids.member_of(s, people.vol1)
        (entry,) = s.exec(select(PointsEntry).where(PointsEntry.object_key == f"wish:{wish.id}")).all()
        assert entry.member_id == vol1.id


@pytest.fixture
def w(any_db, clock):
    with any_db.transaction() as session:
        yield build_world(session, clock.now())


def test_settling_wishes_on_both_databases(w):
    done, thanked, open_ = w.wish(), w.wish(), w.wish()
    for wish in (done, thanked):
        wishes.claim(w.session, wish, w.actor("volunteer"), now=w.now)
        wishes.fulfil(w.session, wish, w.actor("volunteer"), now=w.now)
    wishes.thank(w.session, thanked, w.actor("resident"), now=w.now + DAY)
    wishes.claim(w.session, open_, w.actor("volunteer"), now=w.now)  # claimed, never fulfilled
    assert points.balance(w.session, w.m["volunteer"].id) == 8
    assert wishes.settle_due(w.session, w.now + 2 * DAY) == 0
    assert wishes.settle_due(w.session, w.now + 3 * DAY) == 1 and wishes.settle_due(w.session, w.now + 9 * DAY) == 0
    assert points.balance(w.session, w.m["volunteer"].id) == 16


def test_the_poster_sends_an_unfulfilled_wish_back_and_nothing_is_paid_for_it(cw, people):
    wish, thanks = claimed_and_fulfilled(cw, people)
    assert thanks.labels == ["谢谢 ❤", "还没实现"]
    assert cw.press(people.r_li, thanks, "还没实现") == [] and cw.last_answer.alert  # not the poster
    out = cw.press(people.r_wang, thanks, "还没实现")
    with cw.db.session() as s:
        assert s.get(Wish, wish.id).status == "claimed" and s.get(Wish, wish.id).fulfilled_at is None
    (back,) = [m for m in out if m.chat_id == people.vol1]
    assert "还没实现" in back.text and back.labels == ["已实现", "放弃认领"]
    with cw.db.transaction() as s:
        assert wishes.settle_due(s, cw.clock.now() + 5 * DAY) == 0
    assert wish_points(cw.db, wish.id) == []
    # really done this time; the poster lets it stand: paid once, after the quiet days
    cw.later(days=1)
    out = cw.press(people.vol1, back, "已实现")
    again = next(m for m in out if m.chat_id == SUNSHINE and "还没实现" in m.labels)
    with cw.db.transaction() as s:
        assert wishes.settle_due(s, cw.clock.now() + 3 * DAY) == 1
    assert wish_points(cw.db, wish.id) == [("wish_fulfilled", 8)]
    # booked: sending it back now is refused, the points stand
    cw.press(people.r_wang, again, "还没实现")
    assert "积分已记" in cw.last_answer.text
    with cw.db.session() as s:
        assert s.get(Wish, wish.id).status == "fulfilled"
