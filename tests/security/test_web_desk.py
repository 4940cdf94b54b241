"""The web desk's rights and refusals: staff of the issue's community only, the same checks as
the chat's buttons, CSRF on cookie logins, bad input refused with a reason and nothing changed."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.infra.config import Settings
from bot.members import logins as access
from models import Issue, Member, OutboxMessage
from tests.factories import build_world
from tests.weblogin import log_in


@pytest.fixture
def site(db, clock):
    with db.transaction() as session:
        w = build_world(session, clock.now())
        issue_id = w.report("3栋楼道灯坏了 <script>x</script>").id
        ids = {k: m.id for k, m in w.m.items()}
    app = FastAPI()
    from bot.web.site import install

    install(app, db=db, settings=Settings(_env_file=None), clock=clock)

    def token(key):
        with db.transaction() as session:
            return access.issue_login(session, session.get(Member, ids[key]), now=clock.now())

    def status():
        with db.session() as session:
            return session.get(Issue, issue_id).status

    return app, token, f"Q{issue_id}", status


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_only_staff_of_the_community_with_the_right_may_act(site):
    app, token, code, status = site
    client = TestClient(app)
    assert client.post(f"/api/issues/{code}/accept").status_code == 401
    assert client.post(f"/api/issues/{code}/accept", headers=bearer(token("volunteer"))).status_code == 403
    other = client.post(f"/api/issues/{code}/accept", headers=bearer(token("outsider")))
    assert other.status_code == 404  # another community's issue is not even named
    refused = client.post(f"/api/issues/{code}/resolve", headers=bearer(token("gm2")))
    assert refused.status_code == 403 and "只有" in refused.json()["detail"]
    assert status() == "reported"


@pytest.mark.parametrize("ref, verb, body, code_", [
    ("Q999999", "accept", None, 404), ("abc", "accept", None, 404), ("Q{id}", "merge", None, 422),
    ("Q{id}", "reject", {"note": "   "}, 422), ("Q{id}", "resolve", {"note": "x" * 1001}, 422),
    ("Q{id}", "resolve", {"note": "a\x00b"}, 422), ("Q{id}", "resolve", None, 422),  # not accepted yet
])
def test_bad_requests_are_refused_with_a_reason_and_change_nothing(site, db, ref, verb, body, code_):
    app, token, code, status = site
    client = TestClient(app)
    answer = client.post(f"/api/issues/{ref.replace('Q{id}', code)}/{verb}", headers=bearer(token("gm1")), json=body)
    assert answer.status_code == code_ and answer.json()["detail"]
    assert status() == "reported"
    with db.session() as session:
        assert session.exec(select(OutboxMessage)).all() == []


def test_the_same_change_twice_is_refused_with_the_state_now(site):
    app, token, code, status = site
    client = TestClient(app)
    assert client.post(f"/api/issues/{code}/accept", headers=bearer(token("gm1"))).status_code == 200
    again = client.post(f"/api/issues/{code}/accept", headers=bearer(token("worker1")))
    assert again.status_code == 422 and "已受理" in again.json()["detail"]


def test_the_dashboard_offers_what_the_viewer_may_do_and_needs_its_csrf(site):
    app, token, code, status = site
    browser = TestClient(app)
    assert log_in(browser, token("gm1")).status_code == 303
    page = browser.get("/dashboard").text
    assert f'/dashboard/issues/{code}/accept' in page and f'/dashboard/issues/{code}/reject' in page
    assert f'/dashboard/issues/{code}/resolve' not in page  # not accepted yet: no 已解决
    assert "<script>x</script>" not in page
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page).group(1)
    assert browser.post(f"/dashboard/issues/{code}/accept", data={"csrf": "0" * 32}).status_code == 403
    assert browser.post(f"/api/issues/{code}/accept").status_code == 403  # a cookie alone is not enough
    assert status() == "reported"
    no_reason = browser.post(f"/dashboard/issues/{code}/reject", data={"csrf": csrf, "note": ""})
    assert no_reason.status_code == 422 and "理由" in no_reason.text and status() == "reported"
    done = browser.post(f"/dashboard/issues/{code}/accept", data={"csrf": csrf})
    assert done.status_code == 200 and "已受理" in done.text and status() == "accepted"
    assert f'/dashboard/issues/{code}/resolve' in browser.get("/dashboard").text

    volunteer = TestClient(app)
    log_in(volunteer, token("volunteer"))
    assert volunteer.post(f"/dashboard/issues/{code}/resolve", data={"csrf": csrf}).status_code == 403
    assert status() == "accepted"
