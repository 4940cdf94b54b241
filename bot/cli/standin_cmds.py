"""``hgj standin``: run the local Telegram stand-in on its own."""

from __future__ import annotations

import typer

from .app import app, fail


@app.command()
def standin(
    port: int = typer.Option(8081, "--port", "-p", help="端口 (0 = 任意空闲端口)"),
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址"),
    token: list[str] = typer.Option([], "--token", help="预先登记的机器人 token，可重复"),
    no_limits: bool = typer.Option(False, "--no-limits", help="关闭 Telegram 发送频率限制"),
    seed: bool = typer.Option(False, "--seed", help="创建几位示例居民和一个居民群"),
    echo: bool = typer.Option(False, "--echo", help="同时运行一个回声机器人 (试用页面)"),
) -> None:
    """本地模拟 Telegram Bot API 服务器 (local stand-in for Telegram's Bot API, no network)."""
    import asyncio

    from bot.platforms.telegram.standin import Limits, StandinServer
    from bot.platforms.telegram.standin.sample import seed_sample

    echo_token = "100000:standin-echo"
    tokens = list(token) + ([echo_token] if echo and echo_token not in token else [])

    async def run() -> None:
        server = StandinServer(host=host, port=port, limits=Limits.off() if no_limits else None,
                               tokens=tokens)
        try:
            await server.start()
        except OSError as err:
            fail(f"无法监听 {host}:{port}: {err}")
        if seed:
            seed_sample(server.world)
        typer.echo(f"Telegram 模拟服务器: {server.base_url}")
        typer.echo(f"演示页面: {server.base_url}/")
        typer.echo(f"aiogram: TelegramAPIServer.from_base({server.base_url!r})")
        tasks = []
        dp = None
        if echo:
            from bot.platforms.telegram.standin.echo import build_echo_dispatcher, echo_bot

            bot = echo_bot(server.base_url, echo_token)
            dp = build_echo_dispatcher()
            tasks.append(asyncio.create_task(dp.start_polling(bot, handle_signals=False)))
        try:
            await asyncio.Event().wait()
        finally:
            if dp is not None:
                try:
                    await dp.stop_polling()
                except RuntimeError:  # polling had not started
                    pass
            for t in tasks:
                t.cancel()
            for t in tasks:
                try:
                    await t
                except (asyncio.CancelledError, Exception):  # noqa: BLE001 - shutting down
                    pass
            await server.stop()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        typer.echo("已停止")
