"""Urgency decides handling before intent (issue 10): what the parser calls urgent is filed as an
urgent issue through the conversation — a plea for a neighbour's help too — and an address
number that reads like an emergency number is not an emergency."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.nlu.decision import decide
from models import Issue, OutboxMessage, PendingQuestion, Wish
from tests.conftest import TZ

from .conftest import SUNSHINE


def _issues(cw) -> list[Issue]:
    with cw.db.session() as s:
        return list(s.exec(select(Issue).order_by(Issue.id)).all())


def _wishes(cw) -> list[Wish]:
    with cw.db.session() as s:
        return list(s.exec(select(Wish)).all())


def test_a_plea_for_help_at_night_is_an_urgent_issue_with_everyone_alerted_at_once(cw, people):
    cw.clock.set(datetime(2026, 11, 28, 23, 40, tzinfo=TZ))  # quiet hours
    wishes_before, issues_before = len(_wishes(cw)), len(_issues(cw))
    text = "我爸在卫生间摔倒了起不来，谁在附近快来帮把手，5栋2单元"
    out = cw.say(people.r_li, SUNSHINE, text)
    assert len(_wishes(cw)) == wishes_before  # not posted to the wall as a wish
    (issue,) = _issues(cw)[issues_before:]
    assert issue.urgent and issue.category == "safety"
    (reply,) = [m for m in out if m.chat_id == SUNSHINE]
    assert "紧急" in reply.text and "120" in reply.text and "夜间不打扰" not in reply.text
    with cw.db.session() as s:
        alerts = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "alert",
                                                    OutboxMessage.ref == f"issue:{issue.id}")).all()
        asked = s.exec(select(PendingQuestion)).all()
    assert alerts and all(a.next_attempt_at <= cw.clock.now() for a in alerts)  # quiet hours ignored
    assert people.office in {m.chat_id for m in out}
    assert asked == []


def test_a_two_character_cry_for_help_is_not_passed_over_as_short_talk(cw, people):
    before = len(_issues(cw))
    out = cw.say(people.r_zhang, SUNSHINE, "救命！")
    (issue,) = _issues(cw)[before:]
    assert issue.urgent
    assert any("紧急" in m.text for m in out if m.chat_id == SUNSHINE)


def test_a_building_numbered_119_is_not_a_fire(cw, people):
    before = len(_issues(cw))
    out = cw.say(people.r_li, SUNSHINE, "6栋119室门口的单元门坏了关不上")
    (issue,) = _issues(cw)[before:]
    assert not issue.urgent and issue.category == "facility"
    assert not any("紧急" in m.text or "拨打" in m.text for m in out if m.chat_id == SUNSHINE)


def test_the_conversation_and_the_command_line_share_one_decision(cw, people, parser):
    # the decision ``hgj parse`` reports is what the conversation did
    for text, expected in (("大家早上好呀", "ignore"), ("4栋单元门坏了关不上，外人随便进出", "act")):
        parsed = parser.parse(text)
        assert decide(parsed, text, cw.settings.nlu_confidence).action == expected
        out = cw.say(people.r_li, SUNSHINE, text)
        assert bool(out) == (expected != "ignore")
