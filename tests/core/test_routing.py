"""Routing: who hears of a report, in order, with fallbacks up the hierarchy."""

from __future__ import annotations

import pytest

from bot.issues.routing import route
from models import MemberStatus, RoutingRule
from tests import ids
from tests.factories import build_world


@pytest.fixture
def w(any_db, clock):
    with any_db.transaction() as session:
        yield build_world(session, clock.now())


def names(stops):
    return [s.member.name for s in stops]


def r(w, category="facility", urgent=False, building=None, **kw):
    b = building or w.b3
    return route(w.session, community_id=w.community.id, category=category, urgent=urgent, building_id=b.id, **kw)


def test_building_head_then_grid_manager(w):
    assert names(r(w)) == ["bh3", "gm1"]
    assert names(r(w, building=w.b5)) == ["bh5", "gm2"]


def test_disputes_go_to_the_grids_mediators_too(w):
    assert names(r(w, "dispute")) == ["bh3", "gm1", "mediator1"]


def test_safety_and_urgent_also_reach_the_office(w):
    assert names(r(w, "safety")) == ["bh3", "gm1", "office"]
    assert names(r(w, "facility", urgent=True)) == ["bh3", "gm1", "office"]


def test_missing_building_head_falls_back_to_the_grid(w):
    w.m["bh3"].status = MemberStatus.left
    stops = r(w)
    assert names(stops) == ["gm1"]
    assert stops[0].reason == "网格员（楼栋长空缺）"


def test_empty_grid_falls_back_to_office_then_district_leader(w):
    for key in ("bh3", "gm1", "worker1"):
        w.m[key].status = MemberStatus.away
    stops = r(w)
    assert names(stops) == ["office"]
    assert "楼栋长空缺" in stops[0].reason
    ids.bind(w.session, w.m["office"], 8_004)
    assert names(r(w)) == ["office"]  # an account that can be written to: still named
    ids.set_unreachable(w.session, w.m["office"])  # the sender found it blocked the bot
    assert names(r(w)) == ["leader"]


def test_without_a_building_the_grid_manager_comes_first(w):
    stops = route(w.session, community_id=w.community.id, category="noise", grid_id=w.grid2.id)
    assert names(stops) == ["gm2"]


def test_excluded_members_are_replaced_by_the_next_level(w):
    assert names(r(w, exclude={w.m["bh3"].id})) == ["gm1"]


def test_a_communitys_own_rules_replace_the_defaults(w):
    w.session.add(RoutingRule(community_id=w.community.id, category="*", target="office", priority=1))
    w.session.add(RoutingRule(community_id=w.community.id, category="parking", target="grid_manager", priority=2))
    w.session.flush()
    assert names(r(w, "facility")) == ["office"]
    assert names(r(w, "parking")) == ["office", "gm1"]
    other = route(w.session, community_id=w.other_community.id, category="facility")
    assert names(other) == ["outsider"]  # defaults still apply elsewhere: nobody but the office
