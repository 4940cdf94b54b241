"""The flood rule: one sender cannot bury a community in reports, and saying a thing twice is
saying it once.

- **Repeats.** A message identical or near-identical to one the same sender wrote in the
  community within ``repeat_window_minutes`` (what the report flow took up, or held) is the same
  message: no second report, no second question. Near-identical: the same text once spacing,
  punctuation, symbols, case and invisible characters are gone, or — with the same numbers and
  place (「3栋」 and 「5栋」 are two reports) — at least ``repeat_similarity`` alike.
- **Floods.** A sender who made ``flood_reports`` new reports within ``flood_window_minutes`` in
  a community has their further report-like messages held in one ``HeldBundle`` — durable, in
  full — for the grid manager (the office where the sender's place has no grid), who is told once
  and files what is real. The bundle takes messages while the sender keeps writing (each held
  message keeps it open for another window), so a steady flood never gets past three.

Everything is rows and the injected ``now``: two processes, a restart or a late update see the
same counts. The conversation (``handlers.flood``) decides what is said.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher

from sqlalchemy import bindparam, delete, func, insert, update
from sqlmodel import Session, select

from bot import identities
from bot.infra.config import Settings
from bot.issues.routing import FALLBACK, members_at
from models import HeldBundle, HeldMessage, Member, MemberStatus, ReportTrace, Resident, Role, RouteTarget

ACTED = "acted"
HELD = "held"
COMMAND = "command"  # a command in a group (answered there): counted, never compared as a repeat
RECENT_LIMIT = 30  # a sender's traces compared with a new message (newest first)
_DIGITS = re.compile(r"\d+")


# --- what makes two messages one ------------------------------------------------------------


def fingerprint(text: str) -> str:
    """The text as a repeat compares it: NFKC, case-folded, without spacing, punctuation,
    symbols (emoji), controls and invisible characters."""
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(c for c in folded if unicodedata.category(c)[0] not in "PSZC")[:256]


def marks(fingerprint_: str, place=None) -> str:
    """The numbers and the place a message names: two messages that differ here are two reports
    however alike the rest (「3栋灯坏了」 / 「5栋灯坏了」)."""
    numbers = ",".join(_DIGITS.findall(fingerprint_))
    where = "/".join(getattr(place, k, "") or "" for k in ("compound", "building", "unit", "room")) if place else ""
    return f"{numbers}|{where}"[:128]


def alike(a_fp: str, a_marks: str, b_fp: str, b_marks: str, similarity: float) -> bool:
    if a_fp == b_fp:
        return bool(a_fp)
    if a_marks != b_marks or not a_fp or not b_fp:
        return False
    shorter, longer = sorted((len(a_fp), len(b_fp)))
    if 2 * shorter / (shorter + longer) < similarity:  # the ratio can be no higher than this
        return False
    return SequenceMatcher(None, a_fp, b_fp, autojunk=False).ratio() >= similarity


# --- the sender's recent reports ------------------------------------------------------------


@dataclass
class Screen:
    """What the rule says about a new message: a repeat of trace ``repeat_of`` (whose one short
    answer was given if ``repeat_answered``), held (``hold``), or free to go through the flow."""

    fingerprint: str
    marks: str
    repeat_of: int | None = None
    repeat_answered: bool = False
    hold: bool = False
    bundle: HeldBundle | None = None  # the sender's bundle still taking messages, if any


_T = ReportTrace.__table__
# Core, prebuilt: this runs for every report-like message
_RECENT = (
    select(_T.c.id, _T.c.at, _T.c.fingerprint, _T.c.marks, _T.c.outcome, _T.c.repeat_answered)
    .where(_T.c.community_id == bindparam("community"), _T.c.user_id == bindparam("user"),
           _T.c.outcome != COMMAND, _T.c.at >= bindparam("since"))
    .order_by(_T.c.at.desc(), _T.c.id.desc())
    .limit(bindparam("limit"))
)
_NOTE = insert(_T).values(
    community_id=bindparam("community"), user_id=bindparam("user"), chat_id=bindparam("chat"),
    message_id=bindparam("message"), at=bindparam("at"), fingerprint=bindparam("fp"), marks=bindparam("marks"),
    outcome=bindparam("outcome"), repeat_answered=False,
)
_PRUNE = delete(_T).where(_T.c.at < bindparam("before"))
_PRUNE_EVERY = 200  # notes between two sweeps of traces past both windows (queries ignore them anyway)
_notes = itertools.count(1)


def screen(session: Session, settings: Settings, *, community_id: int, user_id: int, text: str, place,
           now: datetime) -> Screen:
    """One indexed read in the common case: the sender's traces within the windows. No held
    trace within the flood window means no bundle takes messages (each held message renews it)."""
    fp = fingerprint(text)
    found = Screen(fp, marks(fp, place))
    repeat_since = now - timedelta(minutes=settings.repeat_window_minutes)
    flood_since = now - timedelta(minutes=settings.flood_window_minutes)
    recent = session.connection().execute(_RECENT, {
        "community": community_id, "user": user_id, "since": min(repeat_since, flood_since),
        "limit": max(RECENT_LIMIT, settings.flood_reports + 1),
    }).all()
    for trace in recent:
        if trace.at >= repeat_since and alike(fp, found.marks, trace.fingerprint, trace.marks,
                                              settings.repeat_similarity):
            found.repeat_of, found.repeat_answered = trace.id, trace.repeat_answered
            return found
    in_window = [t for t in recent if t.at >= flood_since]
    if any(t.outcome == HELD for t in in_window):
        found.bundle = current_bundle(session, community_id=community_id, user_id=user_id, since=flood_since)
    found.hold = found.bundle is not None or sum(t.outcome == ACTED for t in in_window) >= settings.flood_reports
    return found


def repeat_answered(session: Session, trace_id: int) -> None:
    session.connection().execute(update(_T).where(_T.c.id == trace_id).values(repeat_answered=True))


def note(session: Session, settings: Settings, *, community_id: int, user_id: int, chat_id: int,
         message_id: str | None, screened: Screen, outcome: str, now: datetime) -> None:
    """Remember a message the report flow took up (``ACTED``), held (``HELD``), or a command in a
    group (``COMMAND``); now and then forget what has left both windows."""
    conn = session.connection()
    conn.execute(_NOTE, {"community": community_id, "user": user_id, "chat": chat_id, "message": message_id or "",
                         "at": now, "fp": screened.fingerprint, "marks": screened.marks, "outcome": outcome})
    if next(_notes) % _PRUNE_EVERY == 0:
        keep = max(settings.repeat_window_minutes, settings.flood_window_minutes)
        conn.execute(_PRUNE, {"before": now - timedelta(minutes=keep)})


def commands_answered(session: Session, settings: Settings, *, community_id: int, user_id: int, chat_id: int,
                      message_id: str, now: datetime) -> int:
    """Count a command of this sender in this group (kept like a report's trace) and return how
    many they sent there within the flood window, this one included: each is answered in the
    group, and twenty a minute is all a group gets."""
    since = now - timedelta(minutes=settings.flood_window_minutes)
    earlier = session.exec(
        select(func.count()).select_from(ReportTrace).where(
            ReportTrace.community_id == community_id, ReportTrace.user_id == user_id,
            ReportTrace.chat_id == chat_id, ReportTrace.outcome == COMMAND, ReportTrace.at >= since)
    ).one()
    note(session, settings, community_id=community_id, user_id=user_id, chat_id=chat_id, message_id=message_id,
         screened=Screen("", ""), outcome=COMMAND, now=now)
    return earlier + 1


# --- bundles --------------------------------------------------------------------------------


def current_bundle(session: Session, *, community_id: int, user_id: int, since: datetime) -> HeldBundle | None:
    """The sender's bundle still taking messages: its last message is within the window."""
    return session.exec(
        select(HeldBundle)
        .where(HeldBundle.community_id == community_id, HeldBundle.user_id == user_id, HeldBundle.last_at >= since)
        .order_by(HeldBundle.id.desc())
    ).first()


@dataclass
class Held:
    bundle: HeldBundle
    message: HeldMessage
    opened: bool  # this message opened the bundle: the reviewers are to be told
    now_urgent: bool  # the first urgent message of the bundle: tell them again, at once


def hold(session: Session, bundle: HeldBundle | None, *, community_id: int, grid_id: int | None, user_id: int,
         resident: Resident | None, sender_name: str, chat_id: int, message_id: str, text: str, urgent: bool,
         now: datetime) -> Held:
    """Add the message to the sender's bundle (opening one when none takes messages)."""
    opened = bundle is None
    if bundle is None:
        bundle = HeldBundle(community_id=community_id, grid_id=grid_id, user_id=user_id,
                            resident_id=resident.id if resident else None, sender_name=sender_name[:128],
                            chat_id=chat_id, opened_at=now, last_at=now)
        session.add(bundle)
        session.flush()
    now_urgent = urgent and not bundle.urgent
    bundle.count += 1
    bundle.last_at = now
    bundle.urgent = bundle.urgent or urgent
    if bundle.status != "held":  # reviewed, and the sender wrote again within the window
        bundle.status, bundle.reviewed_by_id, bundle.reviewed_at = "held", None, None
    message = HeldMessage(bundle_id=bundle.id, chat_id=chat_id, message_id=message_id, text=text, at=now,
                          urgent=urgent)
    session.add_all([bundle, message])
    session.flush()
    return Held(bundle, message, opened, now_urgent)


def waiting(session: Session, bundle: HeldBundle) -> list[HeldMessage]:
    """The bundle's messages nobody has filed or dismissed yet, oldest first."""
    return list(session.exec(
        select(HeldMessage).where(HeldMessage.bundle_id == bundle.id, HeldMessage.status == "held")
        .order_by(HeldMessage.id)
    ).all())


def dismiss_rest(session: Session, bundle: HeldBundle, by: Member, *, now: datetime) -> int:
    rest = waiting(session, bundle)
    for message in rest:
        message.status = "dismissed"
        session.add(message)
    bundle.status, bundle.reviewed_by_id, bundle.reviewed_at = "reviewed", by.id, now
    session.add(bundle)
    session.flush()
    return len(rest)


def filed(session: Session, message: HeldMessage, issue_id: int, by: Member, *, now: datetime) -> None:
    message.status, message.issue_id = "filed", issue_id
    session.add(message)
    bundle = session.get(HeldBundle, message.bundle_id)
    if not waiting(session, bundle):
        bundle.status, bundle.reviewed_by_id, bundle.reviewed_at = "reviewed", by.id, now
        session.add(bundle)
    session.flush()


# --- who looks at a bundle ------------------------------------------------------------------

_LEVELS = (RouteTarget.grid_manager, *FALLBACK[RouteTarget.grid_manager])


def reviewers(session: Session, *, community_id: int, grid_id: int | None) -> list[Member]:
    """The grid's manager; where there is none (or no grid), the next level up, as routing
    falls back: the grid's community workers, the office, the district leader. Only people the
    bot can write to count: a level whose members have no chat account is passed over."""
    for level in _LEVELS:
        found = [m for m in members_at(session, level, community_id=community_id, grid_id=grid_id, building_id=None)
                 if identities.private_chat(session, m) is not None]
        if found:
            return found
    return []


def may_review(member: Member | None, bundle: HeldBundle) -> str | None:
    """None when ``member`` may file or dismiss what the bundle holds; the reason otherwise."""
    if member is None or member.status == MemberStatus.left or member.community_id != bundle.community_id:
        return "只有本社区的网格员、社区工作人员和社区工作室可以处理暂存的消息"
    if member.is_office_admin or member.role == Role.district_leader:
        return None
    if member.role == Role.community_worker and (
        bundle.grid_id is None or member.grid_id is None or member.grid_id == bundle.grid_id
    ):
        return None
    return "只有本网格的网格员、社区工作人员和社区工作室可以处理暂存的消息"
