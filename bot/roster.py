"""Importing members from a roster spreadsheet, all or nothing.

Every bad row is reported with its row number as the spreadsheet shows it, and nothing is
written unless every row is good. Importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from models import Member, Role

from . import places
from .errors import DomainError, InvalidInput
from .members import service as members
from .members.service import Titles
from .spreadsheets import RowError, RowsRejected, cell_text, match_headers, read_table

FIELDS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name", "名字"),
    "phone": ("手机号", "phone", "手机", "电话", "mobile"),
    "role": ("角色", "role", "类别"),
    "community": ("社区", "community", "社区(村)", "社区（村）", "村"),
    "grid": ("网格", "grid"),
    "building": ("楼栋", "building"),
    "unit": ("单位", "unit", "work_unit"),
    "compound": ("小区", "compound"),
    "title": ("职务", "title"),
    "telegram_id": ("电报ID", "telegram_id", "tg_id"),
}
REQUIRED = ("name", "phone", "role", "community")

_ROLE_WORDS: dict[str, tuple[int, Titles]] = {}
for _role, _words in {
    1: ("包联区领导", "区领导", "包联领导"),
    2: ("包联单位人员", "驻地单位人员", "包联(驻地)单位人员", "包联（驻地）单位人员", "单位人员", "机关干部"),
    3: ("社区工作人员", "村工作人员", "村(社区)工作人员", "村（社区）工作人员", "社区干部"),
    4: ("议事团队成员", "议事成员"),
    5: ("热心居民", "志愿者", "居民"),
    6: ("楼栋长",),
}.items():
    for _w in _words:
        _ROLE_WORDS[_w] = (_role, Titles())
_ROLE_WORDS.update(
    {
        "网格员": (3, Titles(grid_manager=True)),
        "网格长": (3, Titles(grid_manager=True)),
        "工作室管理员": (3, Titles(office_admin=True)),
        "调解员": (4, Titles(mediator=True)),
        "金牌调解员": (4, Titles(mediator=True)),
    }
)
_TITLE_WORDS = {"网格员": "grid_manager", "网格长": "grid_manager", "调解员": "mediator",
                "金牌调解员": "mediator", "管理员": "office_admin", "工作室管理员": "office_admin"}


def parse_role(text: str) -> tuple[int, Titles]:
    t = re.sub(r"\s+", "", text)
    m = re.fullmatch(r"([1-6])(?:号)?(?:红管家)?", t)
    if m:
        return int(m.group(1)), Titles()
    if t in _ROLE_WORDS:
        return _ROLE_WORDS[t]
    raise InvalidInput(f"角色「{text}」无法识别（填 1–6 或 包联区领导/包联单位人员/社区工作人员/议事团队成员/热心居民/楼栋长）")


def parse_titles(text: str) -> Titles:
    flags = {}
    for word in filter(None, re.split(r"[、,，/;；\s]+", text)):
        if word not in _TITLE_WORDS:
            raise InvalidInput(f"职务「{word}」无法识别（可填 网格员、调解员、管理员）")
        flags[_TITLE_WORDS[word]] = True
    return Titles(**flags)


@dataclass
class RosterRow:
    row: int
    name: str
    phone: str
    role: int
    titles: Titles
    community: str
    grid: str
    building: str
    compound: str
    unit: str
    telegram_id: int | None


class RosterRejected(RowsRejected):
    what = "花名册"


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    places_created: dict[str, int] = field(default_factory=lambda: {"社区": 0, "网格": 0, "小区": 0, "楼栋": 0, "单位": 0})
    dry_run: bool = False
    prebound: list[Member] = field(default_factory=list)  # chat accounts the 电报ID column bound


def parse_rows(path: Path) -> list[RosterRow]:
    """Read and check every row; raises ``RosterRejected`` listing all bad rows."""
    table = read_table(path)
    cols = match_headers(table.headers, FIELDS, REQUIRED)
    errors: list[RowError] = []
    good: list[RosterRow] = []
    phones: dict[str, int] = {}
    telegram_ids: dict[int, int] = {}

    def get(cells: list[object], name: str) -> str:
        i = cols.get(name)
        return cell_text(cells[i]) if i is not None and i < len(cells) else ""

    for number, cells in table.rows:
        reasons: list[str] = []
        name = get(cells, "name")
        if not name:
            reasons.append("姓名为空")
        phone = ""
        try:
            phone = members.normalize_phone(get(cells, "phone"))
            if phone in phones:
                reasons.append(f"手机号与第{phones[phone]}行重复")
            else:
                phones[phone] = number
        except InvalidInput as err:
            reasons.append(str(err) if get(cells, "phone") else "手机号为空")
        role, titles = 0, Titles()
        try:
            role, titles = parse_role(get(cells, "role"))
        except InvalidInput as err:
            reasons.append(str(err) if get(cells, "role") else "角色为空")
        if get(cells, "title"):
            try:
                extra = parse_titles(get(cells, "title"))
                titles = Titles(
                    titles.grid_manager or extra.grid_manager,
                    titles.mediator or extra.mediator,
                    titles.office_admin or extra.office_admin,
                )
            except InvalidInput as err:
                reasons.append(str(err))
        community = get(cells, "community")
        if not community:
            reasons.append("社区为空")
        unit, building = get(cells, "unit"), get(cells, "building")
        if role == Role.unit_cadre and not unit:
            reasons.append("2号红管家（包联单位人员）须填写单位")
        if role == Role.building_head and not building:
            reasons.append("6号红管家（楼栋长）须填写楼栋")
        telegram_id = None
        raw_tg = get(cells, "telegram_id")
        if raw_tg:
            if re.fullmatch(r"\d{1,15}", raw_tg):
                telegram_id = int(raw_tg)
                if telegram_id in telegram_ids:
                    reasons.append(f"电报ID与第{telegram_ids[telegram_id]}行重复")
                else:
                    telegram_ids[telegram_id] = number
            else:
                reasons.append(f"电报ID「{raw_tg}」应为数字")
        if reasons:
            errors.append(RowError(number, "；".join(reasons)))
            continue
        good.append(
            RosterRow(number, name, phone, role, titles, community, get(cells, "grid"), building,
                      get(cells, "compound"), unit, telegram_id)
        )
    if errors:
        raise RosterRejected(errors)
    if not good:
        raise InvalidInput("花名册没有数据行")
    return good


def import_roster(
    session: Session,
    path: Path,
    *,
    now: datetime,
    dry_run: bool = False,
    on_row: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check the whole file, then write it in the caller's transaction. Raises ``RosterRejected``
    (the caller rolls back) when any row is bad; with ``dry_run`` the caller rolls back anyway."""
    rows = parse_rows(path)
    report = ImportReport(rows=len(rows), dry_run=dry_run)
    errors: list[RowError] = []
    for i, row in enumerate(rows, start=1):
        try:
            with session.begin_nested():
                _apply(session, row, report, now=now)
        except DomainError as err:
            errors.append(RowError(row.row, str(err)))
        if on_row:
            on_row(i, len(rows))
    if errors:
        raise RosterRejected(errors)
    if report.prebound:
        from .members.binding import notify_roster_binds

        notify_roster_binds(session, report.prebound, now=now)
    return report


