"""What to do when an alert's recipient cannot be reached: tell the next person in the route.

The sender calls the hook in the transaction that marks the row ``failed`` and its member
``unreachable``; whatever it enqueues is committed with that.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session, select

from bot.places import groups
from bot.infra.ids import parse_id
from bot.issues.routing import route
from bot.members.address import private_chat
from bot.messages import Outgoing
from models import ISSUE_OPEN, Issue, OutboxMessage

from .store import buttons_from_json, enqueue, rich_of

log = logging.getLogger(__name__)


def issue_id_of(ref: str | None) -> int | None:
    """``"issue:12"`` → 12."""
    if not ref:
        return None
    kind, _, raw = ref.partition(":")
    return parse_id(raw) if kind == "issue" else None


def reroute_alert(session: Session, row: OutboxMessage, now: datetime) -> list[OutboxMessage]:
    """An issue alert (``kind="alert"``, ``ref="issue:<id>"``) that could not be delivered goes,
    with the same text, buttons, kind and ref, to the first member of the issue's route who has
    not had this alert yet and has a chat account; when nobody is left, to the groups bound to
    the issue's grid (or else to its community). Each recipient gets it at most once per ref,
    so a chain of unreachable recipients ends. Anything else is left alone."""
    issue_id = issue_id_of(row.ref)
    if row.kind != "alert" or issue_id is None or row.edit_message_id is not None:
        return []
    issue = session.get(Issue, issue_id)
    if issue is None or issue.status not in ISSUE_OPEN:
        return []
    tried = session.exec(
        select(OutboxMessage.member_id, OutboxMessage.chat_id).where(
            OutboxMessage.ref == row.ref, OutboxMessage.kind == "alert"
        )
    ).all()
    tried_members = {member_id for member_id, _ in tried if member_id is not None}
    tried_chats = {chat_id for _, chat_id in tried}

    def copy(chat_id: int, member_id: int | None) -> OutboxMessage | None:
        return enqueue(
            session,
            Outgoing(
                chat_id=chat_id, text=rich_of(row.text), buttons=buttons_from_json(row.buttons), photo=row.photo,
                kind=row.kind, member_id=member_id, ref=row.ref,
                dedupe_key=f"reroute:{row.id}:{chat_id}",
            ),
            now=now,
        )

    stops = route(
        session, community_id=issue.community_id, category=issue.category, urgent=issue.urgent,
        grid_id=issue.grid_id, building_id=issue.building_id, exclude=tried_members,
    )
    for stop in stops:
        member = stop.member
        chat = private_chat(session, member)
        if chat is None or chat in tried_chats:
            continue
        log.info("outbox: alert %s for %s re-routed to member %s", row.id, row.ref, member.id)
        added = copy(chat, member.id)
        return [added] if added is not None else []

    bound = groups.of_grid(session, issue.grid_id) if issue.grid_id is not None else []
    if not bound:
        bound = groups.of_community(session, issue.community_id)
    added = [copy(g.chat_id, None) for g in bound if g.chat_id not in tried_chats]
    if not bound:
        log.warning("outbox: alert %s for %s reaches nobody: no one left in the route, no bound group",
                    row.id, row.ref)
    return [a for a in added if a is not None]
