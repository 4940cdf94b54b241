"""The office's binding tools on the web: the member list, invitations (link and QR code) and
unbinding behind a confirmation, CSRF on cookie logins, and logins that end at once."""

from __future__ import annotations

import base64
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.members import logins as access
from bot.infra.config import Settings
from bot.members import binding
from models import Invitation, Member, MemberEvent
from tests.factories import build_world
from tests import ids as tg
from tests.weblogin import log_in


@pytest.fixture
def site(db, clock):
    with db.transaction() as session:
        w = build_world(session, clock.now())
        tg.bind(w.session, w.m["gm1"], 8002)
        tg.bind(w.session, w.m["office"], 8001)
        session.flush()
        ids = {k: m.id for k, m in w.m.items()}
        numbers = {k: m.number for k, m in w.m.items()}
        phones = {k: m.phone for k, m in w.m.items()}
    app = FastAPI()
    from bot.web.site import install

    install(app, db=db, settings=Settings(_env_file=None), clock=clock)
    app.state.bot_username = "hgj_test_bot"

    def token(key):
        with db.transaction() as session:
            return access.issue_login(session, session.get(Member, ids[key]), now=clock.now())

    return app, token, numbers, phones


def browser(app, token):
    """A browser logged in through the /web link (the cookie), and the page's CSRF value."""
    client = TestClient(app)
    assert log_in(client, token).status_code == 303
    page = client.get("/dashboard")
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    return client, page, csrf.group(1) if csrf else None


def test_the_member_list_follows_the_phone_and_role_rules(site):
    app, token, numbers, phones = site
    _, office_page, _ = browser(app, token("office"))
    assert phones["volunteer"] in office_page.text and numbers["volunteer"] in office_page.text
    assert office_page.text.count("发邀请") >= 8 and f'/dashboard/members/{numbers["gm1"]}/unbind' in office_page.text
    _, gm_page, _ = browser(app, token("gm1"))
    assert phones["volunteer"] not in gm_page.text and phones["volunteer"][:3] + "****" in gm_page.text
    invites = re.findall(r'/dashboard/members/([\d-]+)/invite', gm_page.text)
    assert numbers["volunteer"] in invites and numbers["volunteer2"] not in invites  # only her grid
    assert "/unbind" not in gm_page.text


def test_an_invitation_from_the_dashboard_is_shown_once_and_binds(site, db, clock):
    app, token, numbers, _ = site
    client, _, csrf = browser(app, token("office"))
    url = f'/dashboard/members/{numbers["bh3"]}/invite'
    assert client.post(url, data={}).status_code == 403  # no CSRF value: a forged form
    assert client.post(url, data={"csrf": "0" * 32}).status_code == 403
    page = client.post(url, data={"csrf": csrf})
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    link = re.search(r"https://t\.me/hgj_test_bot\?start=([A-Za-z0-9_-]+)", page.text)
    assert link and "data:image/png;base64," in page.text
    with db.transaction() as session:
        stored = session.exec(select(Invitation)).one()
        assert link.group(1) not in stored.model_dump_json()  # only the hash is kept
        assert binding.bind_by_code(session, tg.account(session, 9001), link.group(1), now=clock.now()).status == "bound"


def test_the_api_invites_with_a_bearer_token_and_checks_rights(site):
    app, token, numbers, _ = site
    client = TestClient(app)
    gm = {"Authorization": f"Bearer {token('gm1')}"}
    made = client.post(f'/api/members/{numbers["volunteer"]}/invite', headers=gm).json()
    assert made["link"].startswith("https://t.me/hgj_test_bot?start=")
    assert base64.b64decode(made["qr_png_base64"])[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.post(f'/api/members/{numbers["volunteer2"]}/invite', headers=gm).status_code == 403
    assert client.post(f'/api/members/{numbers["gm1"]}/invite', headers=gm).status_code == 409  # bound
    assert client.post("/api/members/9-999-999-99-999-9999/invite", headers=gm).status_code == 404
    assert client.post(f'/api/members/{numbers["gm1"]}/unbind', headers=gm).status_code == 403
    assert client.post(f'/api/members/{numbers["volunteer"]}/invite').status_code == 401


def test_unbinding_asks_first_and_ends_the_members_logins_at_once(site, db):
    app, token, numbers, _ = site
    gm_client, _, _ = browser(app, token("gm1"))
    assert gm_client.get("/dashboard").status_code == 200
    office, _, csrf = browser(app, token("office"))
    confirm = office.get(f'/dashboard/members/{numbers["gm1"]}/unbind')
    assert confirm.status_code == 200 and "确认解绑" in confirm.text
    assert office.post(f'/dashboard/members/{numbers["gm1"]}/unbind', data={}).status_code == 403
    done = office.post(f'/dashboard/members/{numbers["gm1"]}/unbind', data={"csrf": csrf})
    assert done.status_code == 200 and "已解绑" in done.text
    assert gm_client.get("/dashboard").status_code == 401  # her cookie is dead right away
    with db.session() as session:
        event = session.exec(select(MemberEvent).where(MemberEvent.kind == "unbind")).one()
        assert (event.how, tg.telegram_user(session, event.account_id)) == ("office", 8002)
