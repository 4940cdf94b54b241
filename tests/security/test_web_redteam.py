"""Red team on the web pages and the rota API (and their chat twins).

- ``PUT /api/rules/routing`` with a priority of twenty digits answered 500 (an integer the
  database cannot hold); it is refused with a reason.
- An office admin of one community asking ``POST /api/rotas`` (or ``/cover``) for another community
  learnt which names exist there: 「本社区没有叫…」 for a made-up name, 「这件事不属于你所在的社区」
  for a real one. The community is checked before any name is looked up.
- A quorum no team can meet (「最少5人」 with two people, or 3 per shift from a team of 2) was
  accepted: every shift ended in calls for volunteers and escalations up to the office. A quorum
  above the shift's size from a team big enough stays — the team is asked for the rest.
- The login cookie had no ``Secure`` flag when the site is served over https, and any site could
  frame the dashboard (clickjacking 「发邀请」 or 解绑)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.members import logins as access
from bot.infra.config import Settings
from bot.web.app import create_app
from models import Member, Rota, Shift
from tests.chat.conftest import conversation, cw, demo, demo_template, parser, people  # noqa: F401 (fixtures)
from tests import ids
from tests.weblogin import log_in


def client_for(cw, **settings) -> TestClient:
    app = create_app(cw.db, Settings(_env_file=None, database_url=cw.db.url, **settings), cw.clock)
    return TestClient(app, raise_server_exceptions=False)


def bearer(cw, user_id: int) -> dict:
    with cw.db.transaction() as s:
        member = ids.member_of(s, user_id)
        token = access.issue_login(s, member, now=cw.clock.now(), lifetime=timedelta(days=30))
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("priority", [10**20, -(10**20), 2**63, 10**7])
def test_a_routing_priority_out_of_range_is_refused_not_a_server_error(cw, people, priority):
    client = client_for(cw)
    headers = bearer(cw, people.office)
    response = client.put("/api/rules/routing", json=[{"target": "office", "priority": priority}], headers=headers)
    assert response.status_code == 422 and response.json()["detail"]
    assert client.put("/api/rules/routing", json=[{"target": "office", "priority": 5}], headers=headers).json() == \
        {"own": True, "count": 1}


def test_another_communitys_rota_tells_nothing_about_its_people(cw, people):
    client = client_for(cw)
    headers = bearer(cw, people.office)  # 白庙社区's office admin
    answers = set()
    for name in ("宋海波", "没有这个人"):  # a real member of 月亮湖社区, and a made-up one
        body = {"community": "月亮湖社区", "name": "夜巡", "kind": "巡逻", "rhythm": "每天", "time": "20:00-22:00",
                "team": [name], "grid": "第一网格"}
        response = client.post("/api/rotas", json=body, headers=headers)
        assert response.status_code == 403
        answers.add(response.json()["detail"])
    assert len(answers) == 1
    # the same in the chat: /cover of another community's shift, with a real and a made-up name
    cw.say(people.gm1, people.gm1, "/newrota 阳光花园夜巡 巡逻 每天 20:00-22:00 陈静 郑小红")
    with cw.db.session() as s:
        shift = s.exec(select(Shift).join(Rota, Rota.id == Shift.rota_id).order_by(Shift.id)).first()
    replies = {m.text for name in ("陈静", "没有这个人") for m in cw.say(people.y_office, people.y_office,
                                                                         f"/cover S{shift.id} {name}")}
    assert len(replies) == 1 and "没有叫" not in replies.pop()


def test_a_quorum_no_team_can_meet_is_refused(cw, people):
    client = client_for(cw)
    headers = bearer(cw, people.office)
    body = {"name": "夜巡", "kind": "巡逻", "rhythm": "每天", "time": "20:00-22:00", "team": ["陈静", "赵磊"]}
    for extra in ({"size": 1, "quorum": 5}, {"size": 3}):
        response = client.post("/api/rotas", json={**body, **extra}, headers=headers)
        assert response.status_code == 422 and "凑不齐" in response.json()["detail"]
    (refused,) = cw.say(people.gm1, people.gm1, "/newrota 夜巡 巡逻 每天 20:00-22:00 最少5人 陈静 郑小红")
    assert "凑不齐" in refused.text
    # more than one shift's size, from a team that can give it: the team is asked for the rest
    response = client.post("/api/rotas", json={**body, "size": 1, "quorum": 2}, headers=headers)
    assert response.status_code == 201 and response.json()["quorum"] == 2
    (changed,) = cw.say(people.office, people.office, f"/rota R{response.json()['id']} 人数 1 最少 3")
    assert "凑不齐" in changed.text


def test_the_login_cookie_is_secure_on_https_and_no_page_can_be_framed(cw, people):
    with cw.db.transaction() as s:
        office = ids.member_of(s, people.office)
        tokens = [access.issue_login(s, office, now=cw.clock.now()) for _ in range(2)]
    https = client_for(cw, public_url="https://hgj.example.cn")
    response = log_in(https, tokens[0])
    cookie = response.headers["set-cookie"].lower()
    assert response.status_code == 303 and "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    plain = client_for(cw)  # http on 127.0.0.1 (the demo): a Secure cookie would never come back
    response = log_in(plain, tokens[1])
    assert response.status_code == 303 and "secure" not in response.headers["set-cookie"].lower()
    for path in ("/dashboard", "/wall", "/wall/白庙社区", "/login?token=nope", "/api/stats"):
        response = plain.get(path)
        assert response.headers["x-frame-options"] == "DENY", path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
