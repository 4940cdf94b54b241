"""Finding 5: residents' phone and ID numbers never reach anyone else, and invisible or direction
characters neither hide a building from the parser nor turn a line of the wall round.

The masking function itself (every form it masks, and what it must leave alone), then the finding
replayed through the stand-in (the real aiogram bot), the wall, the API, digests and the export."""

from __future__ import annotations

import re
from tests.rendered import html_of
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given, settings, strategies as st
from sqlmodel import select

from bot.demo import data as demo_data
from bot.infra.config import Settings
from bot.infra.masking import clean, mask, shown
from models import Issue, Member, Resident, Wish
from tests.chat.conftest import conversation, cw, demo, demo_template, parser, people  # noqa: F401 (fixtures)
from tests.chat.live import live_bot
from tests import ids

SUNSHINE = demo_data.GROUP_SUNSHINE

# --- the function ---------------------------------------------------------------------------------

MASKED = [
    ("联系我13907241234", "联系我139****1234"),
    ("+8613907245678", "+86139****5678"),
    ("+86 139 0724 5678", "+86 139****5678"),
    ("0086-13907245678", "0086-139****5678"),
    ("86 13907245678", "86 139****5678"),
    ("１３９０７２４５６７８", "１３９****５６７８"),
    ("139.0724.5678", "139****5678"),
    ("139 0724 5678", "139****5678"),
    ("139-0724-5678", "139****5678"),
    ("139　0724　5678", "139****5678"),  # ideographic spaces
    ("139/0724/5678", "139****5678"),
    ("电话一三九零七二四一二三四找我", "电话一三九****一二三四找我"),  # read out digit by digit
    ("电话13907241234,13907245678", "电话139****1234,139****5678"),
    ("电话13907241234 13907245678", "电话139****1234 139****5678"),
    ("身份证420802199001011234", "身份证420*************34"),
    ("身份证42080219900101123X", "身份证420*************3X"),
    ("身份证42080219900101123x。", "身份证420*************3x。"),
    ("老身份证420802900101123号", "老身份证420**********23号"),
    ("４２０８０２１９９００１０１１２３４", "４２０*************３４"),
    ("座机027-8888 8888", "座机027-****8888"),
    ("座机(027)88888888", "座机(027)****8888"),
    ("0724-1234567", "0724-****4567"),
]


@pytest.mark.parametrize("text, expected", MASKED)
def test_every_form_of_a_phone_or_id_number_is_masked(text, expected):
    assert mask(text) == expected


LEFT_ALONE = [
    "3栋2单元501", "阳光花园12栋1502室", "5号楼3#", "2026-11-28", "2026年11月28日", "2026.11.28", "11/28",
    "20:00-22:00", "8点半-10点", "12:30", "¥1380.00", "1380元", "每月13800元", "13.5元/斤", "99.9%",
    "6-012-000-03-005-0042", "/bind 3-001-000-00-000-0020", "Q12", "W5", "S1203", "R7", "第三网格",
    "1390724567", "139072456789", "20261128", "共3人反映", "2000年", "电梯坏了5天", "",
    "2026/11/28", "三栋二单元五零一", "一二三四五六七八九十",
]


@pytest.mark.parametrize("text", LEFT_ALONE)
def test_places_dates_times_prices_and_member_numbers_are_left_alone(text):
    assert mask(text) == text


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d",
             "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\u2060"]


@pytest.mark.parametrize("char", INVISIBLE)
def test_invisible_and_direction_characters_are_removed(char):
    assert clean(f"2{char}栋{char}王{char}") == "2栋王"


def test_shown_cleans_before_masking_so_a_hidden_character_cannot_shield_a_number():
    assert shown("打139\u200b0724\u200b5678找我") == "打139****5678找我"
    assert mask(None) == "" and clean(None) == "" and shown("大家好") == "大家好"


# --- through the stand-in -------------------------------------------------------------------------


@pytest.fixture
async def live(demo, parser):  # noqa: F811
    db, _summary = demo
    async with live_bot(db, parser) as lv:
        yield lv


def site(db, clock=None):
    from bot.infra.clock import SystemClock
    from bot.web.site import install

    app = FastAPI()
    install(app, db=db, settings=Settings(), clock=clock or SystemClock())
    return TestClient(app)


NUMBERS = ("13907241234", "420802199001011234", "19900101")


