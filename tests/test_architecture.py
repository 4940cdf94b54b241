"""Rules that keep the product easy to change (DESIGN.md): dependencies point one way —
models ← core (``bot/`` without its adapters) ← handlers ← adapters —, only a platform's own
folder imports its library, no module imports itself round a cycle, texts never touch the
database; the migrations describe exactly the models; the database runs as configured."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from sqlalchemy import text

REPO = Path(__file__).resolve().parents[1]
# the adapters: the only places that talk to a chat platform, serve HTTP or run as a process
ADAPTERS = ("bot.platforms", "bot.web", "bot.cli", "bot.runtime")
# each platform's library, and the one folder that may import it
PLATFORM_LIBRARIES = {"aiogram": "bot.platforms.telegram"}
WEB_LIBRARIES = {"fastapi", "starlette", "uvicorn"}
DATABASE = {"sqlmodel", "sqlalchemy", "bot.infra.db"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(path: Path) -> set[str]:
    """Every module a file imports (absolute dotted names), anywhere in it but ``TYPE_CHECKING``
    blocks; ``from a import b`` counts as ``a.b`` too, since ``b`` may be a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _files():
    for root in ("bot", "models", "handlers"):
        for path in sorted((REPO / root).rglob("*.py")):
            yield _module_name(path), path


MODULES = {name: path for name, path in _files()}
IMPORTS = {name: _imports(path) for name, path in MODULES.items()}


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def _layer(name: str) -> str:
    if _within(name, "models"):
        return "models"
    if _within(name, "handlers"):
        return "handlers"
    if any(_within(name, a) for a in ADAPTERS):
        return "adapter"
    return "core"


def _ours(imported: str) -> str | None:
    """The module of ours an import names (``bot.issues.service.code`` → ``bot.issues.service``)."""
    while imported:
        if imported in MODULES:
            return imported
        imported = imported.rpartition(".")[0]
    return None


def _offenders(who, forbidden) -> dict[str, list[str]]:
    found = {}
    for name, imported in IMPORTS.items():
        if who(name):
            bad = sorted(i for i in imported if forbidden(i))
            if bad:
                found[name] = bad
    return found


def test_the_core_imports_neither_handlers_nor_an_adapter():
    def forbidden(i):
        return _within(i, "handlers") or any(_within(i, a) for a in ADAPTERS)

    assert _offenders(lambda n: _layer(n) == "core", forbidden) == {}


def test_models_import_nothing_above_them():
    # the migrations' env.py is alembic's entry point and reads the configured database
    def who(n):
        return _layer(n) == "models" and not _within(n, "models.migrations")

    assert _offenders(who, lambda i: _within(i, "bot") or _within(i, "handlers")) == {}


def test_handlers_import_no_adapter():
    assert _offenders(lambda n: _layer(n) == "handlers", lambda i: any(_within(i, a) for a in ADAPTERS)) == {}


def test_only_a_platform_folder_imports_its_library():
    for library, home in PLATFORM_LIBRARIES.items():
        assert _offenders(lambda n: not _within(n, home), lambda i: _within(i, library)) == {}, library


def test_only_the_web_adapter_imports_the_web_framework():
    def forbidden(i):
        return i.split(".")[0] in WEB_LIBRARIES

    # a platform's webhook is an HTTP endpoint of its own adapter; the stand-in serves the Bot API
    # over HTTP; the runtime and the command line start the servers
    allowed = ("bot.web", "bot.platforms", "bot.runtime", "bot.cli")
    assert _offenders(lambda n: not any(_within(n, a) for a in allowed), forbidden) == {}


# None any more: handlers/texts/ is handed what it shows (handlers/facts.py looks it up)
KNOWN_TEXTS_WITH_DATABASE: set[str] = set()


def test_texts_modules_do_not_touch_the_database():
    def is_texts(n):
        leaf = n.rpartition(".")[2]
        return leaf == "texts" or leaf.endswith("_texts") or _within(n, "handlers.texts")

    offenders = _offenders(is_texts, lambda i: any(_within(i, d) for d in DATABASE))
    assert set(offenders) <= KNOWN_TEXTS_WITH_DATABASE, offenders
    # nor is a session handed in: the handler queries (through the core) and passes the data
    sessions = [n for n, path in MODULES.items()
                if is_texts(n) and n not in KNOWN_TEXTS_WITH_DATABASE and "session" in path.read_text(encoding="utf-8")]
    assert sessions == []


def _cycles() -> list[list[str]]:
    graph = {n: sorted({o for i in imported if (o := _ours(i)) and o != n}) for n, imported in IMPORTS.items()}
    # a package's __init__ is imported with any module under it: not an edge of a cycle by itself
    graph = {n: [o for o in out if not _within(n, o)] for n, out in graph.items()}
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def strong(v):  # Tarjan
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, []):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    import sys

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    for v in graph:
        if v not in index:
            strong(v)
    return found


def test_no_import_cycles():
    cycles = _cycles()
    assert cycles == [], "\n".join(" ↔ ".join(c) for c in cycles)


def test_the_checks_see_the_tree():
    assert _layer("bot.issues.service") == "core" and _layer("bot.platforms.telegram.app") == "adapter"
    assert "models.reports" in MODULES and "handlers.reports" in MODULES
    assert "aiogram" in {i.split(".")[0] for i in IMPORTS["bot.platforms.telegram.app"]}
    # a lazy import counts: hiding one inside a function does not hide it from the check
    assert "bot.outbox.store" in IMPORTS["bot.due.fire"] or "bot.outbox.store.enqueue_many" in IMPORTS["bot.due.fire"]


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
