"""Red team: spreadsheet formula injection in ``hgj export``.

openpyxl writes any string that begins with ``=`` as a formula: a resident who wrote
「=HYPERLINK("http://…","点此查看")」 in the group, or named their account 「=1+1」, had the office's
Excel run it when the export was opened. Every such text is written as text now."""

from __future__ import annotations

from openpyxl import load_workbook
from sqlmodel import select

from bot.office.export import export_workbook
from models import Issue, Member, Wish
from tests.chat.conftest import SUNSHINE, conversation, cw, demo, demo_template, parser, people  # noqa: F401
from tests.conftest import TZ
from tests import ids

LINK = '=HYPERLINK("http://evil.example/x","点此查看")'


def test_texts_and_names_that_look_like_formulas_are_exported_as_text(cw, people, tmp_path):
    cw.names[people.r_li] = "=1+1"
    cw.say(people.r_li, SUNSHINE, f"{LINK} 4栋单元门坏了关不上，外人随便进出")
    cw.say(people.r_zhang, SUNSHINE, "=cmd|' /C calc'!A0 想请人每周帮忙买一次菜")
    with cw.db.transaction() as s:
        head = ids.member_of(s, people.bh_s4)
        head.name, head.position = "=SUM(A1:A9)", "=A1"
        s.add(head)
    with cw.db.session() as s:
        assert s.exec(select(Issue).where(Issue.text.startswith("=HYPERLINK"))).first() is not None
        assert s.exec(select(Wish).where(Wish.text.startswith("=cmd"))).first() is not None
    for with_phones in (False, True):
        path = tmp_path / f"export-{with_phones}.xlsx"
        with cw.db.session() as s:
            export_workbook(s, path, tz=TZ, with_phones=with_phones)
        book = load_workbook(path)
        seen = {}
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and cell.value.startswith("="):
                        seen[cell.value] = cell.data_type
        assert seen, "the formula-like texts are in the export"
        assert set(seen.values()) == {"s"}, seen  # text, never a formula
        assert any(v.startswith("=HYPERLINK") for v in seen) and "=SUM(A1:A9)" in seen and "=1+1" in seen
        assert "=A1" in seen and any(v.startswith("=cmd") for v in seen)
