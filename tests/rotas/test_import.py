"""``hgj import-rota``: good and bad spreadsheets, all or nothing, rows numbered as shown; and the
``hgj due`` / ``hgj rotas`` commands as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from openpyxl import Workbook
from sqlmodel import select

from bot.rotas.importer import RotasRejected, import_rotas
from models import Rota, Shift

HEADER = "社区,名称,类型,节奏,时间,人数,网格,楼栋,队员\n"


def write(tmp_path, body: str, name="rota.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_good_file_imports_and_reimport_changes_nothing(db, world, clock, settings, tmp_path):
    path = write(
        tmp_path,
        "白庙社区,阳光花园夜巡,巡逻,每天,20:00-22:00,2,第一网格,3栋,张三、李四、王五\n"
        "白庙社区,周末值班,值班,周末,09:00-12:00,1,,,赵六 volunteer\n",
    )
    with db.transaction() as s:
        report = import_rotas(s, path, now=clock.now(), settings=settings)
        assert (report.rows, report.created, report.updated, report.unchanged) == (2, 2, 0, 0)
        night = s.exec(select(Rota).where(Rota.name == "阳光花园夜巡")).one()
        assert night.building_id == world.b3.id and night.grid_id == world.grid1.id and night.size == 2
        assert s.exec(select(Shift).where(Shift.rota_id == night.id)).first() is not None
    with db.transaction() as s:
        again = import_rotas(s, path, now=clock.now(), settings=settings)
        assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    changed = write(tmp_path, "白庙社区,阳光花园夜巡,巡逻,每天,21:00-23:00,2,第一网格,3栋,张三、李四、王五\n", "c.csv")
    with db.transaction() as s:
        assert import_rotas(s, changed, now=clock.now(), settings=settings).updated == 1
        starts = {sh.starts_at.hour for sh in s.exec(select(Shift).where(Shift.rota_id == night.id)).all()}
        assert starts == {13}  # 21:00 in Shanghai; the 20:00 shifts nobody checked in to are gone


def test_bad_rows_are_all_listed_with_spreadsheet_row_numbers_and_nothing_is_written(db, world, clock, settings, tmp_path):
    path = write(
        tmp_path,
        "白庙社区,好的一行,巡逻,每天,20:00-22:00,2,,,张三 李四\n"
        "白庙社区,坏类型,跳舞,每天,20:00-22:00,2,,,张三\n"
        "\n"
        "没有的社区,x,巡逻,每天,20:00-22:00,1,,,张三\n"
        "白庙社区,没时长,巡逻,每天,20:00,1,,,张三\n"
        "白庙社区,好的一行,巡逻,每月,8点-9点,1,第九网格,,没这个人\n",
    )
    with db.transaction() as s:
        with pytest.raises(RotasRejected) as err:
            import_rotas(s, path, now=clock.now(), settings=settings)
        s.rollback()
        assert s.exec(select(Rota)).all() == []
    errors = {e.row: e.reason for e in err.value.errors}
    assert set(errors) == {3, 5, 6, 7}  # the header is row 1; the empty row 4 is skipped but counted
    assert "类型「跳舞」无法识别" in errors[3]
    assert "没有找到社区「没有的社区」" in errors[5]
    assert "缺少时长" in errors[6]
    assert all(part in errors[7] for part in ("与第2行重名", "节奏「每月」", "没有网格「第九网格」", "没有叫「没这个人」"))
    assert "排班表有 4 行错误，未导入任何数据" == str(err.value)


def test_xlsx_with_english_headers(db, world, clock, settings, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["community", "name", "kind", "rhythm", "time", "duration", "size", "quorum", "team"])
    ws.append(["白庙社区", "Checkpoint", "checkpoint", "mon,wed,fri", "07:30", 90, 1, 2, "张三, 李四"])
    path = tmp_path / "rota.xlsx"
    wb.save(path)
    with db.transaction() as s:
        import_rotas(s, path, now=clock.now(), settings=settings)
        rota = s.exec(select(Rota)).one()
        assert (rota.weekdays, rota.duration_minutes, rota.size, rota.quorum) == ("135", 90, 1, 2)


@pytest.fixture
def hgj(tmp_path):
    env = {**os.environ, "HGJ_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "HGJ_TIMEZONE": "Asia/Shanghai"}

    def run(*args, ok=True):
        proc = subprocess.run([sys.executable, "-m", "bot.cli", *map(str, args)], capture_output=True, text=True,
                              env=env, cwd=tmp_path, timeout=120)
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc

    return run


@pytest.mark.slow
def test_cli_import_rota_due_and_rotas(hgj, tmp_path):
    hgj("demo-data")
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "白庙社区,夜巡,巡逻,每天,25:00,2,,,郑小红\n", encoding="utf-8")
    proc = hgj("import-rota", bad, ok=False)
    assert proc.returncode == 1 and "第2行：时间「25:00」无法识别" in proc.stderr and "Traceback" not in proc.stderr
    good = tmp_path / "good.csv"
    good.write_text(HEADER + "白庙社区,阳光花园夜巡,巡逻,每天,20:00-22:00,2,第一网格,,郑小红 冯伟 何晓燕\n", encoding="utf-8")
    assert "检查通过（未写入）" in hgj("import-rota", good, "--dry-run").stdout
    demo_rotas = json.loads(hgj("rotas", "--json").stdout)  # demo-data brings three demo rotas
    assert [r["name"] for r in demo_rotas] == ["阳光花园夜间巡逻", "社区工作室值班", "翠苑小区卡口值守"]
    assert "导入完成：1 行，新增 1" in hgj("import-rota", good).stdout
    listing = json.loads(hgj("rotas", "--json").stdout)
    imported = [r for r in listing if r["name"] == "阳光花园夜巡"]
    assert len(listing) == 4 and imported[0]["team"] == ["郑小红", "冯伟", "何晓燕"]
    first = imported[0]["next"]
    # what would go out at tomorrow 20:00 local: the start reminders of that shift, among others
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    tomorrow = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=1)).date()
    out = json.loads(hgj("due", "--at", f"{tomorrow}T20:00", "--json").stdout)
    starts = [d for d in out["due"] if d["what"] == "start"]
    # two people on the imported night patrol and two on the demo's 阳光花园夜间巡逻
    assert len(starts) == 4 and all(d["key"].startswith("start:shift:") for d in starts)
    on_shift = {d["to"] for d in starts}  # recipients by name, not by chat id
    assert on_shift and on_shift <= {"郑小红", "冯伟", "何晓燕"} | set(demo_rotas[0]["team"])
    assert out["at"].startswith(f"{tomorrow}T20:00:00+08:00")
    text = hgj("due", "--at", f"{tomorrow}T20:00").stdout
    assert "start" in text and "现在开始" in text and any(f"→ {name}" in text for name in on_shift)
    assert first["people"]
    assert "不是 ISO 格式" in hgj("due", "--at", "明天", ok=False).stderr
