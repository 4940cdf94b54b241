"""Red team on masking (issue 9, finding 5, after the fix): numbers written the ways people
actually write them, and the places that showed them as written.

What leaked: a mobile split over lines (「139\\n0724\\n5678」), one written digit by digit
(「1 3 9 0 …」), grouped 3-3-5 or 4-3-4, read out with spaces or in 大写 numerals (壹叁玖…),
in circled or other digits, and an ID number grouped in fours — on the wall, in the public API,
the dashboard, the escalations, the digests and the export (the chat cards masked the split one
only by accident: shortening joined the lines before masking again). And the rota handoff notes,
which reached the next shift, its start reminder and the calendar feeds with no masking at all."""

from __future__ import annotations

import re
from tests.rendered import html_of
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import select

from bot.demo import data as demo_data
from bot.infra.config import Settings
from bot.infra.masking import mask, shown
from models import Member, Wish
from tests.chat.conftest import conversation, cw, demo, demo_template, parser, people  # noqa: F401 (fixtures)
from tests.rotas.conftest import at, due_now, make_rota, settings, world  # noqa: F401 (fixtures)
from tests.rotas.test_chat import chat  # noqa: F401 (fixture)
from tests import ids

SUNSHINE = demo_data.GROUP_SUNSHINE

MASKED = [
    ("联系我139\n0724\n5678", "联系我139****5678"),  # split over lines
    ("联系我139\r\n0724\r\n5678", "联系我139****5678"),
    ("电话 1 3 9 0 7 2 4 5 6 7 8", "电话 1 3 9****5 6 7 8"),  # digit by digit
    ("电话:1-3-9-0-7-2-4-5-6-7-8。", "电话:1-3-9****5-6-7-8。"),
    ("电话139 072 45678", "电话139****5678"),  # other groupings
    ("电话1390 724 5678", "电话139****5678"),
    ("电话139 - 0724 - 5678", "电话139****5678"),
    ("电话 86 139 0724 5678", "电话 86 139****5678"),
    ("一三九 零七二四 五六七八", "一三九****五六七八"),  # read out, with spaces
    ("壹叁玖零柒贰肆伍陆柒捌", "壹叁玖****伍陆柒捌"),  # 大写 numerals
    ("139零七二四5678", "139****5678"),  # mixed
    ("①③⑨⓪⑦②④⑤⑥⑦⑧", "①③⑨****⑤⑥⑦⑧"),  # circled
    ("𝟏𝟑𝟗𝟎𝟕𝟐𝟒𝟓𝟔𝟕𝟖", "𝟏𝟑𝟗****𝟓𝟔𝟕𝟖"),  # mathematical digits
    ("身份证 4208 0219 9001 0112 34", "身份证 420*************34"),  # an ID in fours
    ("身份证 4208 0219 9001 0112 3X号", "身份证 420*************3X号"),
    ("身份证\n420802\n19900101\n1234", "身份证\n420*************34"),
]


@pytest.mark.parametrize("text, expected", MASKED)
def test_a_number_is_masked_however_it_is_written(text, expected):
    assert mask(text) == expected


LEFT_ALONE = [
    "面积 1350 2400 3600元",  # 12 digits in a row of numbers: no number of ours
    "3 5 7 9 11 13 15 17号楼",
    "6-012-000-03-005-0042 6-012-000-03-005-0043",
    "2026-11-28 20:00-22:00 共13人",
    "1、3、5、7、9、11、13、15栋",
    "一二三四五六七八九十",
    "第1 3 9号",
]


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_rows_of_ordinary_numbers_are_left_alone(text):
    assert mask(text) == text


NUMBER = re.compile(r"13907245678|420802199001011234")


def digits_leak(text: str) -> bool:
    """Does the text still carry the phone or the ID number, whatever stands between the digits?"""
    digits = "".join(ch for ch in (text or "") if ch.isdigit() or ch in "一二三四五六七八九零〇")
    digits = digits.translate(str.maketrans("一二三四五六七八九零〇", "12345678900"))
    return bool(NUMBER.search(digits))


