"""``hgj import-rota FILE``: rotas from a spreadsheet, all or nothing.

One row per rota. Every bad row is reported with its row number as the spreadsheet shows it
(the header is row 1), and nothing is written unless every row is good — the same rules, and the
same reading code (``bot.spreadsheets``), as the roster import. A rota is known by its community
and name: importing the same file again changes nothing; a changed row updates the rota (a new
rhythm replaces the future shifts nobody checked in to; a new team hands shifts over fairly).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from bot.infra.config import Settings
from bot.infra.errors import DomainError, InvalidInput
from bot.infra.spreadsheets import RowError, RowsRejected, cell_text, match_headers, read_table
from bot.places import service as places
from bot.rotas import admin, turns
from models import Rota

from .spec import (
    RotaSpec,
    find_members,
    parse_date,
    parse_duration,
    parse_kind,
    parse_size,
    parse_times,
    parse_weekdays,
    split_names,
)

FIELDS: dict[str, tuple[str, ...]] = {
    "community": ("社区", "community", "社区(村)", "社区（村）", "村"),
    "name": ("名称", "name", "排班", "排班名称", "队伍"),
    "kind": ("类型", "kind", "类别"),
    "rhythm": ("节奏", "rhythm", "周期", "频次"),
    "time": ("时间", "time", "时段", "开始时间"),
    "duration": ("时长", "duration"),
    "size": ("人数", "size", "每班人数"),
    "quorum": ("最少人数", "quorum", "最少"),
    "team": ("队员", "team", "成员", "members"),
    "grid": ("网格", "grid"),
    "compound": ("小区", "compound"),
    "building": ("楼栋", "building"),
    "starts_on": ("开始日期", "starts_on", "起始日期"),
    "ends_on": ("结束日期", "ends_on"),
    "timezone": ("时区", "timezone"),
}
REQUIRED = ("community", "name", "kind", "rhythm", "time", "team")


class RotasRejected(RowsRejected):
    what = "排班表"


@dataclass
class RotaImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    shifts: int = 0  # shifts now scheduled within the horizon for the rotas in the file
    dry_run: bool = False


def parse_rows(
    session: Session, path: Path, *, today: date, default_tz: str
) -> list[tuple[int, RotaSpec]]:
    """Read and check every row against the database; raises ``RotasRejected`` listing all bad rows."""
    table = read_table(path)
    cols = match_headers(table.headers, FIELDS, REQUIRED)
    errors: list[RowError] = []
    good: list[tuple[int, RotaSpec]] = []
    seen: dict[tuple[int, str], int] = {}

    def get(cells: list[object], name: str) -> str:
        i = cols.get(name)
        return cell_text(cells[i]) if i is not None and i < len(cells) else ""

    for number, cells in table.rows:
        reasons: list[str] = []
        community = None
        if not get(cells, "community"):
            reasons.append("社区为空")
        else:
            community = places.find_community(session, get(cells, "community"))
            if community is None:
                reasons.append(f"没有找到社区「{get(cells, 'community')}」（请先导入花名册）")
        name = get(cells, "name")
        if not name:
            reasons.append("名称为空")
        elif community is not None:
            if (community.id, name) in seen:
                reasons.append(f"与第{seen[(community.id, name)]}行重名")
            else:
                seen[(community.id, name)] = number
        kind = parse_kind(get(cells, "kind"))
        if kind is None:
            reasons.append(f"类型「{get(cells, 'kind')}」无法识别（巡逻/值班/卡口值守/物资配送/秩序维护）")
        weekdays = parse_weekdays(get(cells, "rhythm"))
        if weekdays is None:
            reasons.append(f"节奏「{get(cells, 'rhythm')}」无法识别（每天/工作日/周末/每周一三五）")
        times = parse_times(get(cells, "time"))
        minutes = None
        if times is None:
            reasons.append(f"时间「{get(cells, 'time')}」无法识别（如 20:00 或 20:00-22:00）")
        else:
            minutes = times[1]
        if get(cells, "duration"):
            raw = get(cells, "duration")
            minutes = parse_duration(raw)
            if minutes is None and re.fullmatch(r"\d+(?:\.\d+)?", raw):  # a bare number: hours up to 24, else minutes
                minutes = int(round(float(raw) * 60)) if float(raw) <= 24 else int(float(raw))
            if minutes is None:
                reasons.append(f"时长「{raw}」无法识别（如 2小时、90分钟）")
        elif times is not None and minutes is None:
            reasons.append("缺少时长：填「时长」列，或把时间写成 20:00-22:00")
        size = 1
        if get(cells, "size"):
            size = parse_size(get(cells, "size")) or parse_size(get(cells, "size") + "人")
            if size is None:
                reasons.append(f"人数「{get(cells, 'size')}」应为 1–20")
        quorum = None
        if get(cells, "quorum"):
            quorum = parse_size(get(cells, "quorum")) or parse_size(get(cells, "quorum") + "人")
            if quorum is None:
                reasons.append(f"最少人数「{get(cells, 'quorum')}」应为 1–20")
        grid_id = building_id = None
        if community is not None and get(cells, "grid"):
            grid = places.find_grid(session, community.id, get(cells, "grid"))
            if grid is None:
                reasons.append(f"社区「{community.name}」没有网格「{get(cells, 'grid')}」")
            else:
                grid_id = grid.id
        if community is not None and get(cells, "building"):
            compound_id = None
            if get(cells, "compound"):
                compound = places.find_compound(session, community.id, get(cells, "compound"))
                if compound is None:
                    reasons.append(f"没有小区「{get(cells, 'compound')}」")
                compound_id = compound.id if compound else None
            found = places.find_buildings(session, community.id, get(cells, "building"), compound_id=compound_id)
            if len(found) != 1:
                reasons.append(f"楼栋「{get(cells, 'building')}」" + ("没有找到" if not found else "有多处，请填小区"))
            else:
                building_id = found[0].id
                grid_id = grid_id or found[0].grid_id
        dates: dict[str, date | None] = {"starts_on": None, "ends_on": None}
        for key, label in (("starts_on", "开始日期"), ("ends_on", "结束日期")):
            raw = get(cells, key)
            if raw:
                dates[key] = parse_date(raw.split(" ")[0], today)
                if dates[key] is None:
                    reasons.append(f"{label}「{raw}」无法识别")
        tz_name = get(cells, "timezone") or default_tz
        try:
            ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            reasons.append(f"时区「{tz_name}」无法识别（如 Asia/Shanghai）")
        team: list[int] = []
        refs = split_names(get(cells, "team"))
        if not refs:
            reasons.append("队员为空")
        elif community is not None:
            members, problems = find_members(session, community.id, refs)
            reasons.extend(problems)
            team = [m.id for m in members]
        if reasons:
            errors.append(RowError(number, "；".join(reasons)))
            continue
        spec = RotaSpec(
            community_id=community.id, name=name, kind=kind, weekdays=weekdays, start_time=times[0],
            duration_minutes=minutes, size=size, quorum=quorum, grid_id=grid_id, building_id=building_id,
            timezone=tz_name, starts_on=dates["starts_on"], ends_on=dates["ends_on"], team=team,
        )
        try:
            spec.check()
        except InvalidInput as err:
            errors.append(RowError(number, str(err)))
            continue
        good.append((number, spec))
    if errors:
        raise RotasRejected(errors)
    if not good:
        raise InvalidInput("排班表没有数据行")
    return good


def import_rotas(
    session: Session,
    path: Path,
    *,
    now: datetime,
    settings: Settings,
    dry_run: bool = False,
    on_row: Callable[[int, int], None] | None = None,
) -> RotaImportReport:
    """Check the whole file, then write it in the caller's transaction. Raises ``RotasRejected``
    (the caller rolls back) when any row is bad; with ``dry_run`` the caller rolls back anyway."""
    rows = parse_rows(session, path, today=now.astimezone(settings.tz).date(), default_tz=settings.timezone)
    report = RotaImportReport(rows=len(rows), dry_run=dry_run)
    errors: list[RowError] = []
    for i, (number, spec) in enumerate(rows, start=1):
        try:
            with session.begin_nested():
                existing = session.exec(
                    select(Rota).where(Rota.community_id == spec.community_id, Rota.name == spec.name)
                ).first()
                if existing is None:
                    rota = admin.create_rota(session, spec, by=None, now=now, settings=settings)
                    report.created += 1
                elif admin.update_rota(session, existing, spec, by=None, now=now, settings=settings):
                    rota = existing
                    report.updated += 1
                else:
                    rota = existing
                    report.unchanged += 1
                report.shifts += len(turns.shifts_of_rota(session, rota, since=now, until=now + _horizon(settings)))
        except DomainError as err:
            errors.append(RowError(number, str(err)))
        if on_row:
            on_row(i, len(rows))
    if errors:
        raise RotasRejected(errors)
    return report


def _horizon(settings: Settings):
    return timedelta(days=settings.rota_horizon_days + 1)
