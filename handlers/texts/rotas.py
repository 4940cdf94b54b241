"""Texts about rotas and shifts: how a rota, a shift and a day are written, the replies of the
rota commands and buttons (``handlers/rotas.py``, which looks up what they show), and the scheduled
shift messages (the evening-before and start reminders, the call for volunteers, the missed
check-in calls) the core hands over as facts (``bot.rotas.notices``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple
from zoneinfo import ZoneInfo

from bot.infra.masking import shown
from bot.messages import Action, Button
from bot.notices import Said
from bot.rich import Rich, bold, join, rich
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


def people(on: Sequence[Member], here: set[int]) -> str:
    """Who is on a shift, ✅ for whoever has checked in."""
    if not on:
        return "（缺人）"
    return "、".join(m.name + ("✅" if m.id in here else "") for m in on)


def _at(rota: Rota, shift: Shift, tz: ZoneInfo, today: date) -> str:
    """「阳光花园夜巡（巡逻） 明天 20:00–22:00（S12）」."""
    return f"{rota_title(rota)} {when(shift, tz, today)}（{shift_code(shift)}）"


# --- the rota commands (handlers/rotas.py) -------------------------------------------------------


def members_only() -> str:
    return "只有红管家可以使用排班功能。请先私聊我发送 /bind 按提示完成绑定"


def no_rotas_here() -> str:
    return "这里还没有排班。网格员可以用 /newrota 新建。"


class DutyRow(NamedTuple):
    """One rota on the /duty board; a shift's people are written by ``people``."""

    rota: Rota
    tz: ZoneInfo
    today: date
    current: Shift | None
    current_people: str
    upcoming: Shift | None
    upcoming_people: str


def duty(rows: Iterable[DutyRow]) -> Rich:
    lines: list[str | Rich] = [rich("👮 ", bold("值班情况"))]
    for row in rows:
        lines.append(bold(rota_title(row.rota)))
        if row.current is not None:
            lines.append(f"· 现在 {span(row.current, row.tz)}：{row.current_people}")
        if row.upcoming is not None:
            lines.append(f"· 下一班 {when(row.upcoming, row.tz, row.today)}：{row.upcoming_people}")
        if row.current is None and row.upcoming is None:
            lines.append("· 近期没有班次")
    return join("\n", lines)


class MyShift(NamedTuple):
    shift: Shift
    rota: Rota
    tz: ZoneInfo
    today: date
    backup: bool


def my_shifts(name: str, shifts: Sequence[MyShift], away: Iterable[tuple[date, date]], feed: str | None) -> Rich:
    """``feed`` is the calendar link, None outside a private chat (the link is a credential)."""
    lines: list[str | Rich] = [rich("🗓 ", bold(f"{name} 的班次"), "（未来14天）")]
    for s in shifts:
        mark = "（后备）" if s.backup else ""
        lines.append(f"· {when(s.shift, s.tz, s.today)} {s.rota.name}{mark} {shift_code(s.shift)}")
    if not shifts:
        lines.append("暂无班次。")
    away = list(away)
    if away:
        lines.append("请假：" + "；".join(f"{first:%m-%d}–{last:%m-%d}" for first, last in away))
    if feed is not None:
        lines.append(f"日历订阅：{feed}")
    lines.append("来不了可用 /swap 换班，请假用 /away。")
    return join("\n", lines)


def no_rotas() -> str:
    return "还没有排班。网格员可以用 /newrota 新建，发送 /newrota 查看用法。"


class RotaLine(NamedTuple):
    rota: Rota
    code: str
    description: str
    team_size: int


def rota_list(rotas: Iterable[RotaLine]) -> Rich:
    lines: list[str | Rich] = [rich("📋 ", bold("排班"))]
    lines += [f"{r.code} {rota_title(r.rota)}：{r.description}；队员 {r.team_size} 人" for r in rotas]
    return join("\n", lines)


