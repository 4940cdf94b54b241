"""Texts about issues: the reply under a report, questions, changes, the handlers' cards."""

from __future__ import annotations

from datetime import timedelta

from bot.infra.masking import clean, shown
from bot.issues import service as issue_service
from bot.issues.notices import Escalation
from bot.issues.routing import RouteStop
from bot.messages import Action, Button
from bot.notices import Said
from bot.rich import Rich, bold, join, rich
from models import ISSUE_CATEGORY_ZH, Issue, Member

from .common import S, category, emergency_hint, place_text, quote, route_line, shorten, status, who, role_label
from .facts import IssueFacts

# --- issues in the group ------------------------------------------------------------------------


def issue_place(f: IssueFacts) -> str:
    return place_text(f.place)


def issue_recorded(f: IssueFacts, stops: list[RouteStop], *, later=None, tz=None) -> Rich:
    """The reply under a new report (and, edited, its state later). ``later``: when the people
    are told (after quiet hours)."""
    issue = f.issue
    code = issue_service.code(issue)
    head = rich("🚨 紧急！已记录 " if issue.urgent else "已记录 ", bold(code))
    line = head + f"：{issue_place(f)} · {category(issue)} · {route_line(stops)} 跟进"
    if later is not None:
        line += f"（夜间不打扰，{later.astimezone(tz).strftime('%H:%M') if tz else '明早'} 通知）"
    if issue.urgent:
        line += "，已同时通知。\n" + emergency_hint(issue.text)
    extra = []
    if issue.status != S.reported:
        handler = f.handler
        extra.append(f"当前：{status(issue)}" + (f"（{shown(handler.name)}）" if handler else ""))
    if issue.affected > 1:
        extra.append(f"{issue.affected}人反映")
    if extra:
        line += "\n" + " · ".join(extra)
    return line


def issue_progress(f: IssueFacts) -> str:
    """The short answer to 进度 (a popup: plain text, at most 200 characters); ``f`` of the issue
    a duplicate was merged into."""
    issue, handler = f.issue, f.handler
    parts = [f"{issue_service.code(issue)} {status(issue)}"]
    if handler is not None:
        parts.append(f"负责：{clean(handler.name)}（{role_label(handler)}）")
    if issue.resolution_note and issue.status in (S.resolved, S.confirmed):
        parts.append(f"说明：{shorten(shown(issue.resolution_note), 60)}")
    if issue.affected > 1:
        parts.append(f"{issue.affected}人反映")
    return shorten("；".join(parts), 200)


def duplicate_offer(f: IssueFacts) -> Rich:
    issue = f.issue
    return rich(
        "这件事可能已有人反映：", bold(issue_service.code(issue)), f" {issue_place(f)} · "
        f"「{quote(issue.text, limit=30)}」（{status(issue)}，{issue.affected}人反映）。\n"
        "是同一件事就点「附议 +1」，我会一起通知你进展。"
    )


def already_reported(f: IssueFacts) -> Rich:
    issue, handler = f.issue, f.handler
    who_ = f"，{shown(handler.name)} 负责" if handler else ""
    return rich("这件事你已反映过：", bold(issue_service.code(issue)), f" {issue_place(f)} · "
                f"{status(issue)}{who_}。有进展会告诉你。")


def duplicate_joined(issue: Issue) -> Rich:
    return rich("已附议 ", bold(issue_service.code(issue)), f"（共{issue.affected}人反映），有进展会告诉你。")


def ask_intent() -> str:
    return "需要我记下来吗？这是要处理的问题，还是想请人帮忙的心愿？"


def ask_wish_of_neighbours() -> str:
    return "要登上微心愿墙，请志愿者来帮忙吗？邻居们能帮上的话，就不用了。"


def ask_place(unknown: str = "") -> str:
    if unknown:
        return f"没有找到{shown(unknown)}。在哪栋楼？请回复楼号，如「5栋」。"
    return "在哪栋楼？请回复楼号，如「5栋」或「阳光花园3栋2单元」。"


def ask_which(choices_labels: list[str]) -> str:
    return f"有好几个：{'、'.join(shown(c) for c in choices_labels)}。是哪一个？"


def place_not_understood() -> str:
    return "没认出楼栋，请回复楼号，如「5栋」；不用记了请回复「取消」。"


def dropped() -> str:
    return "好的，不记了。"


def filed_without_place(code: str) -> Rich:
    return rich("没等到楼栋，已先记录为 ", bold(code), " 并交社区工作人员核实。")


# --- issue changes: what followers hear ----------------------------------------------------------


