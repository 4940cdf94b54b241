"""Database and core commands: init, demo-data, import-roster, export, bind-group, stats."""

from __future__ import annotations

import typer

from .app import app, open_database


@app.command()
def init() -> None:
    """创建或升级数据库 (create or upgrade the database through its migrations)."""
    db = open_database()
    typer.echo(f"数据库已就绪: {db.engine.url.render_as_string(hide_password=True)}")