# --- check-in ---


def checked_in(shift: Shift | None, rota: Rota | None, tz: ZoneInfo | None, *, already: bool, dual: bool,
               points: int) -> str:
    """``shift`` and ``rota`` are None for a dual check-in alone."""
    parts = []
    if shift is not None:
        verb = "已补充签到信息" if already else "签到成功"
        parts.append(f"✅ {verb}：{rota_title(rota)} {span(shift, tz)}（{shift_code(shift)}）")
    if dual:
        parts.append("✅ 双报到打卡成功" if not (already and shift is None) else "✅ 今天已双报到，已补充信息")
    if points:
        parts.append(f"积分 +{points}")
    return "\n".join(parts)


def checked_in_by(name: str, text: str) -> str:
    """In a group, who pressed 「签到」."""
    return f"{name} " + text


def checkin_answer(already: bool) -> str:
    return "签到成功" if not already else "已签到过"


def checkin_extra_hint() -> str:
    return "\n可以再发一条位置或现场照片作为记录（可选）。"


def no_recent_checkin() -> str:
    return "没有找到你最近的签到记录。"


def checkin_extra_kept(location: bool) -> str:
    what = "位置" if location else "照片"
    return f"📍 已把{what}记入签到。"


# --- away ---


def no_away() -> str:
    return "你没有请假记录。请假：/away 12-01 12-05，或 /away 明天"


def away_list(periods: Iterable[tuple[date, date]]) -> str:
    listed = "；".join(f"{first:%m-%d} 到 {last:%m-%d}" for first, last in periods)
    return f"你的请假：{listed}。取消请发 /away 取消"


def away_cancelled(n: int) -> str:
    return f"已取消 {n} 条请假。" if n else "你没有要取消的请假。"


def away_past() -> str:
    return "请假日期已经过去了"


def away_added(first: date, last: date, moved: int) -> str:
    days = f"{first.month}月{first.day}日" + ("" if first == last else f"到{last.month}月{last.day}日")
    tail = f"这期间你的 {moved} 个班次已由队友顶上。" if moved else "这期间你没有班次。"
    return f"🏖 已登记请假：{days}。{tail}"


# --- swaps ---


def swap_already_asked(shift: Shift) -> str:
    return f"你已在请人替 {shift_code(shift)}，队友已收到通知；有人接班我会告诉你。"


def swap_request(requester: str, rota: Rota, shift: Shift, tz: ZoneInfo, today: date) -> Rich:
    return rich(
        "🔁 ", bold("换班请求"), f"\n{requester} 请人替 {rota_title(rota)} "
        f"{when(shift, tz, today)}（{shift_code(shift)}）。\n能替的请点「我来替班」。"
    )


def swap_take_button() -> str:
    return "我来替班"


def swap_nobody_free() -> str:
    return "队里暂时没有能替班的人，请联系网格员。"


def swap_asked(count: int, shift: Shift) -> str:
    return f"已请 {count} 位队友替你 {shift_code(shift)}，有人接班我会告诉你。"


def swap_nothing_ahead() -> str:
    return "你未来14天没有需要换的班次。"


def swap_which() -> str:
    return "要换哪一班？"


def swap_choice(shift: Shift, tz: ZoneInfo, today: date) -> str:
    """A button under 「要换哪一班？」."""
    return f"{shift_code(shift)} {when(shift, tz, today)}"


def swap_answer() -> str:
    return "已发出换班请求"


def swap_taken(rota: Rota, shift: Shift, tz: ZoneInfo, today: date) -> str:
    """To whoever took the shift."""
    return f"🔁 谢谢！{_at(rota, shift, tz, today)} 由你来值。"


def swap_taken_by(name: str, rota: Rota, shift: Shift, tz: ZoneInfo, today: date) -> str:
    """To whoever asked for the swap."""
    return f"🔁 {name} 接了你的班：{_at(rota, shift, tz, today)}。"


