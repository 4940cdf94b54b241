"""The wish flows every front end calls alike (chat, web, command line, an API): a wish is posted
→ it is on the wall, and its card goes to the grid's groups; each transition (claim, fulfil,
release, 还没实现, thank, withdraw) and who hears of it — the poster (under the original message
and privately), the claimer, the earlier cards with a claim button. The flows decide; the caller
only turns the result (``Posted``, ``WishChanged``) into words (``handlers.wishes.deliver``) and
hands the messages to the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from bot import identities
from bot.issues.lifecycle import Actor
from bot.members import service as members
from bot.members.address import private_chat
from bot.places import groups
from bot.wishes import service as wishes
from models import Building, Member, OutboxMessage, Resident, Wish, WishCategory


def ref_of(wish: Wish) -> str:
    """What the wish's messages are about, to find them again (card edits)."""
    return f"wish:{wish.id}"


def claim_ref_of(wish: Wish) -> str:
    """The claimer's own private card (with 已实现 / 放弃认领), apart from the public cards."""
    return f"wishclaim:{wish.id}"


@dataclass
class Posted:
    """A wish posted: it is on the wall (``wishes.wall``) at once, and its card with the claim
    button goes to each group of its grid in ``groups`` (not the chat it was written in, where
    the caller replies under the message)."""

    wish: Wish
    groups: list[int] = field(default_factory=list)


def post(
    session: Session, *, poster: Resident, community_id: int, text: str, now: datetime,
    category: str = "other", building: Building | None = None, grid_id: int | None = None,
    source_chat_id: int | None = None, source_message_id: str | None = None,
) -> Posted:
    category = category if category in WishCategory.__members__ else "other"
    wish = wishes.post(
        session, poster=poster, community_id=community_id, text=text, now=now, category=category,
        building=building, grid_id=grid_id if building is None else None,
        source_chat_id=source_chat_id, source_message_id=source_message_id,
    )
    chats = [g.chat_id for g in groups.of_grid(session, wish.grid_id)] if wish.grid_id is not None else []
    return Posted(wish, [c for c in chats if c != source_chat_id])


@dataclass(frozen=True)
class Card:
    """A message about the wish already sent with a claim button (the reply under it, a grid
    group's card, the wall)."""

    chat_id: int
    message_id: str


@dataclass
class WishChanged:
    """What one wish transition leaves to be said. ``event`` names it (claim, fulfil, release,
    reopen, thank, withdraw); the caller turns each part into words:

    - ``cards``: the earlier cards to edit to the state now;
    - ``group``: (chat, message to reply under): the poster hears it under the original message;
    - ``poster``: (chat, member id): the poster's private note, when the poster is a member;
    - ``claimer``: (chat, member id): the claimer's private note (on claim, their own card)."""

    wish: Wish
    event: str
    actor: Actor
    cards: list[Card] = field(default_factory=list)
    group: tuple[int, int | None] | None = None
    poster: tuple[int, int] | None = None
    claimer: tuple[int, int] | None = None


def cards_of(session: Session, wish: Wish) -> list[Card]:
    rows = session.exec(select(OutboxMessage.chat_id, OutboxMessage.sent_message_id).where(
        OutboxMessage.ref == ref_of(wish), OutboxMessage.kind.in_(("reply", "notice", "wall")),
        OutboxMessage.sent_message_id.is_not(None), OutboxMessage.edit_message_id.is_(None),
        OutboxMessage.buttons != "",
    ).order_by(OutboxMessage.id)).all()
    return list(dict.fromkeys(Card(chat_id, message_id) for chat_id, message_id in rows))


def _poster_group(wish: Wish) -> tuple[int, int | None] | None:
    return (wish.source_chat_id, wish.source_message_id) if wish.source_chat_id else None


def _poster_private(session: Session, wish: Wish) -> tuple[int, int] | None:
    poster = session.get(Resident, wish.poster_id)
    account = identities.account(session, poster.account_id) if poster is not None else None
    if poster is None or not poster.member_id or account is None or account.private_chat_id is None:
        return None
    member = session.get(Member, poster.member_id)
    if member is None or account.unreachable:  # the account the wish came from blocked the bot
        return None
    return account.private_chat_id, member.id


def _claimer(session: Session, wish: Wish) -> tuple[int, int] | None:
    claimer = session.get(Member, wish.claimer_id) if wish.claimer_id else None
    chat = private_chat(session, claimer) if claimer is not None else None
    return (chat, claimer.id) if chat is not None else None


def _member_actor(session: Session, member: Member, now: datetime) -> Actor:
    return Actor(member=member, resident=members.resident_for_member(session, member, now=now))


def claim(session: Session, wish: Wish, member: Member, *, now: datetime) -> WishChanged:
    """Claimed: the cards lose their claim button, the poster hears who, the claimer gets their
    own card (已实现 / 放弃认领)."""
    actor = _member_actor(session, member, now)
    wishes.claim(session, wish, actor, now=now)
    return WishChanged(wish, "claim", actor, cards_of(session, wish), _poster_group(wish),
                       _poster_private(session, wish), _claimer(session, wish))


def fulfil(session: Session, wish: Wish, member: Member, *, now: datetime, note: str = "") -> WishChanged:
    """The claimer says it is done: the poster is asked to thank (or say 还没实现)."""
    actor = _member_actor(session, member, now)
    wishes.fulfil(session, wish, actor, now=now, note=note)
    return WishChanged(wish, "fulfil", actor, cards_of(session, wish), _poster_group(wish),
                       _poster_private(session, wish))


def release(session: Session, wish: Wish, member: Member, *, now: datetime, note: str = "") -> WishChanged:
    """The claimer gives it up: back on the wall, the cards and the poster offer the claim again."""
    actor = _member_actor(session, member, now)
    wishes.release(session, wish, actor, now=now, note=note)
    return WishChanged(wish, "release", actor, cards_of(session, wish), _poster_group(wish),
                       _poster_private(session, wish))


def reopen(session: Session, wish: Wish, actor: Actor, *, now: datetime, note: str = "") -> WishChanged:
    """还没实现: back to the claimer, who gets their card again."""
    wishes.reopen(session, wish, actor, now=now, note=note)
    return WishChanged(wish, "reopen", actor, cards_of(session, wish), claimer=_claimer(session, wish))


def thank(session: Session, wish: Wish, actor: Actor, *, now: datetime, note: str = "") -> WishChanged:
    """The poster thanks: the claimer hears it (their points are booked by the service)."""
    wishes.thank(session, wish, actor, now=now, note=note)
    return WishChanged(wish, "thank", actor, claimer=_claimer(session, wish))


def withdraw(session: Session, wish: Wish, actor: Actor, *, now: datetime, note: str = "") -> WishChanged:
    """The poster takes it back: off the wall, the cards lose their claim button, a claimer hears it."""
    wishes.withdraw(session, wish, actor, now=now, note=note)
    return WishChanged(wish, "withdraw", actor, cards_of(session, wish), claimer=_claimer(session, wish))
