"""Exporting issues, wishes, members and the points ledger to one Excel workbook."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, select

from models import (
    ISSUE_CATEGORY_ZH,
    ISSUE_STATUS_ZH,
    ROLE_NAMES_ZH,
    WISH_CATEGORY_ZH,
    WISH_STATUS_ZH,
    Building,
    Community,
    Grid,
    Issue,
    Member,
    PointsEntry,
    Resident,
    Role,
    Wish,
    WorkUnit,
)

from bot import identities
from bot.issues import service as issues
from bot.wishes import service as wishes
from bot.infra.masking import clean, shown
from bot.members.service import mask_phone
from bot.places.service import building_label

BATCH = 2000


def _fmt(dt, tz: ZoneInfo) -> str:
    return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M") if dt else ""


def _row(ws, values: list) -> list:
    """A row as cells: a text that begins with ``=`` stays text. openpyxl writes such a string as a
    formula, so a resident who wrote 「=HYPERLINK(…)」 would have the office's Excel run it."""
    from openpyxl.cell import WriteOnlyCell  # 0.3 s to import; only an export needs it

    out = []
    for value in values:
        if isinstance(value, str) and value.startswith("="):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            value = cell
        out.append(value)
    return out


def _count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def export_workbook(
    session: Session,
    path: Path,
    *,
    tz: ZoneInfo,
    with_phones: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write four sheets (问题, 心愿, 成员, 积分); returns the row count of each. Residents'
    texts have their phone and ID numbers masked and members' phones are masked, unless
    ``with_phones``; invisible and direction characters never reach the sheet."""
    from openpyxl import Workbook  # as above

    said = clean if with_phones else shown  # what residents and handlers wrote

    wb = Workbook(write_only=True)
    names = {c.id: c.name for c in session.exec(select(Community))}
    grids = {g.id: g.name for g in session.exec(select(Grid))}
    units = {u.id: u.name for u in session.exec(select(WorkUnit))}
    member_names = {k: clean(v) for k, v in session.exec(select(Member.id, Member.name)).all()}
    resident_names = {k: said(v) for k, v in session.exec(select(Resident.id, Resident.display_name)).all()}
    labels: dict[int, str] = {}

    def place(building_id):
        if building_id and building_id not in labels:
            labels[building_id] = building_label(session, session.get(Building, building_id))
        return labels.get(building_id, "")

    def stream(model, order):
        offset = 0
        while True:
            batch = session.exec(select(model).order_by(order).offset(offset).limit(BATCH)).all()
            if not batch:
                return
            yield from batch
            offset += len(batch)
            if on_progress:
                on_progress(len(batch))

    counts: dict[str, int] = {}
    ws = wb.create_sheet("问题")
    ws.append(["编号", "社区", "网格", "楼栋", "单元", "室", "类别", "紧急", "内容", "状态", "反映人",
               "附议人数", "处理人", "合并到", "反映时间", "受理时间", "解决时间", "办结时间", "办理说明"])
    n = 0
    for i in stream(Issue, Issue.id):
        ws.append(_row(ws, [
            issues.code(i), names.get(i.community_id, ""), grids.get(i.grid_id, ""), place(i.building_id),
            i.unit, i.room, ISSUE_CATEGORY_ZH.get(i.category, i.category), "是" if i.urgent else "",
            said(i.text), ISSUE_STATUS_ZH.get(i.status, i.status), resident_names.get(i.reporter_id, ""),
            i.affected, member_names.get(i.handler_id, ""),
            issues.code(i.merged_into_id) if i.merged_into_id else "",
            _fmt(i.created_at, tz), _fmt(i.accepted_at, tz), _fmt(i.resolved_at, tz), _fmt(i.closed_at, tz),
            said(i.resolution_note),
        ]))
        n += 1
    counts["问题"] = n

    ws = wb.create_sheet("心愿")
    ws.append(["编号", "社区", "网格", "楼栋", "类别", "内容", "状态", "发布人", "认领人",
               "发布时间", "认领时间", "实现时间", "致谢"])
    n = 0
    for w in stream(Wish, Wish.id):
        ws.append(_row(ws, [
            wishes.code(w), names.get(w.community_id, ""), grids.get(w.grid_id, ""), place(w.building_id),
            WISH_CATEGORY_ZH.get(w.category, w.category), said(w.text), WISH_STATUS_ZH.get(w.status, w.status),
            resident_names.get(w.poster_id, ""), member_names.get(w.claimer_id, ""),
            _fmt(w.created_at, tz), _fmt(w.claimed_at, tz), _fmt(w.fulfilled_at, tz), said(w.thanks_note),
        ]))
        n += 1
    counts["心愿"] = n

    ws = wb.create_sheet("成员")
    ws.append(["会员编号", "姓名", "角色", "社区", "单位", "网格", "楼栋", "手机号", "网格员", "调解员",
               "工作室管理员", "状态", "已绑定聊天", "职务"])
    n = 0
    bound = identities.bound_member_ids(session)
    for m in stream(Member, Member.id):
        ws.append(_row(ws, [
            m.number, clean(m.name), ROLE_NAMES_ZH[Role(m.role)], names.get(m.community_id, ""),
            clean(m.work_unit_name) or units.get(m.work_unit_id, ""), grids.get(m.grid_id, ""), place(m.building_id),
            m.phone if with_phones else mask_phone(m.phone),
            "是" if m.is_grid_manager else "", "是" if m.is_mediator else "", "是" if m.is_office_admin else "",
            {"active": "在岗", "away": "外出", "left": "已退出"}.get(m.status, m.status),
            "是" if m.id in bound else "", clean(m.position),
        ]))
        n += 1
    counts["成员"] = n

    ws = wb.create_sheet("积分")
    ws.append(["时间", "会员编号", "姓名", "分值", "规则", "事由", "对象", "社区", "网格", "单位"])
    numbers = dict(session.exec(select(Member.id, Member.number)).all())
    n = 0
    for e in stream(PointsEntry, PointsEntry.id):
        ws.append(_row(ws, [
            _fmt(e.at, tz), numbers.get(e.member_id, ""), member_names.get(e.member_id, ""), e.delta,
            e.rule_code, e.note, e.object_key or "", names.get(e.community_id, ""),
            grids.get(e.grid_id, ""), units.get(e.work_unit_id, ""),
        ]))
        n += 1
    counts["积分"] = n
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return counts


def total_rows(session: Session) -> int:
    return sum(_count(session, m) for m in (Issue, Wish, Member, PointsEntry))
