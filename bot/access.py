"""Signed web-login tokens for members, and who may see what on the web pages.

A token is ``<member_id>.<expiry unix time>.<hmac>``: it needs no table, and a member gets one
from the bot (``/web``) or from ``hgj web-login``. The secret is ``HGJ_WEB_SECRET``; when unset,
one is generated once and kept in ``hongguanjia.secret`` beside the working directory's data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from models import Member, MemberStatus, Role

SECRET_FILE = "hongguanjia.secret"
DEFAULT_LIFETIME = timedelta(days=7)


def load_secret(configured: str | None, directory: Path | None = None) -> bytes:
    if configured:
        return configured.encode()
    path = (directory or Path.cwd()) / SECRET_FILE
    if path.exists():
        return path.read_bytes().strip()
    value = secrets.token_urlsafe(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(value)
    return value


def _sign(secret: bytes, payload: str) -> str:
    mac = hmac.new(secret, payload.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def make_token(secret: bytes, member_id: int, *, now: datetime, lifetime: timedelta = DEFAULT_LIFETIME) -> str:
    payload = f"{member_id}.{int((now + lifetime).timestamp())}"
    return f"{payload}.{_sign(secret, payload)}"


def read_token(secret: bytes, token: str, *, now: datetime) -> int | None:
    """The member id in a valid, unexpired token; None otherwise."""
    if not token.isascii():
        return None  # hmac.compare_digest refuses non-ASCII text (a TypeError): no token of ours is
    try:
        member_id, expires, mac = token.split(".")
        if not hmac.compare_digest(mac, _sign(secret, f"{member_id}.{expires}")):
            return None
        if int(expires) < now.timestamp():
            return None
        return int(member_id)
    except (ValueError, AttributeError):
        return None


def may_see_dashboard(member: Member | None) -> bool:
    """Leaders, unit cadres, community workers and office admins see their community's dashboard."""
    return (
        member is not None
        and member.status != MemberStatus.left
        and (member.is_office_admin or member.role in (Role.district_leader, Role.unit_cadre, Role.community_worker))
    )


def may_see_phones(member: Member | None) -> bool:
    """Phone numbers are for the community office only."""
    return member is not None and member.status != MemberStatus.left and member.is_office_admin


def may_change_settings(member: Member | None) -> bool:
    return may_see_phones(member)
