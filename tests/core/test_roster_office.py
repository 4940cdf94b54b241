"""Rosters as community offices keep them: title rows above the header, merged cells, their own
header spellings, columns the bot does not use (序号, 性别, 身份证号, 备注), a 单位 for every role.
Every problem is named by the row and column the office sees, never by the member number."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlmodel import func, select

from bot.members.numbers import MemberNumber
from bot.members.roster import RosterRejected, import_roster
from models import Building, Community, Compound, Grid, Member, WorkUnit

ID_NUMBERS = ["420802196505051234", "420802198001011235", "42080219850202123X", "420802197003031236",
              "420802196004041237", "420802195505051238", "420802196606061239"]
OFFICE_HEADER = ["序号", "姓名", "性别", "身份证号", "联系电话", "角色", "所属社区", "所在网格", "楼栋号",
                 "工作单位", "职务", "备注"]
# what a 白庙社区 office sends: a unit for every role, phones typed, pasted and stored as numbers,
# names padded to line up, the community merged down its column
OFFICE_ROWS = [
    [1, "张建国", "男", ID_NUMBERS[0], 13907240001, "包联区领导", "白庙社区", "", "", "区政府办", "副区长", ""],
    [2, "李  明", "男", ID_NUMBERS[1], "13907240002", "包联单位人员", None, "第一网格", "", "区住建局", "科员", ""],
    [3, "陈静", "女", ID_NUMBERS[2], "139 0724 0005 ", "网格长", None, "白庙社区第一网格", "", "白庙社区居委会",
     "网格长", ""],
    [4, "王　芳", "女", ID_NUMBERS[3], 13907240006.0, "社区工作人员", None, "", "", "白庙社区居委会", "书记", ""],
    [5, "周德华", "男", ID_NUMBERS[4], "13907240008", "金牌调解员", None, "第一网格", "", "白庙社区人民调解委员会",
     "调解员", ""],
    [6, "郑小红 ", "女", ID_NUMBERS[5], "13907240010", "热心居民", None, "第一网格", "阳光花园2栋", "荆门市第一中学",
     "", "退休教师"],
    [7, "杨志强", "男", ID_NUMBERS[6], "13907240015", "楼栋长", None, "第一网格", "三号楼2单元", "荆门石化 ", "",
     "身份证 " + ID_NUMBERS[6]],
]


def office_roster(path: Path, rows=OFFICE_ROWS, header=OFFICE_HEADER, *, merge_community=True) -> Path:
    """Row 1 a title merged across, row 2 who filled it in, the header in row 3, members from row 4,
    the community merged down its column, a blank row at the end."""
    wb = Workbook()
    ws = wb.active
    ws.append(["白庙社区红管家花名册"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws.append(["填报单位：白庙社区居委会"] + [None] * (len(header) - 2) + ["填报日期：2026年11月"])
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    if merge_community and "所属社区" in header:
        col = header.index("所属社区") + 1
        ws.merge_cells(start_row=4, start_column=col, end_row=3 + len(rows), end_column=col)
    ws.append([None] * len(header))
    wb.save(path)
    return path


def write_csv(path: Path, rows) -> Path:
    with path.open("w", newline="", encoding="utf-8-sig") as f:
        csv.writer(f).writerows(rows)
    return path


def write_xlsx(path: Path, rows) -> Path:
    wb = Workbook()
    for row in rows:
        wb.active.append(list(row))
    wb.save(path)
    return path


def run(db, path, clock, **kw):
    with db.session() as session:
        try:
            report = import_roster(session, path, now=clock.now(), **kw)
            session.commit()
            return report
        except Exception:
            session.rollback()
            raise


def rejected(db, path, clock, **kw) -> list[str]:
    with pytest.raises(RosterRejected) as err:
        run(db, path, clock, **kw)
    return [str(e) for e in err.value.errors]


def member(s, name) -> Member:
    return s.exec(select(Member).where(Member.name == name)).one()


def snapshot(db):
    with db.session() as s:
        return [m.model_dump() for m in s.exec(select(Member).order_by(Member.id))]


def everything_stored(db) -> str:
    import models

    with db.engine.connect() as conn:
        return "\n".join(str(row) for table in models.metadata.sorted_tables for row in conn.execute(table.select()))


def count(db, model) -> int:
    with db.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_an_office_roster_imports_and_importing_it_again_changes_nothing(any_db, tmp_path, clock):
    db = any_db
    path = office_roster(tmp_path / "花名册.xlsx")
    report = run(db, path, clock)
    assert (report.rows, report.created, report.updated, report.unchanged) == (7, 7, 0, 0)
    assert report.header_row == 3
    assert report.ignored_columns == ["序号", "性别", "身份证号", "备注"]
    with db.session() as s:
        units = {m.name: m.work_unit_name for m in s.exec(select(Member))}
        assert units == {"张建国": "区政府办", "李明": "区住建局", "陈静": "白庙社区居委会", "王芳": "白庙社区居委会",
                         "周德华": "白庙社区人民调解委员会", "郑小红": "荆门市第一中学", "杨志强": "荆门石化"}
        assert {m.phone for m in s.exec(select(Member))} >= {"13907240001", "13907240005", "13907240006"}
        assert {c.name for c in s.exec(select(Community))} == {"白庙社区"}  # merged down the column
        assert [g.name for g in s.exec(select(Grid))] == ["第一网格"]
        chen = member(s, "陈静")
        assert chen.is_grid_manager and chen.position == "网格长" and chen.grid_id is not None
        head = member(s, "杨志强")
        assert s.get(Building, head.building_id).number == "3"
    before = snapshot(db)
    again = run(db, path, clock)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 7)
    assert sum(again.places_created.values()) == 0 and again.new_communities == []
    assert snapshot(db) == before
    stored = everything_stored(db)
    assert "13907240001" in stored and "副区长" in stored
    assert not any(n[:12] in stored for n in ID_NUMBERS)  # the ID column and the 备注 are never kept


def test_every_role_keeps_its_unit_and_only_a_unit_cadres_is_in_the_number(db, tmp_path, clock):
    path = write_csv(tmp_path / "r.csv", [
        ["姓名", "手机号", "角色", "社区", "单位"],
        ["张建国", "13907240001", "1", "白庙社区", "区政府办"],
        ["李明", "13907240002", "2", "白庙社区", "区住建局"],
        ["刘洋", "13907240004", "3", "白庙社区", "白庙社区居委会"],
        ["郑小红", "13907240010", "5", "白庙社区", "荆门市第一中学"],
    ])
    run(db, path, clock)
    with db.session() as s:
        units = {m.name: (MemberNumber.parse(m.number).unit, m.work_unit_name) for m in s.exec(select(Member))}
        cadre_unit = s.exec(select(WorkUnit)).one()  # the only coded, scored unit
        assert cadre_unit.name == "区住建局"
        assert units == {"张建国": (0, "区政府办"), "李明": (cadre_unit.code, "区住建局"),
                         "刘洋": (0, "白庙社区居委会"), "郑小红": (0, "荆门市第一中学")}
        assert member(s, "刘洋").work_unit_id is None


def test_a_unit_cadre_who_becomes_a_community_worker_keeps_the_unit_and_gets_a_new_number(db, tmp_path, clock):
    header = ["姓名", "手机号", "角色", "社区", "单位"]
    run(db, write_csv(tmp_path / "a.csv", [header, ["李明", "13907240002", "2", "白庙社区", "区住建局"]]), clock)
    report = run(db, write_csv(tmp_path / "b.csv", [header, ["李明", "13907240002", "3", "白庙社区", "区住建局"]]),
                 clock)
    assert report.updated == 1
    with db.session() as s:
        li = member(s, "李明")
        assert li.number.startswith("3-001-000-") and li.seq == 1
        assert li.work_unit_name == "区住建局" and li.work_unit_id is None


def test_errors_name_the_row_and_column_as_the_office_filled_them_never_the_number(db, tmp_path, clock):
    header = ["序号", "姓名", "联系电话", "角色", "所属社区", "楼栋号", "工作单位", "职务"]
    rows = [
        [1, "甲", "13800000001", "包联单位人员", "白庙社区", "", "", ""],
        [2, "乙", "13800000002", "书记", "白庙社区", "", "白庙社区居委会", ""],
        [3, "丙", "12345", "热心居民", "白庙社区", "", "", ""],
        [4, "丁", "13800000004", "楼栋长", "白庙社区", "", "", ""],
        [5, "戊", "13800000005", "热心居民", "白庙社区", "3栋、4栋", "", ""],
        [6, "己", "13800000006", "热心居民", "白庙社区", "", "单" * 70, ""],
    ]
    errors = rejected(db, office_roster(tmp_path / "r.xlsx", rows, header), clock)
    assert errors == [
        "第4行 工作单位：2号红管家（包联单位人员）须填写所在单位",
        "第5行 角色：「书记」是职务，不是红管家角色：职务请填在职务列，这里填 1–6 或 "
        "包联区领导/包联单位人员/社区工作人员/网格员/议事团队成员/金牌调解员/热心居民/楼栋长",
        "第6行 联系电话：「12345」不是有效的11位手机号",
        "第7行 楼栋号：6号红管家（楼栋长）须填写所管楼栋",
        "第8行 楼栋号：「3栋、4栋」是几栋楼，一位红管家只能填一栋",
        "第9行 工作单位：「" + "单" * 29 + "…」太长（最多 64 个字）",
    ]
    assert not any(re.search(r"编号|代码|第\d段|000", e) for e in errors)
    assert count(db, Member) == 0


def test_id_numbers_are_never_stored_nor_repeated_in_errors(db, tmp_path, clock):
    header = ["姓名", "身份证号", "手机号", "角色", "社区", "备注"]
    bad = write_xlsx(tmp_path / "bad.xlsx", [
        header,
        ["甲", ID_NUMBERS[0], ID_NUMBERS[0], "热心居民", "白庙社区", ""],       # the ID pasted into the phone column
        ["乙" + ID_NUMBERS[1], ID_NUMBERS[1], "13800000002", "热心居民", "白庙社区", ""],
        ["丙", ID_NUMBERS[2], "13800000003", ID_NUMBERS[2], "白庙社区", ""],
    ])
    errors = rejected(db, bad, clock)
    assert [e.split("：")[0] for e in errors] == ["第2行 手机号", "第3行 姓名", "第4行 角色"]
    assert not any(n[:10] in e or n[-8:] in e for e in errors for n in ID_NUMBERS)
    good = write_xlsx(tmp_path / "good.xlsx", [header, ["甲", ID_NUMBERS[0], "13800000001", "5", "白庙社区",
                                                       "身份证号 " + ID_NUMBERS[0]]])
    assert run(db, good, clock).ignored_columns == ["身份证号", "备注"]
    assert ID_NUMBERS[0][:12] not in everything_stored(db)


@pytest.mark.parametrize("header", [
    ["姓名", "联系电话", "角色", "所属社区", "所在网格", "楼栋号", "工作单位", "职务"],
    ["姓名", "手机", "角色", "所在社区", "网格", "楼栋", "所在单位", "岗位"],
    ["姓 名", "电话", "红管家类别", "社区（村）", "所属网格", "所在楼栋", "单位名称", "职位"],
    ["*姓名", "手机号（必填）", "角色：", "社区", "网格", "楼栋号", "所属单位", "职务"],
], ids=["联系电话", "手机", "电话", "notes"])
def test_common_header_spellings_are_understood(db, tmp_path, clock, header):
    path = write_csv(tmp_path / "r.csv", [header, ["朱红梅", "13907240016", "6", "白庙社区", "第二网格", "4栋",
                                                  "白庙社区居委会", "楼栋长"]])
    report = run(db, path, clock)
    assert report.created == 1 and report.ignored_columns == []
    with db.session() as s:
        zhu = member(s, "朱红梅")
        assert (zhu.phone, zhu.role, zhu.work_unit_name, zhu.position) == ("13907240016", 6, "白庙社区居委会", "楼栋长")
        assert s.get(Grid, zhu.grid_id).name == "第二网格" and s.get(Building, zhu.building_id).number == "4"


def test_the_better_of_two_phone_columns_is_read_and_the_other_listed(db, tmp_path, clock):
    path = write_csv(tmp_path / "r.csv", [["姓名", "联系电话", "手机号", "角色", "社区"],
                                          ["甲", "0724-2345678", "13800000001", "5", "白庙社区"]])
    report = run(db, path, clock)
    assert report.ignored_columns == ["联系电话"]
    with db.session() as s:
        assert member(s, "甲").phone == "13800000001"


def test_a_header_below_title_rows_is_found_and_rows_keep_the_numbers_the_sheet_shows(db, tmp_path, clock):
    wb = Workbook()
    ws = wb.active
    ws.append(["白庙社区红管家花名册"])
    ws.merge_cells("A1:E1")
    ws.append([])  # an empty row between title and header
    ws.append(["（2026年11月更新）"])
    ws.append(["姓名", "手机号", "角色", "社区", "网格"])
    ws.append(["甲", "13800000001", "5", "白庙社区", ""])
    ws.append(["乙", "138", "5", "白庙社区", ""])
    wb.save(tmp_path / "r.xlsx")
    assert rejected(db, tmp_path / "r.xlsx", clock) == ["第6行 手机号：「138」不是有效的11位手机号"]
    csv_path = write_csv(tmp_path / "r.csv", [["白庙社区红管家花名册", "", ""], ["姓名", "手机号", "社区"],
                                              ["甲", "13800000001", "白庙社区"]])
    with pytest.raises(Exception, match=r"第2行（表头）缺少列：角色"):
        run(db, csv_path, clock)


def test_a_missing_column_is_named_with_the_headers_that_were_not_understood(db, tmp_path, clock):
    path = write_csv(tmp_path / "r.csv", [["序号", "姓名", "联系手机", "角色", "社区"], [1, "甲", "13800000001", "5", "x"]])
    with pytest.raises(Exception, match=r"第1行（表头）缺少列：手机号（表头里没认出的列：序号、联系手机）"):
        run(db, path, clock)
    nothing = write_csv(tmp_path / "n.csv", [["白庙社区"], ["甲", "13800000001"]])
    with pytest.raises(Exception, match="找不到表头"):
        run(db, nothing, clock)


def test_cells_as_offices_fill_them(db, tmp_path, clock):
    path = write_xlsx(tmp_path / "r.xlsx", [
        ["序号", "姓名", "性别", "手机号", "角色", "社区", "备注", None],
        [1, " 王　芳 ", "女", 13907240006, "3", "白庙社区 ", "新任", "（手写补充）"],
        [2, "Li  Na", "女", 13907240007.0, " 热心居民 ", "白庙社区", "", None],
        [3, "张三", "男", "+86 139-0724-0008", "5号红管家", "白庙社区", "", None],
        [4, "赵四", "男", "13907240009 / 0724-2345678", "五号", "白庙社区", "", None],
        [5, None, None, None, None, None, None, None],  # 序号 of an unused line
        [None] * 8,
        [None] * 8,
    ])
    report = run(db, path, clock)
    assert report.created == 4 and report.skipped_rows == [6]
    assert report.ignored_columns == ["序号", "性别", "备注", "H列（无表头）"]
    with db.session() as s:
        assert {m.name: m.phone for m in s.exec(select(Member))} == {
            "王芳": "13907240006", "Li Na": "13907240007", "张三": "13907240008", "赵四": "13907240009"}
        assert {c.name for c in s.exec(select(Community))} == {"白庙社区"}


def test_phone_cells_that_cannot_be_a_mobile_say_why(db, tmp_path, clock):
    path = write_csv(tmp_path / "r.csv", [
        ["姓名", "手机号", "角色", "社区"],
        ["甲", "0724-2345678", "5", "白庙社区"],
        ["乙", "1.39072E+10", "5", "白庙社区"],
        ["丙", "13907240001、13907240002", "5", "白庙社区"],
    ])
    assert rejected(db, path, clock) == [
        "第2行 手机号：「0724-2345678」是固定电话，请填11位手机号",
        "第3行 手机号：「1.39072E+10」是科学计数法，号码的后几位已经丢了：请把这一列设为文本，重新填写号码",
        "第4行 手机号：「13907240001、13907240002」里有几个手机号，请只留一个",
    ]


def test_merged_section_rows_and_a_repeated_header_are_skipped(db, tmp_path, clock):
    wb = Workbook()
    ws = wb.active
    header = ["姓名", "手机号", "角色", "社区", "网格"]
    ws.append(header)
    ws.append(["第一网格"])
    ws.merge_cells("A2:E2")
    ws.append(["甲", "13800000001", "5", "白庙社区", "第一网格"])
    ws.append(header)  # a second block pasted under the first
    ws.append(["乙", "13800000002", "5", "白庙社区", "第二网格"])
    wb.save(tmp_path / "r.xlsx")
    report = run(db, tmp_path / "r.xlsx", clock)
    assert report.created == 2 and report.section_rows == [(2, "第一网格")]


def test_roles_and_positions_as_offices_write_them(db, tmp_path, clock):
    path = write_csv(tmp_path / "r.csv", [
        ["姓名", "手机号", "角色", "社区", "网格", "单位", "职务"],
        ["陈静", "13800000001", "网格长", "白庙社区", "第一网格", "白庙社区居委会", ""],
        ["王芳", "13800000002", "社区工作人员", "白庙社区", "", "白庙社区居委会", "书记、主任"],
        ["刘洋", "13800000003", "3", "白庙社区", "", "白庙社区居委会", "管理员"],
        ["李明", "13800000004", "包联（驻地）单位人员", "白庙社区", "", "区住建局", ""],
        ["冯伟", "13800000005", "三号红管家", "白庙社区", "", "", "物业管理员"],
        ["周德华", "13800000006", "4", "白庙社区", "", "", "人民调解员"],
        ["高志远", "13800000007", "区领导", "白庙社区", "", "区政府办", "副区长"],
    ])
    run(db, path, clock)
    with db.session() as s:
        flags = {m.name: (m.role, m.is_grid_manager, m.is_mediator, m.is_office_admin,
                          m.position) for m in s.exec(select(Member))}
    assert flags == {
        "陈静": (3, True, False, False, ""),
        "王芳": (3, False, False, False, "书记、主任"),  # a position, no rights
        "刘洋": (3, False, False, True, "管理员"),
        "李明": (2, False, False, False, ""),
        "冯伟": (3, False, False, False, "物业管理员"),  # not the office's 管理员
        "周德华": (4, False, True, False, "人民调解员"),
        "高志远": (1, False, False, False, "副区长"),
    }


def test_buildings_as_offices_write_them(db, tmp_path, clock):
    path = write_csv(tmp_path / "r.csv", [
        ["姓名", "手机号", "角色", "社区", "小区", "楼栋"],
        ["甲", "13800000001", "6", "白庙社区", "", "3栋2单元"],
        ["乙", "13800000002", "6", "白庙社区", "", "阳光花园5栋"],
        ["丙", "13800000003", "6", "白庙社区", "阳光花园", "阳光花园6号楼"],
        ["丁", "13800000004", "6", "白庙社区", "翠苑小区", "阳光花园7栋"],
        ["戊", "13800000005", "6", "白庙社区", "", "1-3栋"],
    ])
    assert rejected(db, path, clock) == [
        "第5行 楼栋：「阳光花园7栋」与小区「翠苑小区」不一致",
        "第6行 楼栋：「1-3栋」是几栋楼，一位红管家只能填一栋",
    ]
    good = write_csv(tmp_path / "g.csv", [
        ["姓名", "手机号", "角色", "社区", "小区", "楼栋"],
        ["甲", "13800000001", "6", "白庙社区", "", "3栋2单元"],
        ["乙", "13800000002", "6", "白庙社区", "", "阳光花园5栋"],
        ["丙", "13800000003", "6", "白庙社区", "阳光花园", "阳光花园6号楼"],
    ])
    run(db, good, clock)
    with db.session() as s:
        compounds = {c.id: c.name for c in s.exec(select(Compound))}
        buildings = {b.id: (b.number, compounds.get(b.compound_id, "")) for b in s.exec(select(Building))}
        places = {m.name: buildings[m.building_id] for m in s.exec(select(Member))}
    assert places == {"甲": ("3", ""), "乙": ("5", "阳光花园"), "丙": ("6", "阳光花园")}


def test_a_column_the_sheet_lacks_keeps_what_members_have_and_community_can_be_given(db, tmp_path, clock):
    run(db, write_csv(tmp_path / "a.csv", [
        ["姓名", "手机号", "角色", "社区", "网格", "楼栋", "单位", "职务"],
        ["杨志强", "13907240015", "楼栋长", "白庙社区", "第一网格", "3栋", "荆门石化", "退休职工"],
    ]), clock)
    before = snapshot(db)
    # a phone list without 社区, 网格, 楼栋, 单位 and 职务: nothing the member has is wiped
    report = run(db, write_csv(tmp_path / "b.csv", [["姓名", "手机号", "角色"], ["杨志强", "13907240015", "6"]]),
                 clock, community="白庙社区")
    assert report.unchanged == 1 and snapshot(db) == before
    # an empty cell in a column the sheet has clears the value
    run(db, write_csv(tmp_path / "c.csv", [["姓名", "手机号", "角色", "社区", "职务"],
                                           ["杨志强", "13907240015", "6", "", ""]]), clock, community="白庙社区")
    with db.session() as s:
        assert member(s, "杨志强").position == "" and member(s, "杨志强").work_unit_name == "荆门石化"
    new_head = write_csv(tmp_path / "d.csv", [["姓名", "手机号", "角色"], ["朱红梅", "13907240016", "6"]])
    assert rejected(db, new_head, clock, community="白庙社区") == ["第2行 楼栋：6号红管家（楼栋长）须填写所管楼栋"]


def test_the_export_shows_every_members_unit_and_position(db, tmp_path, clock):
    from openpyxl import load_workbook

    from bot.office.export import export_workbook
    from tests.conftest import TZ

    run(db, office_roster(tmp_path / "r.xlsx"), clock)
    with db.session() as s:
        export_workbook(s, tmp_path / "out.xlsx", tz=TZ)
    sheet = load_workbook(tmp_path / "out.xlsx", read_only=True)["成员"]
    header, *rows = sheet.iter_rows(values_only=True)
    name, unit, position = header.index("姓名"), header.index("单位"), header.index("职务")
    assert {r[name]: (r[unit], r[position]) for r in rows} == {
        "张建国": ("区政府办", "副区长"), "李明": ("区住建局", "科员"), "陈静": ("白庙社区居委会", "网格长"),
        "王芳": ("白庙社区居委会", "书记"), "周德华": ("白庙社区人民调解委员会", "调解员"),
        "郑小红": ("荆门市第一中学", None), "杨志强": ("荆门石化", None),
    }


def test_a_two_row_header_on_the_sheet_after_the_instructions(db, tmp_path, clock):
    wb = Workbook()
    wb.active.title = "填表说明"
    wb.active.append(["1. 手机号请填写11位手机号码"])
    wb.active.append(["2. 角色填 1–6"])
    ws = wb.create_sheet("花名册")
    ws.append(["白庙社区红管家花名册"])
    ws.merge_cells("A1:F1")
    ws.append(["姓名", "联系方式", None, "角色", "社区", "备注"])
    ws.append([None, "手机", "座机", None, None, None])
    for column in "ADEF":
        ws.merge_cells(f"{column}2:{column}3")
    ws.merge_cells("B2:C2")
    ws.append(["甲", "13800000001", "0724-1234567", "5", "白庙社区", ""])
    ws.append(["乙", "13800000002", "", "5", "白庙社区", ""])
    ws.append(["丙", "138", "", "5", "白庙社区", ""])
    wb.save(tmp_path / "r.xlsx")
    assert rejected(db, tmp_path / "r.xlsx", clock) == ["第6行 手机：「138」不是有效的11位手机号"]
    ws.delete_rows(6)
    wb.save(tmp_path / "r.xlsx")
    report = run(db, tmp_path / "r.xlsx", clock)
    assert report.created == 2 and report.header_row == 3 and report.ignored_columns == ["座机", "备注"]


def test_invisible_and_control_characters_in_cells_are_dropped(db, tmp_path, clock):
    path = write_csv(tmp_path / "r.csv", [["姓名", "手机号", "角色", "社区", "楼栋"],
                                          ["\u202e马桂兰\x00", "1390724\u200b0014", "楼栋长", "白庙社区\ufeff", "2\u200b栋"]])
    run(db, path, clock)
    with db.session() as s:
        ma = s.exec(select(Member)).one()
        assert (ma.name, ma.phone, s.get(Building, ma.building_id).number) == ("马桂兰", "13907240014", "2")
        assert s.exec(select(Community)).one().name == "白庙社区"
