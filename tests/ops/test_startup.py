"""What an operator sees when the configuration is wrong, through the real ``hgj`` command and
``python -m bot.cli.scheduler`` in a subprocess: one line on stderr, a non-zero exit, no traceback;
and the HGJ_* variables that are no setting, named once at start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.infra.config import setting_names, unknown_variables, unknown_variables_line

REPO = Path(__file__).resolve().parents[2]
HGJ = Path(sys.executable).with_name("hgj")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HGJ_")}
    env.update({"HGJ_DATABASE_URL": f"sqlite:///{tmp_path / 'hgj.db'}", **extra})
    return env


def _hgj(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    command = [str(HGJ)] if HGJ.exists() else [sys.executable, "-m", "bot.cli"]
    # run in tmp_path: a .env of the developer's checkout must not take part
    return subprocess.run([*command, *args], cwd=tmp_path, env=_env(tmp_path, **env), capture_output=True,
                          text=True, timeout=120)


def _one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.parametrize(("url", "code", "words"), [
    ("postgres://hgj:pw@db/hgj", 2, ["postgres://", "postgresql+psycopg://"]),
    ("postgresql+asyncpg://hgj:pw@db/hgj", 2, ["asyncpg", "postgresql+psycopg://"]),
    ("mysql://hgj:pw@db/hgj", 2, ["mysql", "PostgreSQL"]),
    ("not a url", 2, ["不是数据库地址"]),
    ("postgresql+psycopg://hgj:pw-secret@127.0.0.1:1/hgj", 1, ["无法使用数据库", "127.0.0.1:1", "refused"]),
    ("sqlite:////nonexistent-dir/hgj.db", 1, ["无法使用数据库", "unable to open database file"]),
])
def test_a_database_the_bot_cannot_use_is_one_line_and_a_non_zero_exit(tmp_path, url, code, words):
    proc = _hgj(tmp_path, "init", HGJ_DATABASE_URL=url)
    assert proc.returncode == code
    line = _one_line(proc.stderr)
    assert line.startswith("错误: ")
    for word in words:
        assert word in line
    assert "pw-secret" not in line and "pw@" not in line  # the password is never printed


@pytest.mark.parametrize(("url", "code"), [("postgres://hgj:pw@db/hgj", 2),
                                           ("postgresql+psycopg://hgj:pw@127.0.0.1:1/hgj", 1)])
def test_hgj_run_stops_in_one_line_with_the_code_systemd_acts_on(tmp_path, url, code):
    """2: systemd does not restart (RestartPreventExitStatus=2); 1: it tries again (the database may come)."""
    proc = _hgj(tmp_path, "run", HGJ_DATABASE_URL=url, HGJ_TELEGRAM_TOKEN="123456:abc")
    assert proc.returncode == code
    assert _one_line(proc.stderr).startswith("错误: ")


def test_bad_settings_are_named_together_in_one_line(tmp_path):
    proc = _hgj(tmp_path, "stats", HGJ_WEB_PORT="八零八零", HGJ_TIMEZONE="Asia/Shanghia", HGJ_LOG_FORMAT="xml")
    assert proc.returncode == 2
    line = _one_line(proc.stderr)
    for name in ("HGJ_WEB_PORT", "HGJ_TIMEZONE", "HGJ_LOG_FORMAT", "Asia/Shanghia"):
        assert name in line


def test_the_scheduler_alone_fails_the_same_way(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "bot.cli.scheduler", "--database-url", "postgres://h/db"],
                          cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "postgresql+psycopg://" in _one_line(proc.stderr)


def test_unknown_variables_are_named_with_the_real_setting_and_the_command_still_runs(tmp_path):
    (tmp_path / ".env").write_text("HGJ_QUIET_HOUR_START=23:00\nPOSTGRES_PASSWORD=x\n", encoding="utf-8")
    proc = _hgj(tmp_path, "stats", "--json", HGJ_WEB_BASE_URL="https://hgj.example.org")
    assert proc.returncode == 0, proc.stderr
    line = _one_line(proc.stderr)
    assert line.startswith("警告: ")
    assert "HGJ_WEB_BASE_URL（应为 HGJ_PUBLIC_URL？）" in line
    assert "HGJ_QUIET_HOUR_START（应为 HGJ_QUIET_HOURS_START？）" in line
    assert "POSTGRES_PASSWORD" not in line  # not ours to judge
    json.loads(proc.stdout)
    # all well: nothing said
    (tmp_path / ".env").unlink()
    assert _hgj(tmp_path, "stats", "--json", HGJ_PUBLIC_URL="https://hgj.example.org").stderr == ""


def test_the_env_example_sets_only_real_settings():
    example = REPO / "deploy" / "hongguanjia.env.example"
    assert unknown_variables(environ={}, env_file=example) == []
    names = set(setting_names())
    written = {line.lstrip("# ").split("=", 1)[0] for line in example.read_text(encoding="utf-8").splitlines()
               if line.lstrip("# ").startswith("HGJ_") and "=" in line}
    assert "HGJ_PUBLIC_URL" in written and written <= names, written - names


def test_the_warning_names_each_variable_once():
    found = unknown_variables(environ={"HGJ_TOKEN": "1", "hgj_token": "2", "HGJ_TEST_PG_URL": "x"},
                              env_file=Path("/nonexistent/.env"))
    assert found == [("HGJ_TOKEN", "HGJ_TELEGRAM_TOKEN")]
    assert unknown_variables_line(found) == "未知的设置变量，已忽略：HGJ_TOKEN（应为 HGJ_TELEGRAM_TOKEN？）"


def test_json_logs_of_the_scheduler_show_who_owns_it(tmp_path):
    """INFO by default and JSON lines with HGJ_LOG_FORMAT=json: the ownership line a log collector reads."""
    assert _hgj(tmp_path, "init").returncode == 0
    env = _env(tmp_path, HGJ_LOG_FORMAT="json")
    proc = subprocess.Popen([sys.executable, "-m", "bot.cli.scheduler"], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "scheduler started owner=True"
        record = None
        for line in proc.stderr:  # ends when the process does (terminated below at the latest)
            record = json.loads(line)
            if "scheduler running" in record["message"]:
                break
        assert record is not None and record["level"] == "INFO" and record["logger"] == "bot.scheduler.runner"
        assert "time" in record
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
