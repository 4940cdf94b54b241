"""``hgj web-login``: a login link to the office dashboard for a member."""

from __future__ import annotations

import typer

from .app import app, fail, open_database


@app.command("web-login")
def web_login(number: str = typer.Argument(..., help="会员编号")) -> None:
    """打印某位红管家登录社区看板的链接（7天有效）。"""
    from bot.members import logins as access
    from bot.members import permissions
    from bot.infra.clock import SystemClock
    from bot.infra.config import get_settings
    from bot.infra.errors import DomainError
    from bot.members.service import find_by_number

    settings = get_settings()
    db = open_database()
    with db.transaction() as session:
        try:
            member = find_by_number(session, number)
        except DomainError as err:
            fail(str(err))
        if member is None:
            fail(f"没有编号为 {number} 的红管家")
        if not permissions.may_see_dashboard(member):
            fail(f"{member.name} 的角色不能查看社区看板")
        token = access.issue_login(session, member, now=SystemClock().now())
    typer.echo(f"{settings.web_url}/login?token={token}")
