"""The bot itself: ``hgj run`` (Telegram), ``hgj demo`` (everything local, no token, no network)
and ``hgj replay-failed`` (updates whose handling failed, once more)."""

from __future__ import annotations

from pathlib import Path

import typer

from .app import app, fail

DEMO_TOKEN = "7000000001:hgj-demo-bot-token"


def _logging(verbose: bool, *, demo: bool = False) -> None:
    from bot.infra import logs
    from bot.infra.config import get_settings

    settings = get_settings()
    if demo:  # the demo's terminal is for its own guidance: warnings only, unless asked
        logs.setup("INFO" if verbose else "WARNING", settings.log_format)
    else:
        logs.from_settings(settings, verbose=verbose)


@app.command()
def run(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="调试日志（DEBUG，含所用库的日志）"),
    polling: bool = typer.Option(False, "--polling", help="轮询（即使设置了 HGJ_WEBHOOK_URL）"),
    replace_webhook: bool = typer.Option(
        False, "--replace-webhook", help="轮询时删除 Telegram 上已设置的 webhook（否则拒绝启动）"),
) -> None:
    """运行机器人（需要 HGJ_TELEGRAM_TOKEN；设置 HGJ_WEBHOOK_URL 时用 webhook，否则轮询）。"""
    import asyncio

    from bot.infra.config import get_settings

    settings = get_settings()
    if not settings.telegram_token:
        fail("没有设置 HGJ_TELEGRAM_TOKEN（向 @BotFather 申请机器人 token）；不用 token 试用请运行 hgj demo")
    use_polling = polling or not settings.webhook_url
    if replace_webhook and not use_polling:
        fail("--replace-webhook 只用于轮询：设置了 HGJ_WEBHOOK_URL 时请加 --polling，或去掉 --replace-webhook")
    _logging(verbose)
    from bot.bootstrap import prepare
    from bot.runtime import Features, Runtime, WebhookActive

    db = prepare(settings.database_url)
    runtime = Runtime(settings, db, features=Features(polling=use_polling, replace_webhook=replace_webhook))

    async def main() -> None:
        try:
            await runtime.start()
        except WebhookActive as err:
            await runtime.stop()
            fail(str(err))
        except Exception as err:  # noqa: BLE001 — one clear line, not a traceback
            await runtime.stop()
            fail(f"机器人无法启动：{type(err).__name__}: {err}")
        how = f"webhook {settings.webhook_url}" if runtime.mode == "webhook" else "轮询"
        typer.echo(f"红管家机器人 @{runtime.bridge.bot_username} 已启动（{how}），Ctrl+C 停止。")
        if runtime.web_url:
            typer.echo(f"网页: {runtime.web_url}")
        try:
            await runtime.run_until_stopped()
        finally:
            await runtime.stop()

    asyncio.run(main())


@app.command()
def demo(
    port: int = typer.Option(8081, "--port", "-p", help="演示页面（Telegram 模拟服务器）端口；0 = 任意空闲端口"),
    web_port: int = typer.Option(8080, "--web-port", help="网页端口；0 = 任意空闲端口"),
    database: Path = typer.Option(Path("hgj-demo.db"), "--database", help="演示数据库文件（每次重建）"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="详细日志（INFO：每条消息一行）"),
) -> None:
    """一条命令试用：演示数据 + 本地 Telegram 模拟服务器 + 机器人 + 定时任务 + 网页，无需 token 和网络。"""
    import asyncio

    _logging(verbose, demo=True)
    from bot.demo import data as demo_data
    from bot.bootstrap import prepare
    from bot.infra.clock import SystemClock
    from bot.infra.config import Settings
    from bot.runtime import Runtime, populate_standin
    from bot.platforms.telegram.standin import StandinServer

    database = database.resolve()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    typer.echo("准备演示数据…")
    db = prepare(url)
    from bot.demo import rotas as rota_demo

    with db.transaction() as session:
        summary = demo_data.load(session, now=SystemClock().now())
        rota_demo.load(session, now=SystemClock().now(), settings=Settings(database_url=url))

    async def main() -> None:
        server = StandinServer(host="127.0.0.1", port=port, tokens=[DEMO_TOKEN])  # Telegram's limits on
        try:
            await server.start()
        except OSError as err:
            fail(f"无法监听 127.0.0.1:{port}：{err}（换一个 --port）")
        made = populate_standin(server.world, db)
        _introduce(db, made["groups"])
        from datetime import time

        settings = Settings(database_url=url, telegram_token=DEMO_TOKEN, telegram_api_base=server.base_url,
                            webhook_url=None, web_host="127.0.0.1", web_port=web_port,
                            # a demo is tried at any hour: alerts are not held for the morning
                            quiet_hours_start=time(0, 0), quiet_hours_end=time(0, 0))
        runtime = Runtime(settings, db)
        try:
            await runtime.start()
        except OSError as err:
            await runtime.stop()
            await server.stop()
            fail(f"网页无法监听 127.0.0.1:{web_port}：{err}（换一个 --web-port）")
        settings.public_url = runtime.web_url  # /web and calendar links point at this run's port
        typer.echo(
            f"演示已启动：{summary.communities} 个社区、{summary.members} 名红管家、{summary.residents} 位居民、"
            f"{len(summary.groups)} 个居民群（数据库 {database.name}）。"
        )
        typer.echo(f"打开 {server.base_url}/ —— 以任意居民或红管家的身份在群里说话、点按钮")
        typer.echo(f"网页: {runtime.web_url}/wall 心愿墙；社区看板（以社区工作室 刘洋 的身份）: "
                   f"{_office_login(db, settings, runtime.web_url)}")
        for line in _binding_tour(db, summary, runtime.bridge.bot_username, settings.tz):
            typer.echo(line)
        typer.echo("Ctrl+C 停止")
        try:
            await runtime.run_until_stopped()
        finally:
            await runtime.stop()
            await server.stop()
            db.dispose()

    asyncio.run(main())


