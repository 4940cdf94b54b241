"""Red team: a member who left kept some of their rights in the chat.

Their chat account stays theirs when they leave (status ``left``), and most actions check that
(issues, wishes, rotas, /web, invitations, rebinding a bound group) — but an office admin who had
left still bound a new group to the community with ``/bind 白庙社区``, and read the funnel with
/stats. And /stats of one community's manager, written in another community's group, printed
their own community's figures there."""

from __future__ import annotations

from sqlmodel import select

from models import ChatGroup, Member, MemberStatus
from tests.chat.conftest import JINGUI, SUNSHINE, conversation, cw, demo, demo_template, parser, people  # noqa: F401
from tests import ids

NEW_GROUP = -100_555_000_111


def leave(cw, user_id: int) -> None:
    with cw.db.transaction() as s:
        member = ids.member_of(s, user_id)
        member.status = MemberStatus.left
        s.add(member)


def test_an_office_admin_who_left_binds_no_group_and_reads_no_stats(cw, people):
    leave(cw, people.office)
    assert cw.say(people.office, NEW_GROUP, "/bind 白庙社区") == []  # as silent as for anyone else there
    with cw.db.session() as s:
        assert s.get(ChatGroup, ids.known_chat(s, NEW_GROUP)) is None
    (refused,) = cw.say(people.office, SUNSHINE, "/bind 白庙社区 阳光花园")
    assert "只有社区红管家工作室的管理员" in refused.text
    (answer,) = cw.say(people.office, people.office, "/stats")
    assert "只对社区工作人员" in answer.text and "收集" not in answer.text
    # an office admin who has not left still binds
    (bound,) = cw.say(people.y_office, NEW_GROUP, "/bind 月亮湖社区")
    assert "本群已绑定到 月亮湖社区" in bound.text


def test_stats_show_no_community_in_another_communitys_group(cw, people):
    (answer,) = cw.say(people.y_office, SUNSHINE, "/stats")
    assert "收集" not in answer.text and "其他社区" in answer.text
    (own,) = cw.say(people.office, SUNSHINE, "/stats")
    assert "白庙社区" in own.text and "收集" in own.text
    (private,) = cw.say(people.y_office, people.y_office, "/stats")
    assert "月亮湖社区" in private.text
