"""iCalendar feeds (core) and the rota routes a web app includes (FastAPI, no server needed)."""

from __future__ import annotations

import pytest
from tests.rendered import html_of
from fastapi.testclient import TestClient
from icalendar import Calendar

from bot.infra.config import Settings
from bot.rotas import ical

from .conftest import make_rota
from tests import ids


def test_member_and_rota_calendars(db, world, clock, settings):
    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now())
        body = ical.member_calendar(s, world.m["张三"], now=clock.now())
        rota_body = ical.rota_calendar(s, rota, now=clock.now())
        token = ical.member_token(s, world.m["张三"], now=clock.now())
        assert ical.member_token(s, world.m["张三"], now=clock.now()) == token  # stable
    cal = Calendar.from_ical(body)
    events = [c for c in cal.walk("VEVENT")]
    assert str(cal["X-WR-CALNAME"]) == "红管家·张三的班次"
    assert events[0]["SUMMARY"] == "巡逻·夜间巡逻"
    assert events[0].decoded("DTSTART").hour == 12  # 20:00 in Shanghai, stored and served as UTC
    assert "张三、李四" in events[0]["DESCRIPTION"]
    assert any("（后备）" in e["SUMMARY"] for e in events)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids) and uids[0].endswith("@hongguanjia")
    assert len(list(Calendar.from_ical(rota_body).walk("VEVENT"))) == settings.rota_horizon_days + 1


def make_client(db, clock, tmp_path, settings=None):
    from bot.web.app import create_app

    app = create_app(db, settings or Settings(_env_file=None), clock, secret_dir=tmp_path)
    return TestClient(app)


def login(world, clock, key):
    from sqlmodel import Session

    from bot.members import logins as access
    from models import Member

    with Session(world.session.get_bind()) as session:  # the world's engine; its session is closed
        token = access.issue_login(session, session.get(Member, world.m[key].id), now=clock.now())
        session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def client(db, clock, tmp_path):
    return make_client(db, clock, tmp_path)


def test_api_needs_a_staff_login(client, world, clock):
    assert client.get("/api/rotas").status_code == 401
    assert client.get("/api/rotas", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/rotas", headers=login(world, clock, "volunteer")).status_code == 403
    assert client.get("/api/rotas", headers=login(world, clock, "gm1")).json() == []


def test_only_who_may_manage_rotas_creates_them(client, world, clock):
    body = {"name": "夜巡", "kind": "巡逻", "rhythm": "每天", "time": "20:00-22:00", "grid": "第一网格",
            "team": ["张三", "李四"]}
    assert client.post("/api/rotas", json=body).status_code == 401
    refused = client.post("/api/rotas", json=body, headers=login(world, clock, "gm2"))  # another grid
    assert refused.status_code == 403 and "网格" in refused.json()["detail"]
    assert client.post("/api/rotas", json=body, headers=login(world, clock, "bh3")).status_code == 403
    assert client.post("/api/rotas", json=body, headers=login(world, clock, "gm1")).status_code == 201


def test_api_creates_and_lists_rotas_and_serves_feeds(client, world, clock):
    auth = login(world, clock, "office")
    body = {
        "community": "白庙社区", "name": "卡口值守", "kind": "卡口值守", "rhythm": "工作日", "time": "07:00-09:00",
        "size": 2, "grid": "第一网格", "team": ["张三", "李四", world.m["王五"].number],
    }
    created = client.post("/api/rotas", json=body, headers=auth)
    assert created.status_code == 201, created.text
    data = created.json()
    assert data["code"] == "R1" and data["rhythm"].startswith("工作日 07:00 起 2小时") and data["team"] == ["张三", "李四", "王五"]
    assert data["shifts"][0]["people"] == ["张三", "李四"] and data["shifts"][0]["backup"] == "王五"
    again = client.post("/api/rotas", json=body, headers=auth)
    assert again.status_code == 422 and "已有名为「卡口值守」" in again.json()["detail"]
    bad = client.post("/api/rotas", json={**body, "name": "x", "time": "7点到", "team": ["谁"]}, headers=auth)
    assert bad.status_code == 422 and "时间「7点到」无法识别" in bad.json()["detail"]
    listed = client.get("/api/rotas", headers=auth).json()
    assert [r["name"] for r in listed] == ["卡口值守"]
    assert client.get("/api/rotas/1", headers=auth).json()["name"] == "卡口值守"
    assert client.get("/api/rotas/99", headers=auth).status_code == 404
    assert client.get("/api/rotas/1", headers=login(world, clock, "outsider")).status_code == 404
    feed = client.get(data["ical"])
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in feed.content
    assert client.get("/ical/rota/not-a-token.ics").status_code == 404


def test_rota_links_staff_saw_end_when_one_of_them_leaves(client, db, world, clock, settings):
    from bot.members import binding
    from models import Member

    with db.transaction() as s:
        make_rota(s, world, settings, clock.now())
    link = client.get("/api/rotas", headers=login(world, clock, "worker1")).json()[0]["ical"]
    assert client.get(link).status_code == 200
    with db.transaction() as s:  # a volunteer leaving never saw it: the link stays
        binding.set_status(s, s.get(Member, world.m["张三"].id), "left", now=clock.now())
    assert client.get("/api/rotas", headers=login(world, clock, "office")).json()[0]["ical"] == link
    with db.transaction() as s:
        binding.set_status(s, s.get(Member, world.m["worker1"].id), "left", now=clock.now())
    assert client.get(link).status_code == 404
    renewed = client.get("/api/rotas", headers=login(world, clock, "office")).json()[0]["ical"]
    assert renewed != link and client.get(renewed).status_code == 200


def test_member_feed_link_in_myshifts_only_in_private(db, world, clock, settings, tmp_path):
    from handlers import rotas as rota_handlers
    from handlers.context import Context
    from handlers.conversation import Conversation, process_message
    from handlers.types import Chat, Inbound, User

    public = Settings(_env_file=None, public_url="https://hgj.example.cn/")
    conversation = Conversation([rota_handlers.router])
    with db.transaction() as s:
        make_rota(s, world, settings, clock.now())
        me = User(ids.account(s, 7001), "张三")
        msg = Inbound(Chat(ids.chat(s, 7001), "private"), me, 1, "/myshifts", clock.now())
        reaction = process_message(conversation, s, Context(s, clock.now(), public), msg)
        in_group = Inbound(Chat(ids.chat(s, -100), "group"), me, 2, "/myshifts", clock.now())
        group_reaction = process_message(conversation, s, Context(s, clock.now(), public), in_group)
        token = ical.member_token(s, world.m["张三"], now=clock.now())
    assert f"https://hgj.example.cn/ical/member/{token}.ics" in html_of(reaction.outgoing[0])
    assert all(token not in o.text for o in group_reaction.outgoing)
    feed = make_client(db, clock, tmp_path, public).get(f"/ical/member/{token}.ics")
    assert feed.status_code == 200 and "夜间巡逻".encode() in feed.content
