"""Issue 9, finding 4 — a bound group could be taken over by another community's office admin
with /bind, silently. Replayed through the stand-in; the command line needs --force."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from tests.rendered import html_of
from sqlmodel import select

from bot.demo import data as demo_data
from bot.places import groups
from bot.infra.errors import InvalidInput, NotAllowed
from models import ChatGroup, Community, Member, OutboxMessage
from tests.chat.live import live_bot
from tests import ids

SUNSHINE = demo_data.GROUP_SUNSHINE  # 阳光花园居民群, bound to 白庙社区


def office_of(db, community: str) -> Member:
    with db.session() as s:
        c = s.exec(select(Community).where(Community.name == community)).one()
        return ids.with_telegram(s, s.exec(select(Member).where(Member.community_id == c.id, Member.is_office_admin)).first())


def bound_community(db, chat_id: int) -> str:
    with db.session() as s:
        return s.get(Community, s.get(ChatGroup, ids.known_chat(s, chat_id)).community_id).name


async def test_another_communitys_office_admin_cannot_rebind_and_the_owning_office_is_told(demo, parser):
    db, _ = demo
    intruder, owner = office_of(db, "月亮湖社区"), office_of(db, "白庙社区")
    async with live_bot(db, parser) as live:
        sc = live.sc
        await sc.add_member(SUNSHINE, intruder.chat_user_id)  # added to the group
        await sc.send_text(intruder.chat_user_id, SUNSHINE, "/bind 月亮湖社区")
        refused = await sc.wait_for_message(SUNSHINE)
        assert "只有该社区红管家工作室的管理员可以更改" in refused["text"] and "白庙社区" in refused["text"]
        assert bound_community(db, SUNSHINE) == "白庙社区"
        told = await sc.wait_for_message(owner.chat_user_id, lambda m: "试图改绑" in m["text"])
        assert intruder.name in told["text"] and "/bind 月亮湖社区" in told["text"]
        for _ in range(3):  # insisting changes nothing and does not flood the office
            await sc.send_text(intruder.chat_user_id, SUNSHINE, "/bind 月亮湖社区 第一网格")
            await sc.wait_for_message(SUNSHINE, lambda m: "只有该社区" in m["text"])
        with db.session() as s:
            assert len(s.exec(select(OutboxMessage).where(OutboxMessage.chat_id == ids.known_chat(s, owner.chat_user_id),
                                                          OutboxMessage.ref == "group-binding")).all()) == 1
        # reports from the group still go to 白庙社区's people
        await sc.send_text(intruder.chat_user_id, SUNSHINE, "4栋单元门坏了关不上，外人随便进出")
        card = await sc.wait_for_message(SUNSHINE, lambda m: "已记录" in m["text"])
        assert "阳光花园4栋" in card["text"] and live.newest().community_id != intruder.community_id
        # the owning office may still change it within its community
        await sc.send_text(owner.chat_user_id, SUNSHINE, "/bind 白庙社区 第二网格")
        assert "第二网格" in (await sc.wait_for_message(SUNSHINE, lambda m: "已绑定" in m["text"]))["text"]


def test_rebinding_in_the_core_is_for_the_owning_office_and_is_told(demo, clock):
    db, _ = demo
    intruder, owner = office_of(db, "月亮湖社区"), office_of(db, "白庙社区")
    with db.transaction() as s:
        with pytest.raises(NotAllowed):
            groups.bind(s, ids.chat(s, SUNSHINE), community_name="月亮湖社区", by=s.get(Member, intruder.id), now=clock.now())
        with pytest.raises(InvalidInput, match="--force"):
            groups.bind(s, ids.chat(s, SUNSHINE), community_name="月亮湖社区", now=clock.now())
        groups.bind(s, ids.chat(s, SUNSHINE), community_name="白庙社区", compound_name="阳光花园", now=clock.now())  # unchanged
        assert s.exec(select(OutboxMessage).where(OutboxMessage.ref == "group-binding")).all() == []
        groups.bind(s, ids.chat(s, SUNSHINE), community_name="月亮湖社区", force=True, now=clock.now())
        (notice,) = s.exec(select(OutboxMessage).where(OutboxMessage.ref == "group-binding")).all()
        assert ids.telegram_chat(s, notice.chat_id) == owner.chat_user_id and "--force" in html_of(notice) and "月亮湖社区" in html_of(notice)


def test_the_command_line_refuses_to_rebind_without_force(tmp_path):
    env = {**os.environ, "HGJ_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}

    def hgj(*args):
        return subprocess.run([sys.executable, "-m", "bot.cli", *args], capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=120)

    assert hgj("bind-group", "-100555", "--community", "白庙社区").returncode == 1  # no such community yet
    assert hgj("demo-data").returncode == 0
    refused = hgj("bind-group", str(SUNSHINE), "--community", "月亮湖社区")
    assert refused.returncode == 1 and "已绑定到 白庙社区" in refused.stderr and "--force" in refused.stderr
    forced = hgj("bind-group", str(SUNSHINE), "--community", "月亮湖社区", "--force")
    assert forced.returncode == 0 and "月亮湖社区" in forced.stdout
