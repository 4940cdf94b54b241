"""Roster import: all or nothing, every bad row named by its spreadsheet row number."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import func, select

from bot.members.roster import RosterRejected, import_roster
from models import Building, Community, Grid, Member, Resident
from tests import ids


def write_csv(path: Path, rows, encoding="utf-8-sig") -> Path:
    with path.open("w", newline="", encoding=encoding) as f:
        csv.writer(f).writerows(rows)
    return path


def write_xlsx(path: Path, rows) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


HEADER_ZH = ["姓名", "手机号", "角色", "社区", "网格", "楼栋", "单位"]
GOOD = [
    HEADER_ZH,
    ["张建国", "13907240001", "包联区领导", "白庙社区", "", "", ""],
    ["李明", "13907240002", "2", "白庙社区", "第一网格", "", "区住建局"],
    ["陈静", "139 0724 0005", "网格员", "白庙社区", "第一网格", "", ""],
    ["周德华", "13907240008", "金牌调解员", "白庙社区", "第一网格", "", ""],
    ["郑小红", "13907240010", "热心居民", "白庙社区", "第一网格", "2栋", ""],
    ["杨志强", "13907240015", "6", "白庙社区", "第一网格", "三号楼", ""],
]


def count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def run(db, path, clock, **kw):
    with db.session() as session:
        try:
            report = import_roster(session, path, now=clock.now(), **kw)
            if kw.get("dry_run"):
                session.rollback()
            else:
                session.commit()
            return report
        except Exception:
            session.rollback()
            raise


@pytest.mark.parametrize("writer", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_a_good_roster_creates_members_and_places(db, tmp_path, clock, writer):
    path = writer(tmp_path / ("r.csv" if writer is write_csv else "r.xlsx"), GOOD)
    report = run(db, path, clock)
    assert (report.rows, report.created, report.updated, report.unchanged) == (6, 6, 0, 0)
    assert report.places_created["社区"] == 1 and report.places_created["楼栋"] == 2
    with db.session() as s:
        gm = s.exec(select(Member).where(Member.name == "陈静")).one()
        assert gm.is_grid_manager and gm.role == 3 and gm.phone == "13907240005"
        assert s.exec(select(Member).where(Member.name == "周德华")).one().is_mediator
        head = s.exec(select(Member).where(Member.name == "杨志强")).one()
        assert s.get(Building, head.building_id).number == "3"
        assert head.grid_id == s.exec(select(Grid.id).where(Grid.name == "第一网格")).one()


def test_importing_the_same_file_again_changes_nothing(db, tmp_path, clock):
    path = write_csv(tmp_path / "r.csv", GOOD)
    run(db, path, clock)
    with db.session() as s:
        before = [(m.id, m.number, m.updated_at) for m in s.exec(select(Member).order_by(Member.id))]
    report = run(db, path, clock)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 6)
    assert sum(report.places_created.values()) == 0
    with db.session() as s:
        after = [(m.id, m.number, m.updated_at) for m in s.exec(select(Member).order_by(Member.id))]
    assert before == after


def test_a_changed_row_updates_the_member(db, tmp_path, clock):
    run(db, write_csv(tmp_path / "a.csv", GOOD), clock)
    changed = [row[:] for row in GOOD]
    changed[5][5] = "5栋"  # 郑小红 moves to 5栋
    report = run(db, write_csv(tmp_path / "b.csv", changed), clock)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 5)


def test_bad_rows_are_all_listed_with_spreadsheet_row_numbers_and_nothing_is_written(db, tmp_path, clock):
    rows = [
        HEADER_ZH,
        ["好人", "13800000001", "5", "白庙社区", "", "", ""],          # row 2: fine
        ["坏角色", "13800000002", "7", "白庙社区", "", "", ""],         # row 3
        [None, None, None, None, None, None, None],                     # row 4: blank, skipped
        ["坏手机", "1380000", "热心居民", "白庙社区", "", "", ""],       # row 5
        ["", "13800000004", "热心居民", "白庙社区", "", "", ""],         # row 6: no name
        ["重复", "13800000001", "热心居民", "白庙社区", "", "", ""],     # row 7: duplicate phone
        ["无楼", "13800000006", "楼栋长", "白庙社区", "", "", ""],       # row 8: head without building
    ]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    with pytest.raises(RosterRejected) as err:
        run(db, path, clock)
    found = {e.row: str(e) for e in err.value.errors}
    assert sorted(found) == [3, 5, 6, 7, 8]
    assert found[3].startswith("第3行 角色：「7」无法识别")
    assert found[5] == "第5行 手机号：「1380000」不是有效的11位手机号"
    assert found[6] == "第6行 姓名：没有填写"
    assert found[7] == "第7行 手机号：与第2行重复"
    assert found[8] == "第8行 楼栋：6号红管家（楼栋长）须填写所管楼栋"
    with db.session() as s:
        assert count(s, Member) == 0 and count(s, Community) == 0


def test_dry_run_reports_but_writes_nothing(db, tmp_path, clock):
    report = run(db, write_csv(tmp_path / "r.csv", GOOD), clock, dry_run=True)
    assert report.created == 6 and report.dry_run
    with db.session() as s:
        assert count(s, Member) == 0


def test_english_headers_gbk_csv_and_telegram_prebinding(db, tmp_path, clock):
    rows = [
        ["name", "phone", "role", "community", "grid", "building", "unit", "telegram_id"],
        ["Chen", "13907240005", "3", "白庙社区", "1", "", "", "777001"],
    ]
    run(db, write_csv(tmp_path / "en.csv", rows, encoding="gb18030"), clock)
    with db.session() as s:
        m = s.exec(select(Member)).one()
        assert ids.member_telegram_id(s, m) == 777001
        assert s.exec(select(Resident).where(Resident.account_id == ids.known_account(s, 777001))).one().member_id == m.id


def test_a_missing_required_column_is_named(db, tmp_path, clock):
    path = write_csv(tmp_path / "r.csv", [["姓名", "角色", "社区"], ["a", "5", "x"]])
    with pytest.raises(Exception, match="手机号"):
        run(db, path, clock)


def test_a_telegram_id_held_by_someone_else_rejects_the_file(db, tmp_path, clock):
    rows = [HEADER_ZH + ["电报ID"], ["甲", "13800000001", "5", "白庙社区", "", "", "", "42"]]
    run(db, write_csv(tmp_path / "a.csv", rows), clock)
    rows2 = [HEADER_ZH + ["电报ID"],
             ["乙", "13800000002", "5", "白庙社区", "", "", "", ""],
             ["丙", "13800000003", "5", "白庙社区", "", "", "", "42"]]
    with pytest.raises(RosterRejected) as err:
        run(db, write_csv(tmp_path / "b.csv", rows2), clock)
    assert [e.row for e in err.value.errors] == [3]
    with db.session() as s:
        assert count(s, Member) == 1  # 乙 was not written either
