"""Red team (finding 8, points cannot be farmed): anyone could publish a task and join it
themselves — 2 points a task, as many tasks as they liked, nobody checking. Joining one's own
task still counts one in; it earns nothing. Others who join earn their 2 points, once."""

from __future__ import annotations

from sqlmodel import select

from models import Member, PointsEntry
from tests.chat.conftest import SUNSHINE, conversation, cw, demo, demo_template, parser, people  # noqa: F401
from tests import ids


def task_points(cw, user_id: int) -> int:
    with cw.db.session() as s:
        member = ids.member_of(s, user_id)
        return sum(e.delta for e in s.exec(select(PointsEntry).where(
            PointsEntry.member_id == member.id, PointsEntry.rule_code == "task_joined")))


def test_joining_ones_own_tasks_earns_nothing(cw, people):
    before = task_points(cw, people.vol1)
    for n in range(5):
        (published,) = cw.say(people.vol1, SUNSHINE, f"/task 打扫{n + 1}号楼道")
        cw.press(people.vol1, published, "参加")
        assert cw.last_answer.text.startswith("已报名")
    assert task_points(cw, people.vol1) == before
    others = task_points(cw, people.vol2)
    cw.press(people.vol2, published, "参加")
    assert task_points(cw, people.vol2) == others + 2
