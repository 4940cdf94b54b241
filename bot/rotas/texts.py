"""How shifts and rotas read in a message (plain text: the renderer escapes)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from models import ROTA_KIND_ZH, Member, Rota, Shift

WEEKDAY = "一二三四五六日"


def kind_zh(rota: Rota) -> str:
    return ROTA_KIND_ZH.get(rota.kind, rota.kind)


def rota_title(rota: Rota) -> str:
    """「阳光花园夜巡（巡逻）」."""
    return f"{rota.name}（{kind_zh(rota)}）"


def day_label(day: date, today: date | None = None) -> str:
    if today is not None:
        delta = (day - today).days
        if delta == 0:
            return "今天"
        if delta == 1:
            return "明天"
        if delta == 2:
            return "后天"
        if delta == -1:
            return "昨天"
    return f"{day.month}月{day.day}日 周{WEEKDAY[day.weekday()]}"


def span(shift: Shift, tz: ZoneInfo) -> str:
    """「20:00–22:00」, or 「22:00–次日06:00」."""
    start, end = shift.starts_at.astimezone(tz), shift.ends_at.astimezone(tz)
    days = (end.date() - start.date()).days
    prefix = "" if days == 0 else ("次日" if days == 1 else f"{days}天后")
    return f"{start:%H:%M}–{prefix}{end:%H:%M}"


def when(shift: Shift, tz: ZoneInfo, today: date | None = None) -> str:
    """「明天 20:00–22:00」 / 「11月30日 周一 20:00–22:00」."""
    return f"{day_label(shift.starts_at.astimezone(tz).date(), today)} {span(shift, tz)}"


def names(members: Iterable[Member | None], *, empty: str = "（暂无）") -> str:
    found = [m.name for m in members if m is not None]
    return "、".join(found) if found else empty


def local_now(now: datetime, tz: ZoneInfo) -> datetime:
    return now.astimezone(tz)
