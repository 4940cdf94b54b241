"""Texts about rotas and shifts: how a rota, a shift and a day are written, and the scheduled
shift messages (the evening-before and start reminders, the call for volunteers, the missed
check-in calls) the core hands over as facts (``bot.rotas.notices``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo

from bot.infra.masking import shown
from bot.messages import Action, Button
from bot.notices import Said
from bot.rich import bold, rich
from bot.rotas.notices import EveReminder, MissedCheckIn, QuorumCall, ShiftFacts, StartReminder
from bot.rotas.turns import shift_code
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


# --- the scheduled shift messages ----------------------------------------------------------------


def _when(at: ShiftFacts) -> str:
    return when(at.shift, at.tz, at.today)


def eve_reminder(f: EveReminder) -> Said:
    shift, rota = f.at.shift, f.at.rota
    if f.as_backup:
        return Said(rich(
            "📅 ", bold("后备提醒"), f"\n{rota_title(rota)} {_when(f.at)}（{shift_code(shift)}）\n"
            f"值班：{names(f.on)}。你是后备，如有人缺岗我会再通知你。"
        ))
    text = (
        rich("📅 ", bold("排班提醒"), f"\n{rota_title(rota)}（{shift_code(shift)}）\n时间：{_when(f.at)}\n")
        + (f"同班：{names(f.others)}\n" if f.others else "")
        + (f"后备：{f.backup.name}\n" if f.backup else "")
        + "请准时到岗，开始后点「签到」或发送 /checkin。来不了请点「换班」。"
    )
    return Said(text, [[Button("换班", Action("s", "swap", shift.id))]])


def start_reminder(f: StartReminder) -> Said:
    shift, rota = f.at.shift, f.at.rota
    note, writer = f.handoff_note, f.handoff_by
    text = (
        rich("🔔 ", bold(f"{rota_title(rota)} 现在开始"), f"（{shift_code(shift)}）\n时间：{span(shift, f.at.tz)}\n")
        + (f"同班：{names(f.others)}\n" if f.others else "")
        + (f"上一班交接（{writer.name if writer else ''}）：{shown(note)}\n" if note else "")
        + "到岗后请点「签到」，可再发位置或照片。"
    )
    return Said(text, [[Button("签到", Action("s", "in", shift.id)), Button("写交接", Action("s", "note", shift.id))]])


def quorum_call(f: QuorumCall) -> Said:
    shift, rota = f.at.shift, f.at.rota
    if f.team_free:
        text = rich(
            "🙋 ", bold(f"{rota_title(rota)} 还差 {f.need} 人"), "\n"
            f"{_when(f.at)}（{shift_code(shift)}）需要 {rota.quorum} 人，"
            f"现在 {len(f.on)} 人（{names(f.on)}）。\n能来的请点「我来」。"
        )
        return Said(text, [[Button("我来", Action("s", "join", shift.id))]])
    # nobody in the team is free that day: the grid manager (or whoever is above) arranges it
    return Said(rich(
        "🙋 ", bold(f"{rota_title(rota)} 缺人，队里没人有空"), "\n"
        f"{_when(f.at)}（{shift_code(shift)}）需要 {rota.quorum} 人，"
        f"现在 {len(f.on)} 人（{names(f.on)}）。\n请协调，可用 /cover {shift_code(shift)} 姓名 安排人员。"
    ))


def missed_checkin(f: MissedCheckIn) -> Said:
    shift, rota = f.at.shift, f.at.rota
    situation = (
        f"{rota_title(rota)}{('·' + f.place) if f.place else ''} {_when(f.at)}"
        f"（{shift_code(shift)}）已开始 {max(f.minutes, 0)} 分钟，应到 {rota.quorum} 人，已签到 {f.present} 人"
        + (f"（{names(f.arrived)}）" if f.arrived else "")
    )
    come = [[Button("我来顶班并签到", Action("s", "in", shift.id))]]
    if f.to == "backup":
        return Said(rich("⚠️ ", bold("缺岗，请后备顶班"), f"\n{situation}。\n你是后备，请尽快前往，到岗后点下面的按钮。"),
                    come)
    if f.to == "team":
        return Said(rich("⚠️ ", bold("缺岗，求支援"), f"\n{situation}。\n有空的队员请前往，到岗后点下面的按钮。"), come)
    return Said(
        rich("⚠️ ", bold("缺岗提醒"), f"\n{situation}。\n值班：{names(f.on)}")
        + (f"；后备：{f.backup.name}" if f.backup else "")
        + "。\n请协调处理。"
    )