def leaks(text: str) -> list[str]:
    digits = re.sub(r"\D", "", text or "")
    return [n for n in NUMBERS if n in digits]


async def test_a_wish_with_a_phone_and_an_id_number_is_masked_on_the_wall_and_in_the_public_api(live, people):
    sc = live.sc
    said = "家里老人腿脚不便，想请志愿者帮忙每周买一次菜，联系我13907241234 身份证420802199001011234"
    await sc.send_text(people.r_wang, SUNSHINE, said)
    posted = await sc.wait_for_message(SUNSHINE, lambda m: "已记下心愿" in m["text"])
    assert not leaks(posted["text"])
    with live.db.session() as s:
        wish = s.exec(select(Wish).order_by(Wish.id.desc())).first()
    assert wish.text == said  # stored as written: the office may need it (an export --with-phones)
    client = site(live.db)
    page = client.get("/wall/白庙社区")
    assert page.status_code == 200 and f"W{wish.id}" in page.text
    assert "139****1234" in page.text and "420*************34" in page.text and not leaks(page.text)
    rows = client.get("/api/communities/白庙社区/wishes").json()
    (row,) = [r for r in rows if r["code"] == f"W{wish.id}"]
    assert row["text"].endswith("联系我139****1234 身份证420*************34") and not leaks(str(rows))


async def test_every_form_is_masked_in_the_group_reply_the_duplicate_offer_and_the_follow_up_card(live, people):
    sc = live.sc
    with live.db.transaction() as s:  # the building head has no chat account: named in the group
        head = ids.member_of(s, people.bh_s4)
        ids.bind(s, head, None)
        s.add(head)
    first = "4栋单元门坏了关不上，电话+8613907241234，身份证420802199001011234"
    await sc.send_text(people.r_li, SUNSHINE, first)
    recorded = await sc.wait_for_message(SUNSHINE, lambda m: "已记录" in m["text"])
    card = await sc.wait_for_message(SUNSHINE, lambda m: "请 朱红梅（楼栋长） 跟进" in m["text"])
    assert "+86139****1234" in card["text"] and "420*************34" in card["text"]
    alert = await sc.wait_for_message(people.gm2, lambda m: "问题 Q" in m["text"])  # a member's private card too
    assert "+86139****1234" in alert["text"]
    await sc.send_text(people.r_zhang, SUNSHINE, "4栋的单元门坏了一直关不上")
    offer = await sc.wait_for_message(SUNSHINE, lambda m: "可能已有人反映" in m["text"])
    for message in (recorded, card, alert, offer):
        assert not leaks(message["text"]), message["text"]
    problems = ("电梯坏了停在3楼", "楼上装修电钻声太吵了", "门口垃圾堆了两天没人清", "楼下有人把车停在消防通道上")
    forms = ("１３９０７２４１２３４", "139.0724.1234", "139 0724 1234", "42080219900101123X")
    for who, problem, form in zip(("r_wang", "r_zhang", "r_zhao", "r_li"), problems, forms):
        await sc.send_text(people[who], SUNSHINE, f"4栋{problem}，联系{form}")
        card = await sc.wait_for_message(SUNSHINE, lambda m: "请 朱红梅（楼栋长） 跟进" in m["text"])
        assert problem in card["text"] and ("****" in card["text"] or "*************3X" in card["text"])
    for message in await sc.messages(SUNSHINE):
        if message["from"]["is_bot"]:
            text = message.get("text") or message.get("caption") or ""
            assert not leaks(text) and "0724" not in text and "１２３４" not in text.replace("****１２３４", ""), text


async def test_an_invisible_character_no_longer_hides_the_building_nor_turns_a_name_round(live, people):
    sc = live.sc
    await sc.send_text(people.r_li, SUNSHINE, "2\u200b栋楼道灯坏了好几天了，晚上黑漆漆的")
    reply = await sc.wait_for_message(SUNSHINE, lambda m: "已记录" in m["text"] or "在哪栋楼" in m["text"])
    assert "已记录" in reply["text"] and "阳光花园2栋" in reply["text"]
    with live.db.session() as s:
        assert s.exec(select(Issue).order_by(Issue.id.desc())).first().text == "2栋楼道灯坏了好几天了，晚上黑漆漆的"
    flipped = await sc.add_user("\u202e姨阿周", id=7_300_001)
    await sc.add_member(SUNSHINE, flipped["id"])
    await sc.send_text(flipped["id"], SUNSHINE, "家里老人行动不便，想请志愿者帮忙每周买一次菜")
    await sc.wait_for_message(SUNSHINE, lambda m: "已记下心愿" in m["text"])
    with live.db.session() as s:
        assert s.exec(select(Resident).where(Resident.account_id == ids.known_account(s, flipped["id"]))).one().display_name == "姨阿周"
    page = site(live.db).get("/wall/白庙社区").text
    assert "姨**" in page and "\u202e" not in page


