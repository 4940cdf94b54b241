"""A member's card in /my: role, 职务 and 单位 as the office's roster has them; the member number
only in their private chat."""

from __future__ import annotations

import csv

from bot.members.roster import import_roster

from .conftest import SUNSHINE


def test_my_shows_the_unit_and_position_from_the_roster(cw, people, tmp_path):
    path = tmp_path / "r.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([
            ["姓名", "联系电话", "角色", "所属社区", "所在网格", "工作单位", "职务"],
            ["陈静", "13907240005", "网格员", "白庙社区", "第一网格", "白庙社区居委会<党群服务中心>", "网格长"],
            ["张建国", "13907240001", "包联区领导", "白庙社区", "", "区政府办", "副区长"],
        ])
    with cw.db.transaction() as s:
        assert import_roster(s, path, now=cw.clock.now()).updated == 2

    (private,) = cw.say(people.gm1, people.gm1, "/my")
    card = private.text.split("\n\n")[0]
    assert "<b>陈静</b>（网格员） · 网格长 · 白庙社区居委会&lt;党群服务中心&gt;" in card
    assert "白庙社区 第一网格 · 编号 3-" in card

    (in_group,) = cw.say(people.gm1, SUNSHINE, "/my")
    assert "白庙社区居委会&lt;党群服务中心&gt;" in in_group.text and "编号" not in in_group.text

    (leader,) = cw.say(people.leader, people.leader, "/my")
    assert "<b>张建国</b>（包联区领导） · 副区长 · 区政府办" in leader.text
    assert "编号 1-001-000-" in leader.text  # a leader's unit is shown, not put into the number
