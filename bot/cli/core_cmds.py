"""Database and core commands: init, demo-data, import-roster, export, bind-group, stats, whois."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from .app import app, domain_errors, fail, open_database, progress, run_import


def _now():
    from bot.infra.clock import SystemClock

    return SystemClock().now()


@app.command()
def init() -> None:
    """创建或升级数据库 (create or upgrade the database through its migrations)."""
    db = open_database()
    typer.echo(f"数据库已就绪: {db.engine.url.render_as_string(hide_password=True)}")


@app.command("demo-data")
def demo_data() -> None:
    """写入演示数据：两个社区、网格、小区、楼栋、六类红管家、各种状态的问题和心愿。"""
    from bot.demo import data as demo
    from bot.infra.config import get_settings
    from bot.demo import rotas as rota_demo

    db = open_database()
    steps = ["社区、网格、小区和楼栋", "红管家（六类成员）", "居民与群聊", "问题（各种状态）", "微心愿（各种状态）", "任务与奖券"]
    with domain_errors(), progress("写入演示数据", len(steps)) as bar, db.transaction() as session:
        summary = demo.load(session, now=_now(), on_step=lambda _label: bar.advance())
        rotas = rota_demo.load(session, now=_now(), settings=get_settings())
    typer.echo(
        f"演示数据已写入：{summary.communities} 个社区，{summary.members} 名红管家，"
        f"{summary.residents} 位居民，{summary.issues} 个问题，{summary.wishes} 个心愿，{len(rotas)} 个排班。"
    )


@app.command("import-roster")
def import_roster(
    file: Path = typer.Argument(..., help=".xlsx 或 .csv 花名册"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只检查并报告，不写入"),
    community: str = typer.Option("", "--community", help="表里没有社区列（或社区为空）的行归这个社区"),
) -> None:
    """导入红管家花名册（全部正确才写入；出错的行全部列出，行号、列名同表格所示）。"""
    from bot.members.roster import import_roster as run

    report = run_import(
        "导入花名册",
        lambda session, on_row: run(session, file, now=_now(), dry_run=dry_run, community=community, on_row=on_row),
        dry_run=dry_run,
    )
    typer.echo(roster_summary(report))


def roster_summary(report) -> str:
    """What the import did, and what in the sheet it did not read."""
    made = "，".join(f"{k} {v}" for k, v in report.places_created.items() if v)
    verb = "检查通过（未写入）" if report.dry_run else "导入完成"
    lines = [
        f"{verb}：{report.rows} 行，新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}"
        + (f"；新建地点：{made}" if made else "")
    ]
    if report.new_communities:
        lines.append("新建社区：" + "、".join(report.new_communities))
    if report.header_row != 1:
        lines.append(f"表头在第{report.header_row}行，上面的标题行未导入")
    if report.ignored_columns:
        lines.append("未导入的列：" + "、".join(report.ignored_columns) + "（这些列不保存）")
    if report.section_rows:
        lines.append("跳过的分组标题行：" + "、".join(f"第{n}行「{text[:20]}」" for n, text in report.section_rows))
    if report.skipped_rows:
        lines.append(f"跳过 {len(report.skipped_rows)} 行（没有姓名、手机号等内容）：" + _row_ranges(report.skipped_rows))
    return "\n".join(lines)


def _row_ranges(rows: list[int]) -> str:
    spans: list[list[int]] = []
    for n in sorted(rows):
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return "、".join(f"第{a}行" if a == b else f"第{a}–{b}行" for a, b in spans)


@app.command("export")
def export(
    file: Path = typer.Argument(..., help="导出的 .xlsx 文件"),
    with_phones: bool = typer.Option(False, "--with-phones", help="导出完整手机号（默认打码）"),
) -> None:
    """导出问题、心愿、成员（手机号默认打码）和积分流水，各一张表。"""
    from bot.infra.config import get_settings
    from bot.office.export import export_workbook, total_rows

    if file.suffix.lower() != ".xlsx":
        fail("导出文件须以 .xlsx 结尾")
    db = open_database()
    with db.session() as session:
        total = total_rows(session)
        with progress("导出", total) as bar:
            counts = export_workbook(session, file, tz=get_settings().tz, with_phones=with_phones,
                                     on_progress=bar.advance)
    typer.echo(f"已导出到 {file}：" + "，".join(f"{k} {v} 行" for k, v in counts.items()))


# negative chat ids (-100…) would otherwise be read as options
@app.command("bind-group", context_settings={"ignore_unknown_options": True})
def bind_group(
    chat_id: str = typer.Argument(..., help="群聊 ID（平台上的；Telegram 超级群为 -100 开头的负数）"),
    community: str = typer.Option(..., "--community", help="社区名称或代码"),
    grid: str | None = typer.Option(None, "--grid", help="网格名称或编号"),
    compound: str | None = typer.Option(None, "--compound", help="小区名称（业主群）"),
    title: str = typer.Option("", "--title", help="群名称"),
    force: bool = typer.Option(False, "--force", help="改绑已绑定的群（会通知原社区工作室）"),
    platform: str = typer.Option("telegram", "--platform", help="群所在的平台"),
) -> None:
    """把群聊绑定到社区或网格，群里的反映就归这里处理。已绑定的群须加 --force 才改绑。"""
    from bot import identities
    from bot.places import groups

    if platform == "telegram" and not chat_id.strip().startswith("-"):
        # a positive Telegram id is a person's private chat: binding it would make it a "group"
        raise typer.BadParameter(f"{chat_id} 不是 Telegram 群聊 ID（群聊 ID 是负数，超级群以 -100 开头）")
    db = open_database()
    with domain_errors(), db.transaction() as session:
        try:
            chat = identities.resolve_chat(session, platform, chat_id, kind="group", title=title, now=_now())
        except ValueError as err:
            raise typer.BadParameter(f"群聊 ID 不对：{err}") from None
        if chat.kind != "group":
            raise typer.BadParameter(f"{chat_id} 是私聊，不是群聊")
        now_chat = identities.current_chat(session, chat)
        groups.bind(session, now_chat.id, community_name=community, grid_name=grid,
                    compound_name=compound, title=title, force=force, now=_now())
        became = now_chat.external_id if now_chat.id != chat.id else None
    where = community + (f" {grid}" if grid else "") + (f" {compound}" if compound else "")
    if became is not None:
        # the id was copied before the group was upgraded: nobody writes in the old chat any more
        typer.echo(f"群 {chat_id} 已升级为超级群，新 ID {became}；已把新群绑定到 {where}")
        return
    typer.echo(f"群 {chat_id} 已绑定到 {where}")


@app.command()
def stats(as_json: bool = typer.Option(False, "--json", help="输出 JSON")) -> None:
    """问题漏斗（收集 → 纳入任务清单 → 已解决）和各社区、网格的待办数。"""
    from bot.office.stats import breakdown

    db = open_database()
    with db.session() as session:
        data = breakdown(session)
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    typer.echo(f"全区：收集 {data['collected']} → 纳入任务清单 {data['accepted']} → 已解决 {data['solved']}；"
               f"待办 {data['open']}，心愿待认领/进行中 {data['wishes_open']}")
    for c in data["communities"]:
        typer.echo(f"  {c['community']}：收集 {c['collected']} → 清单 {c['accepted']} → 解决 {c['solved']}；待办 {c['open']}")
        for g in c["grids"]:
            typer.echo(f"    {g['grid']}：收集 {g['collected']} → 清单 {g['accepted']} → 解决 {g['solved']}；待办 {g['open']}")


@app.command()
def whois(number: str = typer.Argument(..., help="会员编号，如 6-012-000-03-005-0042")) -> None:
    """见号知身份：解读会员编号（角色、单位、网格、楼栋）。"""
    from bot.infra.errors import DomainError
    from bot.members.numbers import MemberNumber

    try:
        parsed = MemberNumber.parse_typed(number)
    except DomainError as err:
        fail(str(err))
    typer.echo(parsed.describe())


@app.command("db-revision", hidden=True)
def db_revision(message: str = typer.Option(..., "-m"), rev_id: str = typer.Option(...)) -> None:
    """(developers) autogenerate a migration from the models against a scratch database."""
    import tempfile

    from alembic import command

    from bot.infra.db import alembic_config, make_engine, upgrade

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/scratch.db")
        upgrade(engine)
        command.revision(alembic_config(engine), message=message, autogenerate=True, rev_id=rev_id)
