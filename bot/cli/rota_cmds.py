"""Rota commands: import-rota, due, rotas, scheduler."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from .app import app, domain_errors, fail, open_database, run_import


def _settings():
    from bot.infra.config import get_settings

    return get_settings()


def _now():
    from bot.infra.clock import SystemClock

    return SystemClock().now()


def _parse_at(text: str | None, tz):
    from datetime import datetime

    if not text:
        return _now()
    try:
        at = datetime.fromisoformat(text.strip().replace(" ", "T", 1) if "T" not in text else text.strip())
    except ValueError:
        fail(f"时间「{text}」不是 ISO 格式，例如 2026-11-28T20:00 或 2026-11-28T20:00+08:00")
    return at if at.tzinfo else at.replace(tzinfo=tz)


@app.command("import-rota")
def import_rota(
    file: Path = typer.Argument(..., help=".xlsx 或 .csv 排班表"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只检查并报告，不写入"),
) -> None:
    """导入排班表（全部正确才写入；出错的行全部列出，行号同表格所示）。"""
    from bot.rotas.importer import import_rotas

    settings = _settings()
    report = run_import(
        "导入排班表",
        lambda session, on_row: import_rotas(session, file, now=_now(), settings=settings, dry_run=dry_run,
                                             on_row=on_row),
        dry_run=dry_run,
    )
    verb = "检查通过（未写入）" if dry_run else "导入完成"
    typer.echo(
        f"{verb}：{report.rows} 行，新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}；"
        f"未来 {settings.rota_horizon_days} 天共 {report.shifts} 个班次"
    )


@app.command("due")
def due_cmd(
    at: str = typer.Option(None, "--at", help="ISO 时间，如 2026-11-28T20:00（默认现在；不带时区按 HGJ_TIMEZONE）"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
    include_fired: bool = typer.Option(False, "--all", help="也列出已经发出的"),
) -> None:
    """列出那一刻应发出的提醒、缺岗呼叫、升级和摘要（只看不发）。"""
    from bot.due.fire import due

    settings = _settings()
    when = _parse_at(at, settings.tz)
    db = open_database()
    with domain_errors(), db.session() as session:
        items = due(session, when, settings=settings, include_fired=include_fired)
        names = _recipient_names(session, items)
    if as_json:
        rows = [{**d.to_dict(settings.tz), "to": names.get(d.out.chat_id, "")} for d in items]
        typer.echo(json.dumps({"at": when.astimezone(settings.tz).isoformat(), "due": rows}, ensure_ascii=False, indent=2))
        return
    local = when.astimezone(settings.tz)
    if not items:
        typer.echo(f"{local:%Y-%m-%d %H:%M:%S} 没有要发的消息。")
        return
    typer.echo(f"{local:%Y-%m-%d %H:%M:%S} 应发出 {len(items)} 条：")
    for d in items:
        hold = f"（免打扰，{d.not_before.astimezone(settings.tz):%m-%d %H:%M} 后发）" if d.not_before else ""
        first_line = d.out.text.plain.split("\n", 1)[0]
        typer.echo(f"  {d.at.astimezone(settings.tz):%m-%d %H:%M} {d.what:<10} → {names.get(d.out.chat_id) or d.out.chat_id}  {first_line}{hold}  [{d.key}]")


def _recipient_names(session, items) -> dict[int, str]:
    """chat id → the member's name (private chats) or the group's title, for people to read."""
    from sqlmodel import select

    from models import ChatAccount, ChatGroup, Member

    chats = {d.out.chat_id for d in items}
    names = {g.chat_id: g.title for g in session.exec(select(ChatGroup).where(ChatGroup.chat_id.in_(chats)))
             if g.title}
    for chat_id, name in session.exec(select(ChatAccount.private_chat_id, Member.name)
                                      .join(Member, Member.id == ChatAccount.member_id)
                                      .where(ChatAccount.private_chat_id.in_(chats))):
        names[chat_id] = name
    return names


@app.command("rotas")
def rotas_cmd(
    community: str = typer.Option(None, "--community", help="只看这个社区"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
    materialise: bool = typer.Option(False, "--materialise", help="先排出未来的班次并修复缺人的班次"),
) -> None:
    """列出排班：节奏、队员、现在和下一班。"""
    from sqlmodel import select

    from bot.places import service as places
    from bot.rotas import turns
    from handlers.texts import rotas as texts
    from models import Rota

    settings = _settings()
    now = _now()
    db = open_database()
    with domain_errors(), db.transaction() as session:
        if materialise:
            created, repaired = turns.materialise_all(session, now=now, settings=settings)
            typer.echo(f"排出 {created} 个新班次，调整 {repaired} 处人员。", err=True)
        query = select(Rota).order_by(Rota.community_id, Rota.id)
        if community:
            query = query.where(Rota.community_id == places.get_community(session, community).id)
        out = []
        for rota in session.exec(query).all():
            current, upcoming = turns.current_and_next(session, rota, now)
            team = turns.team(session, rota)
            tz = turns.tz_of(rota)

            def show(shift):
                if shift is None:
                    return None
                return {"shift": turns.shift_code(shift), "when": texts.when(shift, tz),
                        "people": [m.name for m in turns.on_duty(session, shift)]}

            out.append({
                "rota": turns.rota_code(rota), "name": rota.name, "kind": texts.kind_zh(rota),
                "rhythm": turns.describe(rota), "active": rota.active, "team": [m.name for m in team],
                "now": show(current), "next": show(upcoming),
            })
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if not out:
        typer.echo("还没有排班。")
    for r in out:
        state = "" if r["active"] else "（已停用）"
        typer.echo(f"{r['rota']} {r['name']}（{r['kind']}）{state}：{r['rhythm']}；队员 {'、'.join(r['team'])}")
        for label in ("now", "next"):
            if r[label]:
                typer.echo(f"    {'现在' if label == 'now' else '下一班'} {r[label]['shift']} {r[label]['when']}："
                           f"{'、'.join(r[label]['people']) or '（缺人）'}")


@app.command("scheduler")
def scheduler_cmd() -> None:
    """单独运行排班提醒调度器（hgj run 会自带；同一时间只有一个进程真正运行）。"""
    from bot.cli.scheduler import main

    main([])
