"""Micro-wishes (微心愿): posted → claimed → fulfilled → thanked, or withdrawn / expired."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, cast, exists, literal
from sqlmodel import Session, select

from bot.infra.errors import InvalidInput, NotAllowed, NotFound
from bot.infra.ids import parse_id
from bot.issues.lifecycle import Actor, record, require_state
from bot.members import permissions
from bot.points import service as points
from models import (
    WISH_OPEN,
    WISH_STATUS_ZH,
    Building,
    Member,
    PointsEntry,
    Resident,
    Wish,
    WishCategory,
    WishEvent,
    WishStatus,
)

S = WishStatus
DEFAULT_LIFETIME = timedelta(days=30)
FULFILLED = "wish_fulfilled"
SETTLE_LOOKBACK = timedelta(days=60)  # older fulfilments are no longer looked at


def code(wish: Wish | int) -> str:
    return f"W{wish if isinstance(wish, int) else wish.id}"


def parse_code(text: str) -> int | None:
    text = text.strip().lstrip("#").upper()
    if text.startswith("W"):
        text = text[1:]
    return parse_id(text)


def get(session: Session, wish_id: int) -> Wish:
    wish = session.get(Wish, wish_id)
    if wish is None:
        raise NotFound(f"没有找到心愿 {code(wish_id)}")
    return wish


def _event(session, wish, action, to, actor, now, note=""):
    return record(
        session, wish, WishEvent, "wish_id", action=action, to_status=to, actor=actor, now=now, note=note
    )


def _state(wish: Wish, allowed, action_zh: str) -> None:
    require_state(wish, allowed, action_zh, WISH_STATUS_ZH, code(wish))


def _poster_only(actor: Actor, wish: Wish) -> None:
    if actor.resident is None or actor.resident.id != wish.poster_id:
        raise NotAllowed("只有发布心愿的居民本人可以这样做")


def post(
    session: Session,
    *,
    poster: Resident,
    community_id: int,
    text: str,
    now: datetime,
    category: str = WishCategory.other,
    building: Building | None = None,
    grid_id: int | None = None,
    lifetime: timedelta = DEFAULT_LIFETIME,
    source_chat_id: int | None = None,
    source_message_id: str | None = None,
) -> Wish:
    text = text.strip()
    if not text:
        raise InvalidInput("心愿内容不能为空")
    if category not in WishCategory.__members__:
        raise InvalidInput(f"未知的心愿类别「{category}」")
    if building is not None:
        grid_id = building.grid_id or grid_id
    wish = Wish(
        community_id=community_id,
        grid_id=grid_id,
        building_id=building.id if building else None,
        category=category,
        text=text,
        status=S.posted,
        poster_id=poster.id,
        source_chat_id=source_chat_id,
        source_message_id=source_message_id,
        created_at=now,
        updated_at=now,
        expires_at=now + lifetime,
    )
    session.add(wish)
    session.flush()
    session.add(
        WishEvent(
            wish_id=wish.id, at=now, action="post", from_status=None, to_status=S.posted,
            actor_resident_id=poster.id, actor_member_id=poster.member_id,
        )
    )
    return wish


def claim(session: Session, wish: Wish, actor: Actor, *, now: datetime) -> WishEvent:
    poster = session.get(Resident, wish.poster_id)
    problem = permissions.may_claim_wish(actor.member, wish, poster.member_id if poster else None)
    if problem:
        raise NotAllowed(problem)
    if wish.status == S.claimed and wish.claimer_id == actor.member.id:
        raise InvalidInput(f"你已经认领了 {code(wish)}")
    _state(wish, (S.posted,), "认领")
    event = _event(session, wish, "claim", S.claimed, actor, now)
    wish.claimer_id = actor.member.id
    wish.claimed_at = now
    return event


def release(session: Session, wish: Wish, actor: Actor, *, now: datetime, note: str = "") -> WishEvent:
    """The claimer cannot do it after all: back on the wall for someone else."""
    if actor.member is None or actor.member.id != wish.claimer_id:
        raise NotAllowed("只有认领人可以放弃认领")
    _state(wish, (S.claimed,), "放弃认领")
    event = _event(session, wish, "release", S.posted, actor, now, note)
    wish.claimer_id = None
    wish.claimed_at = None
    return event


def fulfil(session: Session, wish: Wish, actor: Actor, *, now: datetime, note: str = "") -> WishEvent:
    if actor.member is None or actor.member.id != wish.claimer_id:
        raise NotAllowed("只有认领人可以标记心愿已实现")
    _state(wish, (S.claimed,), "标记实现")
    event = _event(session, wish, "fulfil", S.fulfilled, actor, now, note)
    wish.fulfilled_at = now
    return event  # points when the poster thanks, or after a few quiet days (``settle_due``)


def reopen(session: Session, wish: Wish, actor: Actor, *, now: datetime, note: str = "") -> WishEvent:
    """还没实现: the poster says the claimer's 已实现 is not so; the wish goes back to the claimer,
    nothing is booked. Once its points are booked (thanked, or the quiet days passed) it stays."""
    _poster_only(actor, wish)
    _state(wish, (S.fulfilled,), "退回")
    if booked(session, wish):
        raise InvalidInput(f"{code(wish)} 的积分已记；如心愿其实没有实现，请联系社区红管家工作室")
    event = _event(session, wish, "reopen", S.claimed, actor, now, note.strip())
    wish.fulfilled_at = None
    return event


def booked(session: Session, wish: Wish) -> bool:
    return session.exec(select(PointsEntry.id).where(
        PointsEntry.rule_code == FULFILLED, PointsEntry.object_key == f"wish:{wish.id}")).first() is not None


def book_fulfilment(session: Session, wish: Wish, *, now: datetime):
    """The claimer's points for the wish (once: ``points.award`` books a rule and object once)."""
    claimer = session.get(Member, wish.claimer_id) if wish.claimer_id else None
    return points.award(session, FULFILLED, claimer, f"wish:{wish.id}", now=now) if claimer else None


