"""Micro-wishes: posted → claimed → fulfilled → thanked, withdrawn, expired."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.points import service as points
from bot.wishes import service as wishes
from bot.infra.errors import InvalidInput, InvalidTransition, NotAllowed
from models import WishStatus as S
from tests.factories import build_world


@pytest.fixture
def w(any_db, clock):
    with any_db.transaction() as session:
        yield build_world(session, clock.now())


def test_a_volunteer_claims_fulfils_and_is_thanked_with_points(w):
    wish = w.wish()
    wishes.claim(w.session, wish, w.actor("volunteer"), now=w.now)
    assert wish.status == S.claimed and wish.claimer_id == w.m["volunteer"].id
    wishes.fulfil(w.session, wish, w.actor("volunteer"), note="菜送到了", now=w.now)
    wishes.thank(w.session, wish, w.actor("resident"), note="谢谢小郑！", now=w.now)
    assert wish.status == S.thanked and wish.thanks_note == "谢谢小郑！"
    assert points.balance(w.session, w.m["volunteer"].id) == 8


def test_any_member_may_claim_but_a_plain_resident_may_not(w):
    wish = w.wish()
    with pytest.raises(NotAllowed, match="志愿者"):
        wishes.claim(w.session, wish, w.actor("neighbour"), now=w.now)
    wishes.claim(w.session, wish, w.actor("bh3"), now=w.now)
    with pytest.raises(InvalidTransition, match="已认领"):
        wishes.claim(w.session, wish, w.actor("volunteer2"), now=w.now)


def test_no_one_claims_their_own_wish(w):
    w.r["own"] = __import__("bot.members.service", fromlist=["x"]).resident_for_member(w.session, w.m["volunteer"], now=w.now)
    wish = w.wish(by="own")
    with pytest.raises(NotAllowed, match="自己"):
        wishes.claim(w.session, wish, w.actor("volunteer"), now=w.now)


def test_a_member_of_another_community_may_not_claim(w):
    wish = w.wish()
    with pytest.raises(NotAllowed, match="社区"):
        wishes.claim(w.session, wish, w.actor("outsider"), now=w.now)


def test_only_the_claimer_fulfils_and_only_the_poster_thanks(w):
    wish = w.wish()
    wishes.claim(w.session, wish, w.actor("volunteer"), now=w.now)
    with pytest.raises(NotAllowed):
        wishes.fulfil(w.session, wish, w.actor("volunteer2"), now=w.now)
    wishes.fulfil(w.session, wish, w.actor("volunteer"), now=w.now)
    with pytest.raises(NotAllowed):
        wishes.thank(w.session, wish, w.actor("neighbour"), now=w.now)
    assert wish.status == S.fulfilled


def test_release_puts_it_back_on_the_wall(w):
    wish = w.wish()
    wishes.claim(w.session, wish, w.actor("volunteer"), now=w.now)
    wishes.release(w.session, wish, w.actor("volunteer"), now=w.now)
    assert wish.status == S.posted and wish.claimer_id is None
    assert wish in wishes.wall(w.session, w.community.id)


def test_withdraw_by_the_poster_and_not_after_fulfilment(w):
    wish = w.wish()
    with pytest.raises(NotAllowed):
        wishes.withdraw(w.session, wish, w.actor("volunteer"), now=w.now)
    wishes.withdraw(w.session, wish, w.actor("resident"), now=w.now)
    assert wish.status == S.withdrawn
    done = w.wish()
    wishes.claim(w.session, done, w.actor("volunteer"), now=w.now)
    wishes.fulfil(w.session, done, w.actor("volunteer"), now=w.now)
    with pytest.raises(InvalidTransition):
        wishes.withdraw(w.session, done, w.actor("resident"), now=w.now)


def test_unclaimed_wishes_expire_and_claimed_ones_do_not(w):
    old, taken = w.wish("a"), w.wish("b")
    wishes.claim(w.session, taken, w.actor("volunteer"), now=w.now)
    assert wishes.expire_due(w.session, now=w.now + timedelta(days=29)) == []
    assert wishes.expire_due(w.session, now=w.now + timedelta(days=30)) == [old]
    assert old.status == S.expired and taken.status == S.claimed


def test_empty_wish_is_refused(w):
    with pytest.raises(InvalidInput):
        w.wish("   ")