def _office_login(db, settings, web_url: str) -> str:
    """A dashboard login link for the demo's office admin, so the web pages can be tried at once."""
    from sqlmodel import select

    from bot.members import logins as access
    from bot.infra.clock import SystemClock
    from models import Member

    with db.transaction() as session:
        office = session.exec(select(Member).where(Member.is_office_admin).order_by(Member.id)).first()
        token = access.issue_login(session, office, now=SystemClock().now())
    return f"{web_url}/login?token={token}"


def _binding_tour(db, summary, bot_username: str, tz) -> list[str]:
    """Two demo members have no chat account yet: one binds by sharing his phone, the other by an
    invitation the office made (sent to the office admin's private chat too, where the demo page
    opens it as Telegram would)."""
    from sqlmodel import select

    from bot import identities
    from bot.infra.clock import SystemClock
    from bot.members import binding
    from bot.outbox import enqueue
    from handlers.texts import invitation_made
    from bot.messages import Outgoing
    from models import Member

    people = {p.key: p for p in summary.newcomers}
    lines = []
    if "new_phone" in people:
        lines.append(f"试试手机号绑定：在演示页以「{people['new_phone'].name}」的身份私聊机器人发送 /bind，"
                     "点「📱 分享我的手机号」")
    if "new_invite" in people:
        now = SystemClock().now()
        with db.transaction() as session:
            office = session.exec(select(Member).where(Member.is_office_admin).order_by(Member.id)).first()
            member = session.exec(select(Member).where(Member.number == people["new_invite"].member_number)).one()
            issued = binding.create_invitation(session, member, by=office, now=now)
            link = issued.link(bot_username)
            expires = issued.invitation.expires_at.astimezone(tz)
            enqueue(session, Outgoing(chat_id=identities.private_chat(session, office), kind="notice", text=invitation_made(
                member, link, 0, expires.strftime("%m月%d日 %H:%M"))), now=now)
        lines.append(f"试试邀请绑定：{link}（演示页里 刘洋 的私聊中有这条链接，点开后选「{people['new_invite'].name}」）")
    return lines


def _introduce(db, group_ids) -> None:
    """The bot's first words in each demo group (sent by the bot once it runs)."""
    from bot.infra.clock import SystemClock
    from bot.outbox import enqueue
    from handlers.texts import group_intro
    from bot.messages import Outgoing

    from bot import identities

    with db.transaction() as session:
        for telegram_id in group_ids:  # the stand-in's groups
            chat = identities.resolve_chat(session, "telegram", str(telegram_id), kind="group")
            enqueue(session, Outgoing(chat_id=chat.id, text=group_intro(), kind="notice",
                                      dedupe_key=f"demo-intro:{chat.id}"), now=SystemClock().now())


@app.command("replay-failed")
def replay_failed(show: bool = typer.Option(False, "--list", help="只列出，不重放")) -> None:
    """重新处理出错时保存下来的消息（dead letters）；发送由运行中的机器人完成。"""
    import asyncio

    from bot.infra.config import get_settings

    from .app import open_database

    settings = get_settings()
    db = open_database()
    from bot.platforms.telegram.bridge import failed_updates

    rows = failed_updates(db)
    if show or not rows:
        for row in rows:
            typer.echo(f"#{row.id} update {row.update_id} chat {row.chat_id} ×{row.attempts} "
                       f"{row.error.strip().splitlines()[-1] if row.error else ''}")
        typer.echo(f"待重放 {len(rows)} 条")
        return
    if not settings.telegram_token:
        fail("重放需要 HGJ_TELEGRAM_TOKEN（用来识别机器人自己的消息）")

    async def main() -> tuple[int, int]:
        from bot.platforms.telegram.replay import replay

        return await replay(db, settings, rows)

    ok, failed = asyncio.run(main())
    typer.echo(f"已重放 {ok} 条，仍失败 {failed} 条")
    if failed:
        raise typer.Exit(1)
