"""Dashboard logins for members (who may see what: ``bot.members.permissions``).

A login is a ``WebLogin`` row: the token handed out (in the ``/web`` link, by ``hgj web-login``)
is random, only its SHA-256 is stored, and every request checks the row — not expired, not
revoked, its member not gone — so unbinding a chat account or a member leaving ends their
logins at once (``revoke_logins``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from models import Member, MemberStatus, WebLogin

DEFAULT_LIFETIME = timedelta(days=7)
_TOKEN_MAX = 128  # what we hand out is 43 characters; anything much longer is not ours


def digest(secret: str) -> str:
    """The stored form of a token or an invitation code (hex SHA-256): the secrets are 256-bit
    random, so a plain hash is enough to make a copy of the database useless to log in with."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def issue_login(session: Session, member: Member, *, now: datetime, lifetime: timedelta = DEFAULT_LIFETIME) -> str:
    """A new login for ``member``; returns the token (shown once, never stored)."""
    token = secrets.token_urlsafe(32)
    session.add(WebLogin(token_hash=digest(token), member_id=member.id, created_at=now, expires_at=now + lifetime))
    session.flush()
    return token


def login_of(session: Session, token: str | None, *, now: datetime) -> WebLogin | None:
    """The live login behind a token: known, unexpired, unrevoked, its member not gone."""
    if not token or len(token) > _TOKEN_MAX:
        return None
    login = session.exec(select(WebLogin).where(WebLogin.token_hash == digest(token))).first()
    if login is None or login.revoked_at is not None or login.expires_at is None or login.expires_at <= now:
        return None
    member = session.get(Member, login.member_id)
    if member is None or member.status == MemberStatus.left:
        return None
    return login


def exchange(session: Session, token: str | None, *, now: datetime) -> str | None:
    """Open a login link: the link's token ends and a new one, unknown to whoever saw the link
    (a forwarded chat, a browser history, a proxy log), carries the browser's login until the link
    would have run out. None when the link is no live login."""
    link = login_of(session, token, now=now)
    if link is None:
        return None
    link.revoked_at = now
    session.add(link)
    fresh = secrets.token_urlsafe(32)
    session.add(WebLogin(token_hash=digest(fresh), member_id=link.member_id, created_at=now, expires_at=link.expires_at))
    session.flush()
    return fresh


def member_for_token(session: Session, token: str | None, *, now: datetime) -> Member | None:
    login = login_of(session, token, now=now)
    return session.get(Member, login.member_id) if login is not None else None


def revoke_logins(session: Session, member_id: int, *, now: datetime) -> int:
    """End every live login of a member (unbound, left); returns how many."""
    result = session.execute(
        update(WebLogin)
        .where(WebLogin.member_id == member_id, WebLogin.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return result.rowcount or 0


def revoke_token(session: Session, token: str | None, *, now: datetime) -> None:
    """Logging out ends that login."""
    login = login_of(session, token, now=now)
    if login is not None:
        login.revoked_at = now
        session.add(login)


def csrf_token(token: str) -> str:
    """The value a page's forms carry with a cookie login: derived from the login token, so a
    page on another site (which cannot read our cookie) cannot forge it."""
    return hashlib.sha256(b"csrf:" + token.encode("utf-8", "surrogatepass")).hexdigest()[:32]
