"""iCalendar feeds (core) and the rota routes a web app includes (FastAPI, no server needed)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from icalendar import Calendar

from bot.config import Settings
from bot.rotas import ical

from .conftest import make_rota


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


@pytest.fixture
def client(db, clock):
    from bot.web.rotas import build_router

    app = FastAPI()
    app.include_router(build_router(db, Settings(_env_file=None, api_token="s3cret"), clock))
    return TestClient(app)


AUTH = {"Authorization": "Bearer s3cret"}


def test_api_needs_the_bearer_token(client, world, db, clock):
    assert client.get("/api/rotas").status_code == 401
    assert client.get("/api/rotas", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/api/rotas", headers=AUTH).json() == []
    from bot.web.rotas import build_router

    app = FastAPI()
    app.include_router(build_router(db, Settings(_env_file=None), clock))
    assert TestClient(app).get("/api/rotas", headers=AUTH).status_code == 503  # no token set: API off


def test_api_creates_and_lists_rotas_and_serves_feeds(client, world):
    body = {
        "community": "白庙社区", "name": "卡口值守", "kind": "卡口值守", "rhythm": "工作日", "time": "07:00-09:00",
        "size": 2, "grid": "第一网格", "team": ["张三", "李四", world.m["王五"].number],
    }
    created = client.post("/api/rotas", json=body, headers=AUTH)
    assert created.status_code == 201, created.text
    data = created.json()
    assert data["code"] == "R1" and data["rhythm"].startswith("工作日 07:00 起 2小时") and data["team"] == ["张三", "李四", "王五"]
    assert data["shifts"][0]["people"] == ["张三", "李四"] and data["shifts"][0]["backup"] == "王五"
    again = client.post("/api/rotas", json=body, headers=AUTH)
    assert again.status_code == 422 and "已有名为「卡口值守」" in again.json()["detail"]
    bad = client.post("/api/rotas", json={**body, "name": "x", "time": "7点到", "team": ["谁"]}, headers=AUTH)
    assert bad.status_code == 422 and "时间「7点到」无法识别" in bad.json()["detail"]
    listed = client.get("/api/rotas", params={"community": "白庙社区"}, headers=AUTH).json()
    assert [r["name"] for r in listed] == ["卡口值守"]
    assert client.get("/api/rotas/1", headers=AUTH).json()["name"] == "卡口值守"
    assert client.get("/api/rotas/99", headers=AUTH).status_code == 404
    feed = client.get(data["ical"])
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in feed.content
    assert client.get("/ical/rota/not-a-token.ics").status_code == 404


def test_member_feed_link_in_myshifts(db, world, clock, settings):
    from handlers import rotas as rota_handlers
    from handlers.context import Context
    from handlers.conversation import Conversation, process_message
    from handlers.types import Chat, Inbound, User

    public = Settings(_env_file=None, public_url="https://hgj.example.cn/")
    with db.transaction() as s:
        make_rota(s, world, settings, clock.now())
        msg = Inbound(Chat(7001, "private"), User(7001, "张三"), 1, "/myshifts", clock.now())
        reaction = process_message(Conversation([rota_handlers.router]), s, Context(s, clock.now(), public), msg)
        token = ical.member_token(s, world.m["张三"], now=clock.now())
    assert f"https://hgj.example.cn/ical/member/{token}.ics" in reaction.outgoing[0].text
    from bot.web.rotas import build_router

    app = FastAPI()
    app.include_router(build_router(db, public, clock))
    feed = TestClient(app).get(f"/ical/member/{token}.ics")
    assert feed.status_code == 200 and "夜间巡逻".encode() in feed.content


def test_module_router_reads_the_app_state(db, world, clock):
    from bot.web import rotas as web_rotas

    app = FastAPI()
    app.state.db, app.state.settings, app.state.clock = db, Settings(_env_file=None, api_token="t"), clock
    app.include_router(web_rotas.router)
    client = TestClient(app)
    assert client.get("/api/rotas", headers={"Authorization": "Bearer t"}).json() == []
    assert client.get("/api/rotas").status_code == 401