def issue_change(f: IssueFacts, action: str, actor: Member | None = None, note: str = "") -> Rich:
    """One line about a change, for the group (under the original report) or a follower."""
    issue, handler = f.issue, f.handler
    code = bold(issue_service.code(issue))
    name = shown(actor.name) if actor else ""
    if action == "accept":
        return code + f" 已受理，由 {shown(handler.name if handler else actor.name)} 负责。"
    if action == "claim":
        return code + f" 已由 {who(actor)} 领办，正在处理。"
    if action == "reassign":
        return code + (f" 已转交 {who(handler)} 处理。" if handler else " 已转派。")
    if action == "resolve":
        return code + f" 已由 {name} 处理完毕" + (f"：{quote(note, limit=80)}" if note else "。")
    if action == "reject":
        return code + f" 未受理：{quote(note, limit=80)}（{name}）"
    if action == "confirm":
        return code + " 反映人已确认修好，谢谢大家！"
    if action == "reopen":
        back = shown(handler.name) if handler else "原处理人"
        return code + f" 反映人说仍未修复，已退回 {back} 继续处理。"
    return code + f" {status(issue)}"


def ask_fixed(reporter_mention: Rich) -> Rich:
    return rich(reporter_mention, "，修好了吗？请点下面的按钮确认。")


def follower_note(change: Rich) -> Rich:
    return rich("你关注的问题有进展：", change)


# --- issue cards for the people who handle it -------------------------------------------------------


def issue_card(f: IssueFacts, *, reporter_name: str = "", stops: list[RouteStop] | None = None,
               note: str | Rich = "") -> Rich:
    """The card a handler sees (privately, or in the grid's group)."""
    issue = f.issue
    code = issue_service.code(issue)
    head = rich("🚨 ", bold(f"紧急问题 {code}")) if issue.urgent else rich("🔔 ", bold(f"问题 {code}"))
    lines = [
        head + f" · {status(issue)}",
        f"📍 {issue_place(f)} · {category(issue)}",
        f"「{quote(issue.text, limit=200)}」",
    ]
    who_line = f"反映人：{shown(reporter_name) or '居民'}"
    if issue.affected > 1:
        who_line += f" · 共{issue.affected}人反映"
    lines.append(who_line)
    handler = f.handler
    if handler is not None:
        lines.append(f"负责：{who(handler)}")
    elif stops:
        lines.append(f"通知：{route_line(stops)}")
    if issue.resolution_note and issue.status in (S.resolved, S.confirmed):
        lines.append(f"处理说明：{quote(issue.resolution_note, limit=120)}")
    if issue.urgent and issue.status in (S.reported, S.accepted):
        lines.append(emergency_hint(issue.text))
    if note:
        lines.append(note)
    return join("\n", lines)


def reassign_prompt() -> str:
    return "转派给谁？"


def ask_resolve_note(code: str) -> Rich:
    return rich("请发一句 ", bold(code), " 的处理说明或一张照片；不用说明请回复「跳过」。")


def ask_reject_reason(code: str) -> Rich:
    return rich("请写明 ", bold(code), " 不受理的理由（反映人会看到）；回复「取消」作罢。")


def resolved_by_you(code: str) -> Rich:
    return rich("已标记 ", bold(code), " 解决，等反映人确认。反映人确认修好，或3天内没有反馈，就记积分。")


def rejected_by_you(code: str) -> Rich:
    return rich("已驳回 ", bold(code), "，理由已告诉反映人。")


def reassigned_to_you(code: str, by: Member) -> str:
    return f"{who(by)} 把 {code} 转派给你。"


def reopened_to_you() -> str:
    return "反映人说仍未修复，请继续处理。"


def mention_alert(names: list[str | Rich]) -> Rich:
    return rich("请 ", join("、", names), " 跟进：")


# --- escalation steps (scheduled: ``bot.issues.notices``) -------------------------------------------


def waited(delta: timedelta) -> str:
    """「5分钟」 / 「3小时」 / 「2天」."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)}分钟"
    if minutes < 48 * 60:
        return f"{minutes // 60}小时"
    return f"{minutes // (24 * 60)}天"


def escalation_step(f: Escalation) -> Said:
    issue, claimer = f.issue, f.claimer
    code = issue_service.code(issue)
    again = "重新打开后" if issue.status == S.reopened else ""
    how_long = waited(f.waited)
    text = shown(issue.text)
    body = (
        f"{ISSUE_CATEGORY_ZH.get(issue.category, issue.category)}{('·' + f.place) if f.place else ''}："
        f"{text[:80]}{'…' if len(text) > 80 else ''}"
    )
    if f.what == "overdue":
        if f.to_claimer:
            head = rich("⏰ ", bold(f"你领办的问题 {code} {again}已 {how_long} 未办结"))
            tail = "办好后请点「已解决」，遇到困难可以转派或找网格员协调。"
            buttons = [[Button("已解决", Action("q", "resolve", issue.id))]]
        else:
            who_ = claimer.name if claimer else "领办人"
            head = rich("⏰ ", bold(f"问题 {code} 由 {who_} 领办，{again}已 {how_long} 尚未办结"))
            tail = "请督办。"
            buttons = []
    else:
        mark, what_ = ("🚨 ", "紧急问题") if issue.urgent else ("⏫ ", "问题")
        head = rich(mark, bold(f"{what_} {code} 已 {how_long} 无人受理"))
        tail = "请尽快受理或领办。"
        buttons = [[Button("受理", Action("q", "accept", issue.id)), Button("领办", Action("q", "claim", issue.id))]]
    return Said(rich(head, f"\n{body}\n{tail}"), buttons)
