"""Plain rows for pages and the API, built from the core. Residents' texts are masked here
(``bot.masking.shown``: the wall and the public API are public, the dashboard is seen by staff);
escaping is the template's job."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from bot import identities
from bot.infra.masking import clean, shown
from bot.issues import service as issues
from bot.members import binding, permissions
from bot.members.service import mask_phone
from bot.places import service as places
from bot.wishes import service as wishes
from handlers import handling
from models import (
    ISSUE_CATEGORY_ZH,
    ISSUE_OPEN,
    ISSUE_STATUS_ZH,
    ROLE_NAMES_ZH,
    WISH_CATEGORY_ZH,
    WISH_STATUS_ZH,
    Building,
    Grid,
    Issue,
    Member,
    MemberStatus,
    Resident,
    Role,
)


def age(since: datetime | None, now: datetime) -> str:
    if since is None:
        return ""
    minutes = int((now - since).total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 0)} 分钟"
    if minutes < 48 * 60:
        return f"{minutes // 60} 小时"
    return f"{minutes // 1440} 天"


def masked_name(name: str) -> str:
    """「张阿姨」→「张**」: the wall is public (a direction character first would turn the line)."""
    name = clean(name).strip()
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else "居民"


def _place(session: Session, building_id: int | None, cache: dict) -> str:
    if building_id is None:
        return ""
    if building_id not in cache:
        cache[building_id] = places.building_label(session, session.get(Building, building_id))
    return cache[building_id]


def wish_rows(session: Session, community_id: int, tz: ZoneInfo) -> list[dict]:
    cache: dict = {}
    rows = []
    for w in wishes.wall(session, community_id, limit=200):
        poster = session.get(Resident, w.poster_id)
        claimer = session.get(Member, w.claimer_id) if w.claimer_id else None
        rows.append({
            "code": wishes.code(w),
            "category": WISH_CATEGORY_ZH.get(w.category, w.category),
            "text": shown(w.text),
            "place": _place(session, w.building_id, cache),
            "poster": masked_name(poster.display_name if poster else ""),
            "posted": w.created_at.astimezone(tz).strftime("%m-%d"),
            "status": WISH_STATUS_ZH.get(w.status, w.status),
            "claimer": clean(claimer.name) if claimer else "",
        })
    return rows


DESK_VERBS = {"accept": "受理", "claim": "领办", "resolve": "已解决", "reject": "驳回"}


def open_issue_rows(session: Session, community_id: int, now: datetime, limit: int = 100,
                    viewer: Member | None = None) -> list[dict]:
    """Open issues, urgent first, then oldest; with a ``viewer``, each row's ``actions`` are the
    desk's buttons: what the viewer may do to it now (``bot.web.desk``)."""
    cache: dict = {}
    query = (
        select(Issue)
        .where(Issue.community_id == community_id, Issue.status.in_(ISSUE_OPEN))
        .order_by(Issue.urgent.desc(), Issue.created_at)
        .limit(limit)
    )
    rows = []
    for i in session.exec(query):
        handler = session.get(Member, i.handler_id) if i.handler_id else None
        place = _place(session, i.building_id, cache) + (f"{i.unit}单元" if i.unit else "")
        rows.append({
            "id": i.id,
            "code": issues.code(i),
            "place": place,
            "category": ISSUE_CATEGORY_ZH.get(i.category, i.category),
            "text": shown(i.text),
            "status": ISSUE_STATUS_ZH.get(i.status, i.status),
            "handler": clean(handler.name) if handler else "",
            "affected": i.affected,
            "urgent": i.urgent,
            "age": age(i.created_at, now),
        })
        if viewer is not None:
            rows[-1]["actions"] = [{"verb": v, "label": DESK_VERBS[v]}
                                   for v in handling.handler_verbs(viewer, i, tuple(DESK_VERBS))]
    return rows


def member_rows(session: Session, viewer: Member) -> list[dict]:
    """The viewer's community's members for the dashboard: phones in full only for the office
    (``permissions.may_see_phones``), whether a chat account is bound, and what the viewer may do."""
    show_phones = permissions.may_see_phones(viewer)
    grids = {g.id: g.name for g in session.exec(select(Grid).where(Grid.community_id == viewer.community_id))}
    rows = []
    bound = identities.bound_member_ids(session)
    for m in session.exec(select(Member).where(Member.community_id == viewer.community_id).order_by(Member.seq)):
        active = m.status != MemberStatus.left
        rows.append({
            "number": m.number, "name": m.name, "role_name": ROLE_NAMES_ZH[Role(m.role)],
            "grid": grids.get(m.grid_id, ""), "status": m.status,
            "phone": m.phone if show_phones else mask_phone(m.phone),
            "bound": m.id in bound,
            "may_invite": active and m.id not in bound and binding.may_invite(viewer, m),
            "may_unbind": m.id in bound and binding.may_unbind(viewer, m),
        })
    return rows
