"""Two instances of the web app on one database (issue 12: each instance made its own secret, so a
login link of one was refused by the other): a login made through one works on the other, and so
does the form value (CSRF) its page carried — nothing secret is kept per instance."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.infra.config import Settings
from bot.infra.db import Database
from bot.members import logins as access
from bot.web.site import install
from models import Member
from tests.factories import build_world
from tests.weblogin import log_in


def instance(url: str, clock, tmp_path, name: str) -> FastAPI:
    app = FastAPI()
    # its own Database (connections) and its own working directory, as another machine would have
    install(app, db=Database(url), settings=Settings(_env_file=None), clock=clock, secret_dir=tmp_path / name)
    app.state.bot_username = "hgj_test_bot"
    return app


def test_a_login_and_its_form_value_from_one_instance_work_on_the_other(db, clock, tmp_path):
    with db.transaction() as session:
        w = build_world(session, clock.now())
        office = w.m["office"].id
        number = w.m["bh3"].number
    one, two = instance(db.url, clock, tmp_path, "one"), instance(db.url, clock, tmp_path, "two")
    with db.transaction() as session:
        token = access.issue_login(session, session.get(Member, office), now=clock.now())
    first = TestClient(one)
    assert log_in(first, token).status_code == 303
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', first.get("/dashboard").text).group(1)
    second = TestClient(two)  # the balancer sent the next request elsewhere
    second.cookies.update(first.cookies)
    assert second.get("/dashboard").status_code == 200
    page = second.post(f"/dashboard/members/{number}/invite", data={"csrf": csrf})
    assert page.status_code == 200 and "https://t.me/hgj_test_bot?start=" in page.text
    assert not any((tmp_path / name).exists() for name in ("one", "two"))  # no secret file was made
