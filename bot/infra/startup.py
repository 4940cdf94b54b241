"""What stops a command before it does anything — a bad setting, a database URL the product
cannot use, a database that does not answer — said in one line on stderr with a non-zero exit,
never a traceback; and the ``HGJ_*`` variables that are no setting, named once at start.

Exit codes: 2 for a configuration the operator must change (systemd does not restart on it:
``RestartPreventExitStatus=2``), 1 for a database that does not answer (it may come back).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from pydantic import ValidationError

from bot.infra.config import Settings, get_settings, unknown_variables, unknown_variables_line

CONFIG_EXIT, DATABASE_EXIT = 2, 1


def explain(err: BaseException) -> tuple[str, int] | None:
    """(the line, the exit code) for an error that means "cannot start", else None."""
    # the database layer only when a command failed: every hgj command (hgj parse too) comes
    # through here and need not import it
    from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
    from bot.infra.db import one_line  # (the same: alembic, SQLAlchemy and the drivers come with it)

    if isinstance(err, ValidationError):
        return "设置有误：" + "；".join(_setting_error(e) for e in err.errors()), CONFIG_EXIT
    if isinstance(err, NoSuchModuleError | ArgumentError):
        return f"HGJ_DATABASE_URL 无法使用（{err}）", CONFIG_EXIT
    if isinstance(err, ModuleNotFoundError) and (err.name or "").split(".")[0] in ("psycopg", "psycopg2"):
        return f"数据库驱动 {err.name} 没有安装：pip install 'hongguanjia[postgres]'（psycopg 3）", CONFIG_EXIT
    if isinstance(err, DBAPIError):
        return f"无法使用数据库 {_database()}：{one_line(err)}", DATABASE_EXIT
    return None


def _setting_error(e: dict) -> str:
    prefix = Settings.model_config.get("env_prefix", "")
    name = f"{prefix}{'_'.join(str(p) for p in e.get('loc', ()))}".upper() if e.get("loc") else "设置"
    message = str(e.get("msg", "")).removeprefix("Value error, ")
    given = e.get("input")
    shown = f"（现为 {given!r}）" if isinstance(given, str | int | float) and str(given) not in message else ""
    if "TOKEN" in name or "SECRET" in name:
        shown = ""
    if "DATABASE_URL" in name:
        shown = ""  # it may carry a password
    return f"{name}：{message}{shown}"


def _database() -> str:
    """The configured database, password hidden; '' when the settings themselves fail."""
    from sqlalchemy.engine import make_url  # as in explain

    try:
        return make_url(get_settings().database_url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 — only a label for the message
        return ""


def guarded(run: Callable[[], object]) -> None:
    """Run a command line; a "cannot start" error becomes one line on stderr and its exit code."""
    try:
        run()
    except Exception as err:  # noqa: BLE001 — sorted out below; anything else is re-raised
        explained = explain(err)
        if explained is None:
            raise
        line, code = explained
        print(f"错误: {line}", file=sys.stderr, flush=True)
        sys.exit(code)


def warn_unknown_variables() -> None:
    """One warning line on stderr naming the ``HGJ_*`` variables that are no setting."""
    line = unknown_variables_line(unknown_variables())
    if line:
        print(f"警告: {line}", file=sys.stderr, flush=True)
