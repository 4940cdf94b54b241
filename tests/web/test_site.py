"""The office web site: the public wish wall, the staff dashboard, the JSON API and its rights."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.members import logins as access
from bot.issues import service as issues
from bot.infra.config import Settings
from bot.issues.routing import route
from tests.factories import build_world
from tests.weblogin import log_in


@pytest.fixture
def site(db, clock, tmp_path):
    with db.transaction() as session:
        w = build_world(session, clock.now())
        w.wish("<script>alert(1)</script> 想请人帮忙买菜 & 取药")
        issue = w.report("3栋电梯<b>坏了</b>", urgent=True)
        issues.claim(session, issue, w.actor("gm1"), now=clock.now())
        ids = {k: m.id for k, m in w.m.items()}
        phones = {k: m.phone for k, m in w.m.items()}
        community = w.community.code
    app = FastAPI()
    from bot.web.site import install

    install(app, db=db, settings=Settings(_env_file=None), clock=clock)
    client = TestClient(app)

    def login(key, lifetime=timedelta(days=1)):
        return {"Authorization": f"Bearer {token_for(db, ids[key], clock.now(), lifetime)}"}

    return client, login, phones, community


def test_the_wall_is_public_escaped_and_masks_names(site):
    client, _, phones, community = site
    page = client.get(f"/wall/{community}")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    assert "&amp; 取药" in page.text
    assert "r*******" in page.text  # the poster "resident" shown masked
    assert not any(p in page.text for p in phones.values())
    assert client.get("/wall/不存在").status_code == 404
    assert community == 1 and "白庙社区" in client.get("/wall").text


def test_dashboard_needs_a_login_from_staff(site, clock):
    client, login, _, _ = site
    assert client.get("/dashboard").status_code == 401
    assert client.get("/dashboard", headers=login("volunteer")).status_code == 403
    page = client.get("/dashboard", headers=login("gm1"))
    assert page.status_code == 200
    assert "纳入任务清单" in page.text and "3栋电梯&lt;b&gt;坏了&lt;/b&gt;" in page.text and "紧急" in page.text


def token_for(db, member_id, now, lifetime=timedelta(days=7)) -> str:
    with db.transaction() as session:
        from models import Member

        return access.issue_login(session, session.get(Member, member_id), now=now, lifetime=lifetime)


def test_login_link_asks_then_sets_a_cookie_of_its_own_and_expired_links_are_refused(site, clock, db):
    client, _, _, _ = site
    token = token_for(db, 4, clock.now())
    asked = client.get(f"/login?token={token}", follow_redirects=False)
    assert asked.status_code == 200 and "登录社区看板" in asked.text and "set-cookie" not in asked.headers
    assert asked.headers["referrer-policy"] == "no-referrer" and asked.headers["cache-control"] == "no-store"
    assert client.get("/dashboard").status_code == 401  # a link preview logs nobody in
    response = client.post("/login", data={"token": token}, follow_redirects=False)
    assert response.status_code == 303 and "hgj_token" in response.headers["set-cookie"]
    assert token not in response.headers["set-cookie"]  # the browser's login is not the link's
    assert client.get("/dashboard").status_code == 200  # the cookie now carries the login
    # the link is used up: a copy of it (a forwarded chat, a history) logs nobody else in
    other = TestClient(client.app)
    assert other.get(f"/login?token={token}").status_code == 401
    assert other.post("/login", data={"token": token}).status_code == 401
    assert other.get("/dashboard").status_code == 401
    old = token_for(db, 4, clock.now() - timedelta(days=30))
    assert client.get(f"/login?token={old}").status_code == 401
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert client.get(f"/login?token={forged}").status_code == 401
    signed = "4.9999999999.c2lnbmVkLXRva2VuLW9mLWJlZm9yZQ"  # the signed form of before: no row, no login
    assert client.get(f"/login?token={signed}").status_code == 401


def test_logging_out_ends_the_login_and_only_our_own_page_can_ask_for_it(site, clock, db):
    client, _, _, _ = site
    log_in(client, token_for(db, 4, clock.now()))
    page = client.get("/dashboard")
    assert page.status_code == 200
    cookie = client.cookies["hgj_token"]
    # a link or an image on another site (GET), or a form without the page's value, logs nobody out
    assert "退出" in client.get("/logout").text and client.get("/dashboard").status_code == 200
    assert client.post("/logout", data={"csrf": "0" * 32}).status_code == 403
    assert client.get("/dashboard").status_code == 200
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text).group(1)
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert client.get("/dashboard", headers={"Authorization": f"Bearer {cookie}"}).status_code == 401


def test_another_site_cannot_log_a_browser_in_with_its_own_link(site, clock, db):
    # login CSRF: a page elsewhere posts the attacker's own link to our /login, so that the victim
    # would work (and type) on the dashboard as the attacker
    client, _, _, _ = site
    token = token_for(db, 4, clock.now())
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}):
        refused = client.post("/login", data={"token": token}, headers=headers, follow_redirects=False)
        assert refused.status_code == 403 and "set-cookie" not in refused.headers, headers
    assert client.get("/dashboard").status_code == 401
    # the person's own click (same origin) still works: the refused tries did not use the link up
    own = client.post("/login", data={"token": token}, follow_redirects=False,
                      headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"})
    assert own.status_code == 303 and client.get("/dashboard").status_code == 200


def test_only_the_office_sees_phone_numbers(site):
    client, login, phones, _ = site
    by_gm = client.get("/api/members", headers=login("gm1")).json()
    by_office = client.get("/api/members", headers=login("office")).json()
    assert all("****" in m["phone"] for m in by_gm)
    assert {m["phone"] for m in by_office} >= {phones["gm1"], phones["bh3"]}
    assert client.get("/api/members").status_code == 401
    assert client.get("/api/members", headers=login("volunteer")).status_code == 403


def test_only_the_office_changes_routing_rules(site, db):
    client, login, _, _ = site
    rules = [{"category": "*", "target": "office", "priority": 1}]
    assert client.put("/api/rules/routing", json=rules, headers=login("gm1")).status_code == 403
    assert client.put("/api/rules/routing", json=[{"target": "nobody"}], headers=login("office")).status_code == 422
    assert client.put("/api/rules/routing", json=rules, headers=login("office")).json() == {"own": True, "count": 1}
    assert client.get("/api/rules/routing", headers=login("gm1")).json()["own"] is True
    with db.session() as session:
        stops = route(session, community_id=1, category="facility", building_id=1)
        assert [s.member.name for s in stops] == ["office"]


def test_stats_issues_and_leaderboard(site, db, clock):
    client, login, _, _ = site
    data = client.get("/api/stats").json()
    assert data["collected"] == 1 and data["accepted"] == 1
    open_issues = client.get("/api/issues", headers=login("office")).json()
    assert [i["code"] for i in open_issues] == ["Q1"] and open_issues[0]["handler"] == "gm1"
    board = client.get("/api/leaderboard?scope=community&period=month", headers=login("office")).json()
    assert board["rows"] == []  # claimed, not yet resolved and confirmed: nothing earned yet
    from bot.issues.lifecycle import Actor
    from models import Issue, Member, Resident

    with db.transaction() as s:
        issue = s.get(Issue, 1)
        gm1 = s.get(Member, issue.handler_id)
        issues.resolve(s, issue, Actor(member=gm1), now=clock.now())
        issues.confirm(s, issue, Actor(resident=s.get(Resident, issue.reporter_id)), now=clock.now())
    board = client.get("/api/leaderboard?scope=community&period=month", headers=login("office")).json()
    assert board["rows"][0]["name"] == "gm1" and board["rows"][0]["points"] == 13
