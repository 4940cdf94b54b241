"""Every issue transition, allowed and refused, with its event trail and points."""

from __future__ import annotations

import pytest

from bot.issues import service as issues
from bot.points import service as points
from bot.infra.errors import InvalidInput, InvalidTransition, NotAllowed
from models import IssueStatus as S
from tests.factories import build_world


@pytest.fixture
def w(any_db, clock):
    with any_db.transaction() as session:
        yield build_world(session, clock.now())


def trail(w, issue):
    return [(e.action, e.from_status, e.to_status) for e in issues.events(w.session, issue)]


# --- accept ------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["gm1", "worker1", "office", "bh3"])
def test_handlers_of_the_place_may_accept(w, who):
    issue = w.report()
    event = issues.accept(w.session, issue, w.actor(who), now=w.now)
    assert issue.status == S.accepted and issue.accepted_at == w.now
    assert (event.from_status, event.to_status, event.actor_member_id) == (S.reported, S.accepted, w.m[who].id)


@pytest.mark.parametrize(
    "who, reason",
    [
        ("gm2", "本网格"),  # grid manager of another grid
        ("bh5", "本楼"),  # building head of another building
        ("volunteer", "本网格"),
        ("council", "本网格"),  # council member without the mediator title
        ("mediator1", "纠纷"),  # mediators only take disputes
        ("outsider", "不属于你所在的社区"),
        ("resident", "/bind"),  # a resident who is not a member
    ],
)
def test_others_may_not_accept_and_are_told_why(w, who, reason):
    issue = w.report()
    with pytest.raises(NotAllowed, match=reason):
        issues.accept(w.session, issue, w.actor(who), now=w.now)
    assert issue.status == S.reported
    assert trail(w, issue) == [("report", None, S.reported)]


def test_mediator_may_accept_a_dispute_in_their_grid(w):
    issue = w.report("3栋两家因为漏水吵起来了", category="dispute")
    issues.accept(w.session, issue, w.actor("mediator1"), now=w.now)
    assert issue.status == S.accepted


def test_accept_twice_is_refused_with_the_state(w):
    issue = w.report()
    issues.accept(w.session, issue, w.actor("gm1"), now=w.now)
    with pytest.raises(InvalidTransition, match="已受理"):
        issues.accept(w.session, issue, w.actor("gm1"), now=w.now)


# --- reject ------------------------------------------------------------------------------

def test_reject_needs_a_reason_and_closes(w):
    issue = w.report()
    with pytest.raises(InvalidInput, match="理由"):
        issues.reject(w.session, issue, w.actor("gm1"), reason="  ", now=w.now)
    issues.reject(w.session, issue, w.actor("gm1"), reason="物业已在处理", now=w.now)
    assert issue.status == S.rejected and issue.closed_at == w.now
    assert issues.events(w.session, issue)[-1].note == "物业已在处理"


def test_volunteer_may_not_reject(w):
    issue = w.report()
    with pytest.raises(NotAllowed):
        issues.reject(w.session, issue, w.actor("volunteer"), reason="x", now=w.now)


# --- claim -------------------------------------------------------------------------------

def test_claiming_a_fresh_report_accepts_it_on_the_way(w):
    issue = w.report()
    issues.claim(w.session, issue, w.actor("bh3"), now=w.now)
    assert issue.status == S.claimed and issue.handler_id == w.m["bh3"].id
    assert trail(w, issue) == [
        ("report", None, S.reported),
        ("accept", S.reported, S.accepted),
        ("claim", S.accepted, S.claimed),
    ]


@pytest.mark.parametrize("who", ["leader", "cadre"])
def test_district_leaders_and_unit_cadres_may_claim_hard_cases(w, who):
    issue = w.report()
    issues.accept(w.session, issue, w.actor("gm1"), now=w.now)
    issues.claim(w.session, issue, w.actor(who), now=w.now)
    assert issue.handler_id == w.m[who].id


@pytest.mark.parametrize("who", ["volunteer", "gm2", "resident"])
def test_others_may_not_claim(w, who):
    issue = w.report()
    with pytest.raises(NotAllowed):
        issues.claim(w.session, issue, w.actor(who), now=w.now)
    assert issue.status == S.reported


def test_a_resolved_issue_cannot_be_claimed(w):
    issue = w.report()
    issues.claim(w.session, issue, w.actor("gm1"), now=w.now)
    issues.resolve(w.session, issue, w.actor("gm1"), now=w.now)
    with pytest.raises(InvalidTransition, match="已解决待确认"):
        issues.claim(w.session, issue, w.actor("bh3"), now=w.now)


# --- resolve, confirm, reopen ------------------------------------------------------------

def test_full_path_to_confirmed_books_every_points_rule_once(w):
    issue = w.report(by="volunteer")  # a member reporting earns points when it is accepted
    issues.accept(w.session, issue, w.actor("gm1"), now=w.now)
    issues.claim(w.session, issue, w.actor("bh3"), now=w.now)
    issues.resolve(w.session, issue, w.actor("bh3"), note="换了灯泡", now=w.now)
    issues.confirm(w.session, issue, w.actor("volunteer"), now=w.now)
    assert issue.status == S.confirmed and issue.closed_at == w.now
    assert issue.resolution_note == "换了灯泡"
    assert points.balance(w.session, w.m["volunteer"].id) == 5 + 2  # reported + confirmed
    assert points.balance(w.session, w.m["bh3"].id) == 3 + 10  # claimed + resolved
    assert [a for a, _, _ in trail(w, issue)] == ["report", "accept", "claim", "resolve", "confirm"]


