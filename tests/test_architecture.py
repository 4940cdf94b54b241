"""Rules that keep the product easy to change (DESIGN.md): the core never imports a platform,
the migrations describe exactly the models, the database runs as configured."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import text

REPO = Path(__file__).resolve().parents[1]
PLATFORM = {"aiogram", "fastapi", "starlette", "uvicorn"}
# the adapters: the only places that talk to a chat platform or serve HTTP
ADAPTERS = {"bot/platforms", "bot/web", "bot/cli", "bot/runtime"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def core_files():
    for root in ("bot", "models", "handlers"):
        for path in sorted((REPO / root).rglob("*.py")):
            rel = path.relative_to(REPO).as_posix()
            if not any(rel.startswith(a + "/") for a in ADAPTERS):
                yield rel, path


def test_the_core_never_imports_a_platform():
    offenders = {rel: sorted(_imports(p) & PLATFORM) for rel, p in core_files() if _imports(p) & PLATFORM}
    assert offenders == {}


def test_the_check_sees_the_core():
    rels = [rel for rel, _ in core_files()]
    assert "bot/issues/service.py" in rels and "models/reports.py" in rels


def test_migrations_match_the_models(sqlite_db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import models

    with sqlite_db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), models.metadata)
    assert diff == [], "models changed without a migration: run `hgj db-revision -m ... --rev-id NNNN`"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_db):
    with sqlite_db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_settings_come_from_the_environment_and_dotenv(tmp_path, monkeypatch):
    from bot.infra.config import Settings

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("HGJ_TIMEZONE=Asia/Urumqi\n", encoding="utf-8")
    monkeypatch.setenv("HGJ_DATABASE_URL", "sqlite:///x.db")
    s = Settings()
    assert s.database_url == "sqlite:///x.db" and s.timezone == "Asia/Urumqi"
    monkeypatch.delenv("HGJ_DATABASE_URL")
    assert Settings().database_url == f"sqlite:///{tmp_path / 'hongguanjia.db'}"
    monkeypatch.setenv("HGJ_TIMEZONE", "Mars/Base")
    with pytest.raises(Exception):
        Settings()


@pytest.mark.postgres
def test_postgres_schema_from_the_same_migrations(pg_db):
    from sqlalchemy import inspect

    assert {"issue", "member", "pointsentry"} <= set(inspect(pg_db.engine).get_table_names())
