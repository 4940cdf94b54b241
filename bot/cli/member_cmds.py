"""``hgj invite`` and ``hgj unbind``: the office vouches for (or takes away) a member's chat account."""

from __future__ import annotations

from pathlib import Path

import typer

from .app import app, domain_errors, fail, open_database


def _member(session, number: str):
    from bot.members.service import find_by_number

    member = find_by_number(session, number)
    if member is None:
        fail(f"没有编号为 {number} 的红管家")
    return member


@app.command()
def invite(
    number: str = typer.Argument(..., help="会员编号"),
    qr: Path | None = typer.Option(None, "--qr", help="同时把邀请链接存为二维码图片（.png），便于打印"),
    bot: str | None = typer.Option(None, "--bot", help="机器人用户名（默认 HGJ_BOT_USERNAME）"),
) -> None:
    """给红管家生成一次性绑定邀请链接（7天有效，只能用一次；之前未用的邀请作废）。"""
    from bot.infra.clock import SystemClock
    from bot.infra.config import get_settings
    from bot.members import binding

    username = (bot or get_settings().bot_username or "").lstrip("@")
    if not username:
        fail("不知道机器人的用户名：请用 --bot 指定，或设置 HGJ_BOT_USERNAME")
    if qr is not None and qr.suffix.lower() != ".png":
        fail("二维码文件须以 .png 结尾")
    db = open_database()
    with domain_errors(), db.transaction() as session:
        member = _member(session, number)
        issued = binding.create_invitation(session, member, by=None, now=SystemClock().now())
        link = issued.link(username)
        name, member_number = member.name, member.number
        expires = issued.invitation.expires_at.astimezone(get_settings().tz).strftime("%Y-%m-%d %H:%M")
        if qr is not None:
            try:
                qr.write_bytes(binding.qr_png(link))
            except OSError as err:
                fail(f"无法写入 {qr}：{err.strerror or err}")
    typer.echo(f"{name}（{member_number}）的邀请链接，{expires} 前有效，只能使用一次：")
    typer.echo(link)
    if issued.revoked:
        typer.echo(f"之前未使用的 {issued.revoked} 个邀请已作废。")
    if qr is not None:
        typer.echo(f"二维码已保存到 {qr}")


@app.command()
def unbind(number: str = typer.Argument(..., help="会员编号")) -> None:
    """解绑红管家的聊天账号（其看板登录同时作废；网格员和工作室会收到通知）。"""
    from bot.infra.clock import SystemClock
    from bot.members import binding

    db = open_database()
    with domain_errors(), db.transaction() as session:
        member = _member(session, number)
        done = binding.unbind(session, member, by=None, how="cli", now=SystemClock().now())
        name, member_number = member.name, member.number
    typer.echo(f"已解绑 {name}（{member_number}）的聊天账号；作废看板登录 {done.logins_revoked} 个。")