def settle_due(session: Session, now: datetime, *, days: int = 3) -> int:
    """Book the points of every wish marked fulfilled ``days`` ago that its poster has neither
    thanked for nor sent back (a claimer alone marking 已实现 is paid only when the poster says
    thanks, or lets it stand).
    Returns how many were booked now; a second run books nothing again."""
    cutoff = now - timedelta(days=days)
    booked = exists().where(PointsEntry.rule_code == FULFILLED,
                            PointsEntry.object_key == literal("wish:", String) + cast(Wish.id, String))
    due = session.exec(select(Wish).where(
        Wish.status == S.fulfilled, Wish.fulfilled_at <= cutoff, Wish.fulfilled_at > cutoff - SETTLE_LOOKBACK,
        ~booked,
    ).order_by(Wish.id)).all()
    return sum(1 for wish in due if book_fulfilment(session, wish, now=now) is not None)


def thank(session: Session, wish: Wish, actor: Actor, *, now: datetime, note: str = "") -> WishEvent:
    _poster_only(actor, wish)
    _state(wish, (S.fulfilled,), "致谢")
    event = _event(session, wish, "thank", S.thanked, actor, now, note.strip())
    wish.thanks_note = note.strip()
    wish.closed_at = now
    book_fulfilment(session, wish, now=now)  # somebody checked: the poster
    return event


def withdraw(session: Session, wish: Wish, actor: Actor, *, now: datetime, note: str = "") -> WishEvent:
    _poster_only(actor, wish)
    _state(wish, WISH_OPEN, "撤回")
    event = _event(session, wish, "withdraw", S.withdrawn, actor, now, note)
    wish.closed_at = now
    return event


def expire_due(session: Session, *, now: datetime) -> list[Wish]:
    """Posted wishes nobody claimed before they ran out: marked expired (claimed ones stay)."""
    due = session.exec(
        select(Wish).where(Wish.status == S.posted, Wish.expires_at.is_not(None), Wish.expires_at <= now)
    ).all()
    for wish in due:
        _event(session, wish, "expire", S.expired, Actor.system(), now)
        wish.closed_at = now
    return list(due)


def wall(
    session: Session, community_id: int, *, grid_id: int | None = None, limit: int = 50
) -> list[Wish]:
    """The wish wall: open wishes, oldest first (they have waited longest)."""
    query = select(Wish).where(Wish.community_id == community_id, Wish.status.in_(WISH_OPEN))
    if grid_id is not None:
        query = query.where(Wish.grid_id == grid_id)
    return list(session.exec(query.order_by(Wish.id).limit(limit)).all())


def claimed_by(session: Session, member: Member, limit: int = 20) -> list[Wish]:
    return list(
        session.exec(
            select(Wish).where(Wish.claimer_id == member.id).order_by(Wish.id.desc()).limit(limit)
        ).all()
    )
