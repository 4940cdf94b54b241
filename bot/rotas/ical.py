"""iCalendar feeds: a member's shifts, or a rota's, as ``.ics`` bytes (the web app serves them at
``/ical/member/{token}.ics`` and ``/ical/rota/{token}.ics``; see ``bot.web.rotas``).

A feed is named by a secret token (``CalendarFeed``), made on first use, so a calendar app can
subscribe without logging in and the URL reveals nothing about who it belongs to.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlmodel import Session, select

from models import ROTA_KIND_ZH, CalendarFeed, Member, Rota, Shift

from bot.places import service as places
from bot.infra.masking import shown
from bot.rotas import turns

PAST, AHEAD = timedelta(days=14), timedelta(days=60)
PRODID = "-//Hongguanjia 红管家//rotas//ZH"


def _token(session: Session, now: datetime, **owner) -> str:
    field, value = next(iter(owner.items()))
    found = session.exec(select(CalendarFeed).where(getattr(CalendarFeed, field) == value)).first()
    if found is not None:
        return found.token
    feed = CalendarFeed(token=secrets.token_urlsafe(24), created_at=now, **owner)
    session.add(feed)
    session.flush()
    return feed.token


def member_token(session: Session, member: Member, *, now: datetime) -> str:
    return _token(session, now, member_id=member.id)


def rota_token(session: Session, rota: Rota, *, now: datetime) -> str:
    return _token(session, now, rota_id=rota.id)


def by_token(session: Session, token: str) -> CalendarFeed | None:
    if not token or len(token) > 40:
        return None
    return session.get(CalendarFeed, token)


def _calendar(name: str, tz_name: str):
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", tz_name)
    return cal


def _place(session: Session, rota: Rota) -> str:
    return places.place_label(session, building_id=rota.building_id, grid_id=rota.grid_id)


def _event(session: Session, shift: Shift, rota: Rota, uid: str, now: datetime, *, backup: bool = False):
    people = turns.on_duty(session, shift)
    ev = Event()
    ev.add("uid", uid)
    ev.add("dtstamp", now)
    ev.add("dtstart", shift.starts_at)
    ev.add("dtend", shift.ends_at)
    ev.add("summary", f"{ROTA_KIND_ZH.get(rota.kind, rota.kind)}·{rota.name}" + ("（后备）" if backup else ""))
    lines = [f"{turns.shift_code(shift)}　值班：{'、'.join(m.name for m in people) or '（缺人）'}"]
    if shift.handoff_note:
        lines.append(f"交接：{shown(shift.handoff_note)}")  # as the next shift reads it
    ev.add("description", "\n".join(lines))
    place = _place(session, rota)
    if place:
        ev.add("location", place)
    ev.add("status", "CONFIRMED")
    return ev


def member_calendar(session: Session, member: Member, *, now: datetime, tz_name: str = "Asia/Shanghai") -> bytes:
    """The member's shifts from two weeks ago to two months ahead."""
    cal = _calendar(f"红管家·{member.name}的班次", tz_name)
    rotas: dict[int, Rota] = {}
    for shift, role in turns.shifts_of(session, member, since=now - PAST, until=now + AHEAD):
        rota = rotas.setdefault(shift.rota_id, session.get(Rota, shift.rota_id))
        cal.add_component(
            _event(session, shift, rota, f"shift-{shift.id}-m{member.id}@hongguanjia", now, backup=role == "backup")
        )
    return cal.to_ical()


def rota_calendar(session: Session, rota: Rota, *, now: datetime) -> bytes:
    cal = _calendar(f"红管家·{rota.name}", rota.timezone)
    for shift in turns.shifts_of_rota(session, rota, since=now - PAST, until=now + AHEAD):
        cal.add_component(_event(session, shift, rota, f"shift-{shift.id}@hongguanjia", now))
    return cal.to_ical()
