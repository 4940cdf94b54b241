"""The web desk changes an issue through the same core flow as the chat's buttons: the people
in the chats hear of it exactly as if it had been tapped there (the group under the report, every
card of the issue edited to its new state, the reporter asked to confirm after a resolve)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.infra.config import Settings
from bot.members import logins as access
from models import Issue, Member
from tests import ids

from .conftest import SUNSHINE
from .test_reports import in_chat, report_door


def desk(cw, people, key: str):
    app = FastAPI()
    from bot.web.site import install

    install(app, db=cw.db, settings=Settings(_env_file=None), clock=cw.clock)
    with cw.db.transaction() as session:
        member = ids.member_of(session, people[key])
        token = access.issue_login(session, member, now=cw.clock.now())
    return TestClient(app), {"Authorization": f"Bearer {token}"}


def test_accepting_and_resolving_on_the_web_reach_the_chats_as_a_tap_would(cw, people):
    out, issue = report_door(cw, people)
    (reply,) = in_chat(out, SUNSHINE)
    (gm_card,) = in_chat(out, people.gm2)
    (bh_card,) = in_chat(out, people.bh_s4)
    client, auth = desk(cw, people, "gm2")

    done = client.post(f"/api/issues/Q{issue.id}/accept", headers=auth)
    assert done.status_code == 200 and done.json()["status"] == "accepted"
    out = cw.deliver()
    notice = [m for m in in_chat(out, SUNSHINE) if m is not reply]
    assert len(notice) == 1 and "已受理，由 赵磊 负责" in notice[0].text
    assert notice[0].reply_to == int(issue.source_message_id)  # under the resident's own message
    # every card of the issue now shows the state and the buttons that fit it
    assert gm_card.edits == bh_card.edits == 1 and gm_card.labels == bh_card.labels == ["领办", "已解决", "转派", "驳回"]
    assert reply.edits == 1 and "已受理" in reply.text

    done = client.post(f"/api/issues/Q{issue.id}/resolve", headers=auth, json={"note": "换了新锁 <b>门禁</b>"})
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    out = cw.deliver()
    (asked,) = [m for m in in_chat(out, SUNSHINE) if m is not reply]
    assert "已由 赵磊 处理完毕：换了新锁 &lt;b&gt;门禁&lt;/b&gt;" in asked.text and "修好了吗" in asked.text
    assert asked.labels == ["已修复", "仍未修复"] and gm_card.labels == []

    # the reporter answers in the chat, as after a resolve tapped in the chat
    out = cw.press(people.r_li, asked, "已修复")
    with cw.db.session() as s:
        assert s.get(Issue, issue.id).status == "confirmed"
    (thanks,) = [m for m in in_chat(out, people.gm2) if m is not gm_card]
    assert thanks.text.startswith("👍") and f"Q{issue.id}" in thanks.text


def test_the_desk_refuses_what_the_chat_refuses_and_tells_nobody(cw, people):
    _out, issue = report_door(cw, people)
    client, auth = desk(cw, people, "gm1")  # the grid manager of another grid
    refused = client.post(f"/api/issues/Q{issue.id}/accept", headers=auth)
    assert refused.status_code == 403 and "网格" in refused.json()["detail"]
    assert cw.deliver() == []
    with cw.db.session() as s:
        assert s.get(Issue, issue.id).status == "reported"
