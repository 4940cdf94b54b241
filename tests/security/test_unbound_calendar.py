"""Red team: unbinding ended the dashboard logins, but not the calendar link.

The member's iCalendar feed (``/ical/member/<token>.ics``, linked in /myshifts in the bound
account's private chat) kept working for whoever had the account — after /unbind, or after the
member left: when and where they patrol, who with, and the handoff notes, for good. Unbinding or
leaving ends the link; the member gets a new one with the next /myshifts."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from bot.infra.config import Settings
from bot.members import binding
from models import Member, MemberStatus
from tests.chat.conftest import conversation, cw, demo, demo_template, parser, people  # noqa: F401 (fixtures)
from tests import ids

PUBLIC = "https://hgj.example.cn"


def site(cw):
    from bot.web.site import install

    app = FastAPI()
    install(app, db=cw.db, settings=Settings(_env_file=None, public_url=PUBLIC), clock=cw.clock)
    return TestClient(app)


def feed_path(cw, user_id: int) -> str:
    (answer,) = [m for m in cw.say(user_id, user_id, "/myshifts") if m.chat_id == user_id]
    return re.search(rf"{PUBLIC}(/ical/member/[A-Za-z0-9_-]+\.ics)", answer.text).group(1)


def test_an_unbound_members_calendar_link_stops_working(cw, people):
    cw.settings.public_url = PUBLIC
    client = site(cw)
    old = feed_path(cw, people.vol1)
    assert client.get(old).status_code == 200 and "BEGIN:VCALENDAR" in client.get(old).text
    with cw.db.session() as s:
        vol1 = ids.member_of(s, people.vol1)
    out = cw.say(people.office, people.office, f"/unbind {vol1.number}")
    assert any("已解绑" in m.text for m in out)
    assert client.get(old).status_code == 404
    # bound again (an invitation), the member gets a new link; the old one stays dead
    with cw.db.transaction() as s:
        issued = binding.create_invitation(s, s.get(Member, vol1.id), by=None, now=cw.clock.now())
    cw.say(people.vol1, people.vol1, f"/start {issued.code}")
    new = feed_path(cw, people.vol1)
    assert new != old and client.get(new).status_code == 200 and client.get(old).status_code == 404


def test_a_member_who_left_has_no_calendar(cw, people):
    cw.settings.public_url = PUBLIC
    client = site(cw)
    path = feed_path(cw, people.vol2)
    assert client.get(path).status_code == 200
    with cw.db.transaction() as s:  # marked by hand in the database, as offices do today
        vol2 = ids.member_of(s, people.vol2)
        vol2.status = MemberStatus.left
        s.add(vol2)
    assert client.get(path).status_code == 404
    with cw.db.transaction() as s:
        vol2 = s.get(Member, vol2.id)
        vol2.status = MemberStatus.active
        binding.set_status(s, vol2, MemberStatus.left, now=cw.clock.now())
        vol2.status = MemberStatus.active  # back again: the link given before leaving is gone anyway
        s.add(vol2)
    assert client.get(path).status_code == 404
