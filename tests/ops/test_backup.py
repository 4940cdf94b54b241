"""Backup and restore as the README's "Operations" section says, once per database: a report is
filed, the live database is backed up with the documented command, restored into a fresh one,
and the report is there (with its number) for ``hgj`` to work on."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest
from sqlmodel import select

from bot.bootstrap import prepare
from bot.infra.db import Database
from models import Issue
from tests.factories import build_world


def _file_a_report(db: Database, clock) -> int:
    with db.transaction() as session:
        world = build_world(session, clock.now())
        world.add_resident("resident", 700001, building=world.b3)
        issue = world.report("3栋2单元楼道灯坏了好几天了")
        session.flush()
        return issue.id


def _the_report(db: Database, issue_id: int) -> Issue | None:
    with db.session() as session:
        return session.exec(select(Issue).where(Issue.id == issue_id)).first()


def test_sqlite_backup_while_running_and_restore(sqlite_db, clock, tmp_path):
    if shutil.which("sqlite3") is None:
        pytest.skip("needs the sqlite3 command line (apt-get install sqlite3)")
    issue_id = _file_a_report(sqlite_db, clock)
    source = sqlite_db.url.removeprefix("sqlite:///")
    backup = tmp_path / "backup" / "hgj-2026-11-28.db"
    backup.parent.mkdir()
    with sqlite_db.engine.connect():  # the bot still has the file open (WAL mode): .backup is consistent
        proc = subprocess.run(["sqlite3", source, f".backup '{backup}'"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    # restore: the bot stopped, the file put in place of a lost one
    restored = tmp_path / "restored" / "hongguanjia.db"
    restored.parent.mkdir()
    shutil.copy(backup, restored)
    db = prepare(f"sqlite:///{restored}")  # what hgj init / hgj run do first
    try:
        issue = _the_report(db, issue_id)
        assert issue is not None and issue.text == "3栋2单元楼道灯坏了好几天了"
    finally:
        db.dispose()


@pytest.mark.postgres
def test_postgres_pg_dump_and_pg_restore_into_a_fresh_database(pg_db, clock, tmp_path):
    for tool in ("pg_dump", "pg_restore", "createdb"):
        if shutil.which(tool) is None:
            pytest.skip(f"needs {tool} (apt-get install postgresql-client)")
    issue_id = _file_a_report(pg_db, clock)
    source = pg_db.engine.url
    dump = tmp_path / "hgj.dump"
    connect = ["-h", source.host, "-p", str(source.port or 5432), "-U", source.username]
    proc = subprocess.run(["pg_dump", *connect, "-Fc", "-f", str(dump), source.database],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    fresh = f"hgj_restore_{uuid.uuid4().hex[:8]}"
    subprocess.run(["createdb", *connect, fresh], check=True, timeout=60)
    try:
        proc = subprocess.run(["pg_restore", *connect, "--no-owner", "-d", fresh, str(dump)],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        db = prepare(source.set(database=fresh).render_as_string(hide_password=False))
        try:
            issue = _the_report(db, issue_id)
            assert issue is not None and issue.text == "3栋2单元楼道灯坏了好几天了"
        finally:
            db.dispose()
    finally:
        subprocess.run(["dropdb", *connect, "--force", fresh], timeout=60)