def swap_taken_answer() -> str:
    return "换班成功"


def joined(name: str, rota: Rota, shift: Shift, tz: ZoneInfo, today: date, on: str) -> str:
    """``on`` is who is on the shift now, written by ``people``."""
    return f"🙌 {name} 报名了 {_at(rota, shift, tz, today)}，现在：{on}"


def joined_answer() -> str:
    return "已报名，谢谢！"


# --- handoff ---


def handoff_kept(shift: Shift) -> str:
    return f"📝 已记下 {shift_code(shift)} 的交接。"


def handoff_note(rota: Rota, shift: Shift, writer: str, text: str, nxt: Shift, tz: ZoneInfo, today: date) -> Rich:
    """To the next shift; ``text`` is the writer's own words."""
    return rich(
        "📝 ", bold("交接"), f"（{rota_title(rota)} {shift_code(shift)}，{writer}）\n{shown(text.strip())}\n"
        f"你的班次：{when(nxt, tz, today)}（{shift_code(nxt)}）"
    )


def handoff_passed(next_people: Iterable[Member]) -> str:
    return f"📝 已记下交接，已转给下一班（{names(next_people)}）。"


def handoff_prompt() -> str:
    return "📝 请发送交接内容，我会转给下一班。"


def button_expired() -> str:
    return "这个按钮已失效"


# --- managing rotas ---


def rota_not_made(problems: Iterable[str], usage: str) -> str:
    return "排班没有建成：" + "；".join(problems) + "\n" + usage


def rota_created() -> str:
    return "✅ 排班已建立"


def rota_details(head: str, code: str, rota: Rota, description: str, team: Sequence[Member],
                 upcoming: Iterable[tuple[Shift, str]], tz: ZoneInfo, today: date) -> Rich:
    """``upcoming`` pairs each near shift with who is on it (written by ``people``)."""
    lines = [head, bold(f"{code} {rota_title(rota)}"), description, f"队员（{len(team)}人）：{names(team)}"]
    upcoming = list(upcoming)
    if upcoming:
        lines.append("近期班次：")
        lines += [f"· {shift_code(s)} {when(s, tz, today)}：{on}" for s, on in upcoming]
    if not rota.active:
        lines.append("（已停用）")
    return join("\n", (line for line in lines if line))


def rota_usage() -> str:
    return "用法：/rota R5 查看；/rota R5 加 张三 李四；/rota R5 减 王五；/rota R5 人数 2 最少 1；/rota R5 停用/启用"


def rota_elsewhere() -> str:
    return "只能查看本社区的排班"


def rota_names_needed() -> str:
    return "请写出队员姓名或会员编号"


def rota_added(n: int) -> str:
    return f"✅ 已加入 {n} 名队员"


def rota_removed(n: int) -> str:
    return f"✅ 已移出 {n} 名队员，他们的后续班次已安排他人"


def rota_size_needed() -> str:
    return "请写人数，例如：/rota R5 人数 2 最少 1"


def rota_size_set() -> str:
    return "✅ 人数已更新"


def rota_switched(active: bool) -> str:
    return "✅ 排班已启用" if active else "⏸ 排班已停用，未来班次已取消"


def rota_verb_unknown(word: str) -> str:
    return f"看不懂「{word}」，可用：加、减、人数、停用、启用"


def cover_usage() -> str:
    return "用法：/cover S12 张三（加人）或 /cover S12 张三 替 李四（换人）"


def covered(shift: Shift, on: str) -> str:
    """``on`` is who is on the shift now, written by ``people``."""
    return f"✅ {shift_code(shift)} 已调整：{on}"


def cover_note(by: str, rota: Rota, shift: Shift, tz: ZoneInfo, today: date) -> str:
    """To whoever was put on the shift."""
    return f"📌 {by} 安排你值 {_at(rota, shift, tz, today)}。"


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