def site(db, clock):
    from bot.web.site import install

    app = FastAPI()
    install(app, db=db, settings=Settings(), clock=clock)
    return TestClient(app)


def test_a_number_split_over_lines_is_masked_on_the_wall_the_api_the_dashboard_and_in_escalations(cw, people):
    from bot.members import logins as access
    from bot.due.fire import due

    said = "家里老人腿脚不便，想请志愿者帮忙每周买一次菜，联系我\n139\n0724\n5678\n身份证 4208 0219 9001 0112 34"
    cw.say(people.r_wang, SUNSHINE, said)
    cw.say(people.r_li, SUNSHINE, "4栋单元门坏了关不上，找我\n1 3 9 0 7 2 4 5 6 7 8")
    with cw.db.transaction() as s:
        assert s.exec(select(Wish).order_by(Wish.id.desc())).first().text == said  # stored as written
        gm = ids.member_of(s, people.gm2)
        token = access.issue_login(s, gm, now=cw.clock.now())
    client = site(cw.db, cw.clock)
    wall = client.get("/wall/白庙社区").text
    assert "139****5678" in wall and "420*************34" in wall and not digits_leak(wall)
    assert not digits_leak(str(client.get("/api/communities/白庙社区/wishes").json()))
    headers = {"Authorization": f"Bearer {token}"}
    page = client.get("/dashboard", headers=headers)
    assert page.status_code == 200 and "1 3 9****5 6 7 8" in page.text and not digits_leak(page.text)
    assert not digits_leak(str(client.get("/api/issues", headers=headers).json()))
    with cw.db.session() as s:  # the next morning's digest and the day's escalations
        later = [html_of(d.out) for d in due(s, cw.clock.now() + timedelta(hours=22, minutes=31), settings=cw.settings)]
    assert any("1 3 9****" in text for text in later) and not any(digits_leak(text) for text in later)


def test_the_export_masks_a_number_split_over_lines(cw, people, tmp_path):
    from openpyxl import load_workbook

    from bot.office.export import export_workbook
    from tests.conftest import TZ

    cw.say(people.r_li, SUNSHINE, "4栋单元门坏了，打我\n139\n0724\n5678")
    with cw.db.session() as s:
        export_workbook(s, tmp_path / "masked.xlsx", tz=TZ)
    sheet = load_workbook(tmp_path / "masked.xlsx")["问题"]
    cells = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
    assert "139****5678" in cells and not digits_leak(cells)


def test_a_handoff_note_is_masked_for_the_next_shift_its_reminder_and_the_calendars(chat, db, world, clock, settings):
    from bot.rotas import ical

    with db.transaction() as s:
        rota = make_rota(s, world, settings, clock.now())
    clock.set(at(28, 21, 50))
    reaction = chat.say("张三", "/handoff 3栋东侧路灯不亮，已报修，电工电话13907245678，业主身份证420802199001011234")
    notes = [html_of(o) for o in reaction.outgoing[1:]]
    assert notes and all("139****5678" in n and "420*************34" in n for n in notes)
    assert not any(digits_leak(n) for n in notes)
    start = next(d for d in due_now(db, at(29, 20), settings) if d.what == "start" and d.out.chat_id == 7003)
    assert "路灯不亮" in html_of(start.out) and "139****5678" in html_of(start.out) and not digits_leak(html_of(start.out))
    with db.session() as s:
        feeds = [ical.rota_calendar(s, s.get(type(rota), rota.id), now=clock.now()),
                 ical.member_calendar(s, s.get(Member, world.m["王五"].id), now=clock.now())]
    for body in feeds:
        described = " ".join(str(e["DESCRIPTION"]) for e in Calendar.from_ical(body).walk("VEVENT"))
        assert "路灯不亮" in described and "139****5678" in described and not digits_leak(described)
    with db.session() as s:  # stored as written: the writer's own words
        from models import Shift

        notes = s.exec(select(Shift.handoff_note).where(Shift.handoff_note.is_not(None))).all()
        assert any("13907245678" in n for n in notes)