def _apply(session: Session, row: RosterRow, report: ImportReport, *, now: datetime) -> None:
    made = report.places_created
    community, new = places.ensure_community(session, row.community, now=now)
    made["社区"] += new
    grid = compound = building = work_unit = None
    if row.grid:
        grid, new = places.ensure_grid(session, community, row.grid)
        made["网格"] += new
    if row.compound:
        compound, new = places.ensure_compound(session, community, row.compound)
        made["小区"] += new
    if row.building:
        building, new = places.ensure_building(session, community, row.building, grid=grid, compound=compound)
        made["楼栋"] += new
        if grid is None and building.grid_id:
            from models import Grid

            grid = session.get(Grid, building.grid_id)
    if row.unit:
        work_unit, new = members.ensure_work_unit(session, row.unit)
        made["单位"] += new
    if row.telegram_id is not None:
        holder = members.find_by_chat_user(session, row.telegram_id)
        if holder is not None and holder.phone != row.phone:
            raise InvalidInput(f"电报ID {row.telegram_id} 已绑定给 {holder.name}（{holder.number}）")
    existing = members.find_by_phone(session, row.phone)
    if existing is None:
        member = members.create_member(
            session, name=row.name, role=row.role, community=community, phone=row.phone, now=now,
            grid=grid, building=building, work_unit=work_unit, chat_user_id=row.telegram_id, titles=row.titles,
        )
        report.created += 1
        if row.telegram_id is not None:
            report.prebound.append(member)
        return
    old_account = existing.chat_user_id
    if _update(session, existing, row, community.id, grid, building, work_unit, now=now):
        report.updated += 1
        if existing.chat_user_id != old_account:
            report.prebound.append(existing)
    else:
        report.unchanged += 1


def _rebound_by_roster(session, member: Member, old_account: int | None, *, now) -> None:
    """The roster names another chat account: the old one's web logins end, both are recorded."""
    from . import access

    if old_account is not None:
        members.record_event(session, member, "unbind", "roster", chat_user_id=old_account, now=now)
        access.revoke_logins(session, member.id, now=now)
    members.record_event(session, member, "bind", "roster", chat_user_id=member.chat_user_id, now=now)


def _update(session, member: Member, row: RosterRow, community_id, grid, building, work_unit, *, now) -> bool:
    wanted = {
        "name": row.name,
        "role": row.role,
        "grid_id": grid.id if grid else None,
        "building_id": building.id if building else None,
        "work_unit_id": work_unit.id if work_unit else None,
    }
    if row.telegram_id is not None:
        wanted["chat_user_id"] = row.telegram_id
    # a roster adds titles; taking one away is done by hand, not by a missing column
    for flag in ("grid_manager", "mediator", "office_admin"):
        if getattr(row.titles, flag):
            wanted[f"is_{flag}"] = True
    if member.community_id != community_id:
        raise InvalidInput(f"{member.name} 已在另一个社区登记（{member.number}），请先在原社区办理退出")
    changed = {k: v for k, v in wanted.items() if getattr(member, k) != v}
    if not changed:
        return False
    changed_from = member.chat_user_id
    for key, value in changed.items():
        setattr(member, key, value)
    member.updated_at = now
    members.renumber(session, member)
    if "chat_user_id" in changed:
        members.link_resident(session, member, row.telegram_id, now=now)
        _rebound_by_roster(session, member, changed_from, now=now)
    session.add(member)
    return True
