"""The ``hgj`` Typer application and the helpers every command shares."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer

app = typer.Typer(
    name="hgj",
    help="红管家 — 社区治理群聊机器人 (community-governance chat bot).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """红管家 — 社区治理群聊机器人."""
    from bot.infra.startup import warn_unknown_variables

    warn_unknown_variables()


def fail(message: str, code: int = 1) -> NoReturn:
    """One clear line on stderr and a non-zero exit; never a traceback."""
    typer.echo(f"错误: {message}", err=True)
    raise typer.Exit(code)


def open_database():
    """The database named by the settings, at the current schema and with default rules; and the
    words of the core's messages installed, since a command that changes data may queue one."""
    from bot.bootstrap import prepare
    from bot.infra.config import get_settings
    from handlers import notices

    notices.install()
    return prepare(get_settings().database_url)


@contextmanager
def domain_errors() -> Iterator[None]:
    """Turn a refused domain action into ``fail``; unexpected errors still surface."""
    from bot.infra.errors import DomainError

    try:
        yield
    except DomainError as err:
        fail(str(err))


def run_import(label: str, work, *, dry_run: bool):
    """Run a spreadsheet import ``work(session, on_row)`` all or nothing: every bad row on stderr with
    its row number and exit 1; with ``dry_run`` everything is checked and nothing is kept."""
    from bot.infra.errors import DomainError
    from bot.infra.spreadsheets import RowsRejected

    db = open_database()
    session = db.session()
    try:
        with progress(label) as bar:
            report = work(session, bar)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    except RowsRejected as err:
        session.rollback()
        for row_error in err.errors:
            typer.echo(str(row_error), err=True)
        fail(str(err))
    except DomainError as err:
        session.rollback()
        fail(str(err))
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
    return report


class Progress:
    """A one-line progress report on stderr for long work (only on a terminal: pipes and
    tests stay clean). Call it with ``(done, total)``, or ``advance(n)`` against ``total``."""

    def __init__(self, label: str, total: int | None = None) -> None:
        self.label, self.total, self.done = label, total, 0
        self._tty = sys.stderr.isatty()
        self._shown = False

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if self._tty:
            share = f" {100 * done // self.total}%" if self.total else ""
            sys.stderr.write(f"\r{self.label} {done}/{self.total or '?'}{share}")
            sys.stderr.flush()
            self._shown = True

    def advance(self, n: int = 1) -> None:
        self(self.done + n)

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> bool:
        if self._shown:
            sys.stderr.write("\n")
        return False


def progress(label: str, total: int | None = None) -> Progress:
    return Progress(label, total)
