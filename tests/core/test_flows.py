"""The lifecycle flows in the core, without any chat: each transition decides who hears of it
(the reporter or poster, followers, members, groups) and which earlier cards change — as data a
chat, the web desk or an API turns into messages alike."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.infra.config import Settings
from bot.infra.errors import NotAllowed
from bot.issues import flows
from bot.issues.lifecycle import Actor
from bot.members import service as members
from bot.messages import Outgoing
from bot.outbox import enqueue
from bot.wishes import flows as wish_flows
from bot.wishes import service as wishes
from models import ChatGroup, IssueStatus, WishStatus
from tests.conftest import TZ
from tests import ids
from tests.factories import build_world

GROUP, OTHER_GROUP = -100_1, -100_2


@pytest.fixture
def w(any_db, clock):
    with any_db.transaction() as session:
        world = build_world(session, clock.now())
        # the groups' chat keys (the tests name them by their Telegram ids, GROUP and OTHER_GROUP)
        world.group, world.other_group = ids.chat(session, GROUP), ids.chat(session, OTHER_GROUP)
        for chat_id in (world.group, world.other_group):
            session.add(ChatGroup(chat_id=chat_id, community_id=world.community.id, grid_id=world.grid1.id))
        # members with a chat account, as after /bind
        for n, key in enumerate(("gm1", "bh3", "worker1", "volunteer", "office")):
            ids.bind(session, world.m[key], 7000 + n)
        session.flush()
        yield world


def sent(w, chat_id: int, message_id: str, *, ref: str, kind: str, buttons=None) -> None:
    """A message the sender delivered earlier (it has a platform message id now)."""
    row = enqueue(w.session, Outgoing(chat_id=chat_id, text="…", kind=kind, ref=ref, buttons=buttons or []),
                  now=w.now)
    row.sent_message_id = message_id
    w.session.flush()


def private_of(w, key: str) -> int:
    """The chat key of a member's private chat: on Telegram the chat with their account's number."""
    return ids.known_chat(w.session, ids.member_telegram_id(w.session, w.m[key]))


def filed(w, *, by="resident", text="3栋楼道灯坏了") -> flows.Filed:
    reporter = w.r[by] if by in w.r else members.resident_for_member(w.session, w.m[by], now=w.now)
    found = flows.report(w.session, reporter=reporter, community_id=w.community.id, text=text, now=w.now,
                         settings=Settings(_env_file=None), category="facility", building=w.b3,
                         source_chat_id=w.group, source_message_id="11")
    ref = flows.ref_of(found.issue)
    sent(w, w.group, "12", ref=ref, kind="reply")  # the residents' card under the report
    for n, (chat_id, _member) in enumerate(found.alerts.private):
        sent(w, chat_id, str(100 + n), ref=ref, kind="alert")  # each handler's card
    return found


# --- issues ------------------------------------------------------------------------------------


def test_resolving_asks_the_reporter_to_confirm_and_refreshes_the_routes_cards(w):
    f = filed(w, by="volunteer")  # a member reports: they hear of it privately too
    issue = f.issue
    flows.claim(w.session, issue, w.m["gm1"], now=w.now)
    changed = flows.resolve(w.session, issue, w.m["gm1"], now=w.now, note="换了灯泡", photo="photo-1")
    assert issue.status == IssueStatus.resolved and changed.event == "resolve" and changed.actor == w.m["gm1"]
    assert changed.ask_reporter and changed.note == "换了灯泡" and changed.photo == "photo-1"
    assert changed.group == (w.group, "11")  # under the original report in its group
    assert [(n.chat_id, n.reporter) for n in changed.followers] == [(private_of(w, "volunteer"), True)]
    private = {chat for chat, _ in f.alerts.private}
    assert private and {(c.chat_id, c.kind) for c in changed.cards} == (
        {(w.group, "reply")} | {(chat, "alert") for chat in private})
    assert changed.alerts is None and changed.handler is None


def test_the_actor_hears_nothing_of_their_own_change(w):
    issue = filed(w, by="gm1").issue  # the grid manager reported it and accepts it
    changed = flows.accept(w.session, issue, w.m["gm1"], now=w.now)
    assert issue.status == IssueStatus.accepted
    assert changed.followers == []
    assert changed.group == (w.group, "11")


def test_a_refused_transition_changes_nothing_and_decides_nothing(w):
    issue = filed(w).issue
    with pytest.raises(NotAllowed):
        flows.accept(w.session, issue, w.m["volunteer"], now=w.now)
    assert issue.status == IssueStatus.reported


def test_reassigning_alerts_the_new_handler_privately(w):
    issue = filed(w).issue
    changed = flows.reassign(w.session, issue, w.m["gm1"], to=w.m["worker1"], now=w.now)
    assert issue.handler_id == w.m["worker1"].id and changed.target == w.m["worker1"]
    assert changed.alerts.private == [(private_of(w, "worker1"), w.m["worker1"])]
    assert changed.alerts.not_before is None  # a handover is not held for quiet hours


def test_reassigning_to_someone_without_a_chat_names_them_in_the_grids_groups(w):
    issue = filed(w).issue
    changed = flows.reassign(w.session, issue, w.m["gm1"], to=w.m["cadre"], now=w.now)
    assert changed.alerts.private == [] and changed.alerts.unreached == [w.m["cadre"]]
    assert sorted(changed.alerts.group_chats) == sorted([w.group, w.other_group])


def test_the_reporter_confirming_thanks_the_handler_and_skips_the_group_they_answered_in(w):
    issue = filed(w).issue
    flows.claim(w.session, issue, w.m["gm1"], now=w.now)
    flows.resolve(w.session, issue, w.m["gm1"], now=w.now)
    changed = flows.confirm(w.session, issue, Actor(resident=w.r["resident"]), now=w.now, answered_in=w.group)
    assert issue.status == IssueStatus.confirmed
    assert changed.handler == (private_of(w, "gm1"), w.m["gm1"])
    assert changed.group is None  # the button they pressed there now says it
    assert changed.cards  # the cards lose their buttons


def test_reopening_gives_the_issue_back_to_its_handler_with_the_card(w):
    issue = filed(w).issue
    flows.claim(w.session, issue, w.m["bh3"], now=w.now)
    flows.resolve(w.session, issue, w.m["bh3"], now=w.now)
    changed = flows.reopen(w.session, issue, Actor(resident=w.r["resident"]), now=w.now,
                           settings=Settings(_env_file=None), answered_in=5001)
    assert issue.status == IssueStatus.reopened and changed.event == "reopen"
    assert changed.alerts.private == [(private_of(w, "bh3"), w.m["bh3"])]
    assert changed.group == (w.group, "11")  # answered in private: the group hears it


def test_supporting_names_the_cards_that_show_the_count(w):
    issue = filed(w).issue
    supported = flows.support(w.session, issue, w.r["neighbour"], now=w.now)
    assert supported.new and supported.issue.affected == 2 and (w.group, "12", "reply") in {
        (c.chat_id, c.message_id, c.kind) for c in supported.cards}
    assert not flows.support(w.session, issue, w.r["neighbour"], now=w.now).new


def test_a_card_sent_twice_is_refreshed_once_and_edits_are_not_cards(w):
    issue = filed(w).issue
    ref = flows.ref_of(issue)
    sent(w, w.group, "12", ref=ref, kind="reply")
    row = enqueue(w.session, Outgoing(chat_id=w.group, text="…", kind="card", ref=ref, edit_message_id="12"), now=w.now)
    row.sent_message_id = "12"
    cards = flows.cards_of(w.session, issue)
    assert [(c.chat_id, c.message_id) for c in cards].count((w.group, "12")) == 1
    assert all(c.kind in ("reply", "alert") for c in cards)


# --- wishes ------------------------------------------------------------------------------------


def posted(w, *, by="resident") -> wish_flows.Posted:
    poster = w.r[by] if by in w.r else members.resident_for_member(w.session, w.m[by], now=w.now)
    return wish_flows.post(w.session, poster=poster, community_id=w.community.id, text="想请人帮忙买菜",
                           now=w.now, category="errand", building=w.b3, source_chat_id=w.group,
                           source_message_id="21")


def test_posting_a_wish_puts_it_on_the_wall_and_in_the_grids_other_groups(w):
    p = posted(w)
    assert p.wish.status == WishStatus.posted
    assert p.wish in wishes.wall(w.session, w.community.id)
    assert p.groups == [w.other_group]  # the group it was written in gets the reply instead


def test_an_unknown_wish_category_becomes_other(w):
    p = wish_flows.post(w.session, poster=w.r["resident"], community_id=w.community.id, text="帮忙", now=w.now,
                        category="<b>", grid_id=w.grid2.id)
    assert p.wish.category == "other" and p.wish.grid_id == w.grid2.id and p.groups == []


def test_claiming_tells_the_poster_under_the_wish_and_gives_the_claimer_a_card(w):
    wish = posted(w, by="worker1").wish  # a member's wish: they hear of it privately too
    sent(w, w.group, "22", ref=wish_flows.ref_of(wish), kind="reply", buttons=[])
    changed = wish_flows.claim(w.session, wish, w.m["volunteer"], now=w.now)
    assert wish.status == WishStatus.claimed
    assert changed.group == (w.group, "21")
    assert changed.poster == (private_of(w, "worker1"), w.m["worker1"].id)
    assert changed.claimer == (private_of(w, "volunteer"), w.m["volunteer"].id)


def test_the_cards_to_refresh_are_those_with_a_claim_button(w):
    from bot.messages import Action, Button

    wish = posted(w).wish
    ref = wish_flows.ref_of(wish)
    sent(w, w.group, "22", ref=ref, kind="reply", buttons=[[Button("我来认领", Action("w", "claim", wish.id))]])
    sent(w, w.other_group, "23", ref=ref, kind="notice", buttons=[[Button("我来认领", Action("w", "claim", wish.id))]])
    sent(w, w.group, "24", ref=ref, kind="notice")  # a plain notice: nothing to take away
    changed = wish_flows.claim(w.session, wish, w.m["volunteer"], now=w.now)
    assert changed.cards == [wish_flows.Card(w.group, "22"), wish_flows.Card(w.other_group, "23")]
    assert changed.poster is None  # the poster is no member: the group reply is how they hear


def test_fulfil_then_not_done_goes_back_to_the_claimer_and_thanks_reach_the_claimer(w):
    wish = posted(w).wish
    wish_flows.claim(w.session, wish, w.m["volunteer"], now=w.now)
    done = wish_flows.fulfil(w.session, wish, w.m["volunteer"], now=w.now)
    assert done.group == (w.group, "21") and done.claimer is None  # the poster is asked, not the claimer
    poster = Actor(resident=w.r["resident"])
    back = wish_flows.reopen(w.session, wish, poster, now=w.now)
    assert wish.status == WishStatus.claimed and back.claimer == (private_of(w, "volunteer"), w.m["volunteer"].id)
    assert back.group is None
    wish_flows.fulfil(w.session, wish, w.m["volunteer"], now=w.now)
    thanked = wish_flows.thank(w.session, wish, poster, now=w.now)
    assert wish.status == WishStatus.thanked and thanked.claimer[1] == w.m["volunteer"].id and thanked.cards == []


def test_withdrawing_takes_it_off_the_wall_and_tells_the_claimer(w):
    wish = posted(w).wish
    wish_flows.claim(w.session, wish, w.m["volunteer"], now=w.now)
    changed = wish_flows.withdraw(w.session, wish, Actor(resident=w.r["resident"]), now=w.now)
    assert wish.status == WishStatus.withdrawn and wish not in wishes.wall(w.session, w.community.id)
    assert changed.claimer == (private_of(w, "volunteer"), w.m["volunteer"].id)


def test_only_the_poster_may_withdraw(w):
    wish = posted(w).wish
    with pytest.raises(NotAllowed):
        wish_flows.withdraw(w.session, wish, Actor(resident=w.r["neighbour"]), now=w.now)
    assert wish.status == WishStatus.posted


def test_an_unreachable_claimer_is_not_written_to(w):
    wish = posted(w).wish
    ids.set_unreachable(w.session, w.m["volunteer"])
    changed = wish_flows.claim(w.session, wish, w.m["volunteer"], now=w.now)
    assert changed.claimer is None


def test_a_reopen_to_its_handler_at_night_is_not_held_for_quiet_hours(w):
    issue = filed(w).issue
    flows.claim(w.session, issue, w.m["bh3"], now=w.now)
    flows.resolve(w.session, issue, w.m["bh3"], now=w.now)
    night = datetime(2026, 11, 28, 23, 30, tzinfo=TZ)
    changed = flows.reopen(w.session, issue, Actor(resident=w.r["resident"]), now=night,
                           settings=Settings(_env_file=None))
    assert changed.alerts.not_before is None