def test_only_the_claimer_or_the_grid_may_resolve(w):
    issue = w.report()
    issues.claim(w.session, issue, w.actor("cadre"), now=w.now)
    with pytest.raises(NotAllowed, match="领办人"):
        issues.resolve(w.session, issue, w.actor("volunteer"), now=w.now)
    with pytest.raises(NotAllowed):
        issues.resolve(w.session, issue, w.actor("leader"), now=w.now)
    issues.resolve(w.session, issue, w.actor("cadre"), now=w.now)
    assert issue.status == S.resolved


def test_resolve_before_accept_is_refused(w):
    issue = w.report()
    with pytest.raises(InvalidTransition, match="待受理"):
        issues.resolve(w.session, issue, w.actor("gm1"), now=w.now)


@pytest.mark.parametrize("who", ["neighbour", "gm1", "bh3"])
def test_only_the_reporter_confirms_or_reopens(w, who):
    issue = w.report()
    issues.claim(w.session, issue, w.actor("bh3"), now=w.now)
    issues.resolve(w.session, issue, w.actor("bh3"), now=w.now)
    with pytest.raises(NotAllowed, match="反映人"):
        issues.confirm(w.session, issue, w.actor(who), now=w.now)
    with pytest.raises(NotAllowed, match="反映人"):
        issues.reopen(w.session, issue, w.actor(who), now=w.now)
    assert issue.status == S.resolved


def test_reopen_goes_back_to_the_same_handler_and_points_are_not_booked_twice(w):
    issue = w.report()
    issues.claim(w.session, issue, w.actor("bh3"), now=w.now)
    issues.resolve(w.session, issue, w.actor("bh3"), now=w.now)
    issues.reopen(w.session, issue, w.actor("resident"), note="又坏了", now=w.now)
    assert issue.status == S.reopened and issue.handler_id == w.m["bh3"].id
    assert issue.resolved_at is None
    # someone else cannot simply take it over...
    with pytest.raises(NotAllowed):
        issues.claim(w.session, issue, w.actor("cadre"), now=w.now)
    issues.claim(w.session, issue, w.actor("bh3"), now=w.now)
    issues.resolve(w.session, issue, w.actor("bh3"), now=w.now)
    issues.confirm(w.session, issue, w.actor("resident"), now=w.now)
    assert points.balance(w.session, w.m["bh3"].id) == 13
    assert issues.events(w.session, issue)[4].note == "又坏了"


def test_confirm_is_refused_before_resolve(w):
    issue = w.report()
    with pytest.raises(InvalidTransition):
        issues.confirm(w.session, issue, w.actor("resident"), now=w.now)


# --- reassign ----------------------------------------------------------------------------

def test_grid_manager_reassigns_to_someone_who_may_handle_it(w):
    issue = w.report()
    issues.claim(w.session, issue, w.actor("bh3"), now=w.now)
    issues.reassign(w.session, issue, w.actor("gm1"), to=w.m["cadre"], now=w.now)
    assert issue.status == S.accepted and issue.handler_id == w.m["cadre"].id
    with pytest.raises(InvalidInput, match="不能处理"):
        issues.reassign(w.session, issue, w.actor("gm1"), to=w.m["volunteer"], now=w.now)


def test_building_head_may_not_reassign(w):
    issue = w.report()
    with pytest.raises(NotAllowed, match="转派"):
        issues.reassign(w.session, issue, w.actor("bh3"), to=w.m["gm1"], now=w.now)


# --- duplicates and 附议 ------------------------------------------------------------------

def test_merge_moves_reporters_to_the_original_and_raises_the_count(w):
    original = w.report("3栋楼道灯坏了")
    dup = w.report("3栋楼道黑漆漆的灯不亮", by="neighbour")
    issues.merge(w.session, dup, original, w.actor("gm1"), now=w.now)
    assert dup.status == S.duplicate and dup.merged_into_id == original.id
    assert original.affected == 2
    assert {f.resident_id for f in issues.followers(w.session, original)} == {w.r["resident"].id, w.r["neighbour"].id}
    # joining the duplicate joins the original
    joined, new = issues.support(w.session, dup, w.r["stranger"], now=w.now)
    assert joined.id == original.id and new and original.affected == 3


def test_support_counts_each_resident_once(w):
    issue = w.report()
    assert issues.support(w.session, issue, w.r["neighbour"], now=w.now)[1] is True
    assert issues.support(w.session, issue, w.r["neighbour"], now=w.now)[1] is False
    assert issues.support(w.session, issue, w.r["resident"], now=w.now)[1] is False  # the reporter
    assert issue.affected == 2


def test_merge_into_itself_or_a_closed_issue_is_refused(w):
    a, b = w.report(), w.report(by="neighbour")
    with pytest.raises(InvalidInput):
        issues.merge(w.session, a, a, w.actor("gm1"), now=w.now)
    issues.reject(w.session, b, w.actor("gm1"), reason="重复", now=w.now)
    with pytest.raises(InvalidInput, match="已经结束"):
        issues.merge(w.session, a, b, w.actor("gm1"), now=w.now)


def test_codes_print_and_parse():
    assert issues.code(42) == "Q42"
    assert issues.parse_code("#q42") == 42 and issues.parse_code("42") == 42
    assert issues.parse_code("abc") is None