# --- every other place a resident's text is shown -----------------------------------------------------


def test_names_stored_before_the_cleaning_lose_their_invisible_characters_on_display(cw, people):
    with cw.db.transaction() as s:
        head = ids.member_of(s, people.bh_s4)
        head.name = "\u202e梅红朱"
        s.add(head)
    out = cw.say(people.r_li, SUNSHINE, "4栋单元门坏了关不上，外人随便进出")
    (reply,) = [m for m in out if m.chat_id == SUNSHINE]
    assert "楼栋长 梅红朱" in reply.text and all("\u202e" not in m.text for m in out)


def test_the_export_masks_texts_unless_phones_are_asked_for(cw, people, tmp_path):
    from openpyxl import load_workbook

    from bot.office.export import export_workbook
    from tests.conftest import TZ

    cw.say(people.r_li, SUNSHINE, "4栋单元门坏了，打我13907241234，身份证420802199001011234")
    with cw.db.session() as s:
        export_workbook(s, tmp_path / "masked.xlsx", tz=TZ)
        export_workbook(s, tmp_path / "full.xlsx", tz=TZ, with_phones=True)

    def cells(name):
        sheet = load_workbook(tmp_path / name)["问题"]
        return " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)

    assert "139****1234" in cells("masked.xlsx") and not leaks(cells("masked.xlsx"))
    assert "13907241234" in cells("full.xlsx") and "420802199001011234" in cells("full.xlsx")


def test_the_dashboard_the_issues_api_and_the_digests_mask_texts(cw, people):
    from bot.members import logins as access
    from bot.due.fire import due

    cw.say(people.r_li, SUNSHINE, "4栋单元门坏了，打我13907241234，身份证420802199001011234")
    with cw.db.transaction() as s:
        gm = ids.member_of(s, people.gm2)
        token = access.issue_login(s, gm, now=cw.clock.now())
    client = site(cw.db, cw.clock)
    headers = {"Authorization": f"Bearer {token}"}
    page = client.get("/dashboard", headers=headers)
    assert page.status_code == 200 and "139****1234" in page.text and not leaks(page.text)
    assert not leaks(str(client.get("/api/issues", headers=headers).json()))
    with cw.db.session() as s:  # tomorrow's morning digest and the escalations of the day
        later = [html_of(d.out) for d in due(s, cw.clock.now() + timedelta(hours=22, minutes=31), settings=cw.settings)]
    assert any("139****" in text for text in later) and not any(leaks(text) for text in later)


# --- what must never be masked, generated ---------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(role=st.integers(1, 6), community=st.integers(1, 999), unit=st.integers(0, 999), grid=st.integers(0, 99),
       building=st.integers(0, 999), seq=st.integers(1, 9999))
def test_no_member_number_is_ever_masked(role, community, unit, grid, building, seq):
    number = f"{role}-{community:03d}-{unit:03d}-{grid:02d}-{building:03d}-{seq:04d}"
    assert mask(f"/bind {number}") == f"/bind {number}" and mask(number + "，" + number) == number + "，" + number


@settings(max_examples=300, deadline=None)
@given(day=st.dates(), hour=st.integers(0, 23), minute=st.integers(0, 59), yuan=st.integers(0, 99_999),
       fen=st.integers(0, 99), building=st.integers(1, 99), unit=st.integers(1, 9), room=st.integers(101, 3299))
def test_no_date_time_price_or_address_is_ever_masked(day, hour, minute, yuan, fen, building, unit, room):
    text = (f"{day:%Y-%m-%d} {day:%Y/%m/%d} {day:%Y.%m.%d} {day.year}年{day.month}月{day.day}日 "
            f"{hour:02d}:{minute:02d}-{hour:02d}:{minute:02d} ¥{yuan}.{fen:02d} {yuan}元 "
            f"{building}栋{unit}单元{room}室 {building}#{room}")
    assert mask(text) == text
