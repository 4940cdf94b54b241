"""The ``hgj`` command line, run as a user runs it: a separate process, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from openpyxl import load_workbook


@pytest.fixture
def hgj(tmp_path):
    env = {**os.environ, "HGJ_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}

    def run(*args, ok=True):
        proc = subprocess.run([sys.executable, "-m", "bot.cli", *map(str, args)], capture_output=True,
                              text=True, env=env, cwd=tmp_path, timeout=120)
        if ok:
            assert proc.returncode == 0, proc.stderr
        return proc

    return run


def test_demo_data_stats_export_and_bind(hgj, tmp_path):
    assert "数据库已就绪" in hgj("init").stdout
    assert "演示数据已写入" in hgj("demo-data").stdout
    again = hgj("demo-data", ok=False)
    assert again.returncode != 0 and "已存在" in again.stderr and "Traceback" not in again.stderr

    data = json.loads(hgj("stats", "--json").stdout)
    assert {"collected", "accepted", "solved"} <= data.keys()
    assert data["collected"] >= data["accepted"] >= data["solved"] > 0
    assert [c["community"] for c in data["communities"]] == ["白庙社区", "月亮湖社区"]
    assert "收集" in hgj("stats").stdout

    out = tmp_path / "out.xlsx"
    hgj("export", out)
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["问题", "心愿", "成员", "积分"]
    phones = [row[7] for row in wb["成员"].iter_rows(min_row=2, values_only=True)]
    assert phones and all("****" in p for p in phones)
    hgj("export", tmp_path / "full.xlsx", "--with-phones")
    full = load_workbook(tmp_path / "full.xlsx", read_only=True)
    assert all("****" not in row[7] for row in full["成员"].iter_rows(min_row=2, values_only=True))

    assert "已绑定" in hgj("bind-group", "-100555", "--community", "白庙社区", "--grid", "第二网格").stdout
    bad = hgj("bind-group", "-100555", "--community", "没有这个社区", ok=False)
    assert bad.returncode != 0 and bad.stderr.strip().count("\n") == 0 and "没有找到社区" in bad.stderr
    # a person's private chat (a positive Telegram id) is no group to bind
    private = hgj("bind-group", "7000004", "--community", "白庙社区", ok=False)
    assert private.returncode != 0 and "不是 Telegram 群聊" in private.stderr and "Traceback" not in private.stderr


def test_binding_a_group_by_the_id_it_had_before_it_became_a_supergroup_binds_the_supergroup(hgj, tmp_path):
    from datetime import datetime, timezone

    from bot import identities
    from bot.infra.db import Database
    from bot.places import groups
    from models import ChatGroup, Grid

    hgj("init")
    hgj("demo-data")
    assert "已绑定" in hgj("bind-group", "-4000000077", "--community", "白庙社区").stdout
    db = Database(f"sqlite:///{tmp_path / 'cli.db'}")
    with db.transaction() as s:  # what the bot does when Telegram says the group was upgraded
        old = identities.resolve_chat(s, "telegram", "-4000000077", kind="group").id
        new = identities.resolve_chat(s, "telegram", "-1004000000077", kind="group").id
        groups.move_chat(s, old, new, now=datetime.now(timezone.utc))
    db.engine.dispose()

    # the admin still has the old id from before: the group as it is now gets the new binding
    out = hgj("bind-group", "-4000000077", "--community", "白庙社区", "--grid", "第二网格", "--force").stdout
    assert "已升级为超级群" in out and "-1004000000077" in out
    db = Database(f"sqlite:///{tmp_path / 'cli.db'}")
    with db.session() as s:
        assert s.get(ChatGroup, old) is None
        bound = s.get(ChatGroup, new)
        assert bound is not None and s.get(Grid, bound.grid_id).name == "第二网格"
    db.engine.dispose()


def test_roster_errors_exit_non_zero_with_row_numbers(hgj, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("姓名,手机号,角色,社区\n张三,13800000001,5,白庙社区\n李四,123,5,白庙社区\n", encoding="utf-8")
    proc = hgj("import-roster", path, ok=False)
    assert proc.returncode != 0
    assert "第3行" in proc.stderr and "Traceback" not in proc.stderr
    ok = tmp_path / "ok.csv"
    ok.write_text("姓名,手机号,角色,社区\n张三,13800000001,5,白庙社区\n", encoding="utf-8")
    assert "检查通过（未写入）：1 行，新增 1" in hgj("import-roster", ok, "--dry-run").stdout
    assert "导入完成：1 行，新增 1" in hgj("import-roster", ok).stdout
    assert "未变 1" in hgj("import-roster", ok).stdout
    missing = hgj("import-roster", tmp_path / "nope.xlsx", ok=False)
    assert missing.returncode != 0 and "找不到文件" in missing.stderr


def test_an_office_roster_reports_what_it_did_not_read_once(hgj, tmp_path):
    from tests.core.test_roster_office import office_roster

    path = office_roster(tmp_path / "花名册.xlsx")
    out = hgj("import-roster", path).stdout
    assert "导入完成：7 行，新增 7" in out and "新建社区：白庙社区" in out
    assert "表头在第3行" in out
    assert out.count("未导入的列：序号、性别、身份证号、备注（这些列不保存）") == 1
    assert "4208021" not in out
    again = hgj("import-roster", path).stdout
    assert "未变 7" in again and "新建" not in again


def test_whois_explains_a_number(hgj):
    assert "楼栋长" in hgj("whois", "6-012-000-03-005-0042").stdout
    bad = hgj("whois", "9-1", ok=False)
    assert bad.returncode != 0 and "格式" in bad.stderr
