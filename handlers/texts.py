"""Every Chinese text the bot says, and how things are shown. One place, so the voice stays the
same.

Texts are the neutral rich text (``bot.rich``: plain strings, ``bold``, ``mention``, ``link``):
nothing here escapes anything — each platform's renderer does. Rules: every name and title goes
through ``shown`` (invisible and direction characters removed, phone and ID numbers masked); what
residents wrote is shown through ``quote``, which masks phone and ID-card numbers
(``bot.infra.masking``: the same function as the web pages, digests and exports) wherever it goes
— groups and members' private cards alike; member phones are never shown; texts are short — the
groups are busy.
"""

from __future__ import annotations

import re

from sqlmodel import Session

from bot.issues import service as issue_service
from bot.places import service as places
from bot.wishes import service as wish_service
from bot.infra.masking import clean, shown
from bot.nlu.urgency import emergency_numbers as _emergency_numbers
from bot.rich import Rich, bold, join, rich
from bot.rich import mention as rich_mention
from bot.issues.routing import TARGET_ZH, RouteStop
from models import (
    ISSUE_CATEGORY_ZH,
    ISSUE_STATUS_ZH,
    ROLE_NAMES_ZH,
    WISH_CATEGORY_ZH,
    WISH_STATUS_ZH,
    Building,
    Community,
    Grid,
    Issue,
    IssueStatus,
    Member,
    Role,
    Wish,
)

S = IssueStatus


def shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(text: str, *, limit: int = 60) -> str:
    """What someone wrote, as anyone else may see it: phone and ID numbers masked (before
    shortening, so no number is cut into pieces the mask would not know), shortened."""
    return shorten(shown(text), limit)


def mention(user_id: int | None, name: str, member_id: int | None = None) -> Rich:
    """A name that notifies that person where the platform can (their chat account)."""
    return rich_mention(shown(name), account=user_id, member=member_id)


def role_label(member: Member) -> str:
    if member.is_grid_manager:
        return "网格员"
    if member.is_office_admin:
        return "社区工作室"
    if member.is_mediator:
        return "金牌调解员"
    return ROLE_NAMES_ZH.get(Role(member.role), "红管家")


def who(member: Member) -> str:
    return f"{shown(member.name)}（{role_label(member)}）"


# --- places -------------------------------------------------------------------------------


def place_label(session: Session, building: Building | None, unit: str = "", room: str = "",
                grid_id: int | None = None) -> str:
    """「阳光花园3栋2单元」, or the grid, or 「未说明楼栋」."""
    label = places.place_label(session, building_id=building.id if building else None, grid_id=grid_id,
                               unit=unit, room=room)
    return shown(label) if label else "未说明楼栋"


def issue_place(session: Session, issue: Issue) -> str:
    building = session.get(Building, issue.building_id) if issue.building_id else None
    return place_label(session, building, issue.unit, issue.room, issue.grid_id)


def category(issue: Issue) -> str:
    return ISSUE_CATEGORY_ZH.get(issue.category, "其他")


def status(issue: Issue) -> str:
    return ISSUE_STATUS_ZH.get(issue.status, issue.status)


def route_line(stops: list[RouteStop], limit: int = 3) -> str:
    """「楼栋长 杨志强、网格员 陈静」 (who will follow it up)."""
    names = [f"{TARGET_ZH[s.target]} {shown(s.member.name)}" for s in stops[:limit]]
    if len(stops) > limit:
        names.append(f"等{len(stops)}人")
    return "、".join(names) if names else "社区红管家工作室"


# --- emergencies ----------------------------------------------------------------------------

def emergency_numbers(text: str) -> list[str]:
    """119 / 120 / 110 as what happened calls for (``bot.nlu.urgency``), never read off an
    address such as 「3栋119室」."""
    return _emergency_numbers(text)


def emergency_hint(text: str) -> str:
    numbers = emergency_numbers(text)
    if numbers:
        return f"情况危急请立即拨打 {' / '.join(numbers)}。"
    return "如有人身危险，请直接拨打 110 / 119 / 120。"


# --- issues in the group ------------------------------------------------------------------------


def issue_recorded(session: Session, issue: Issue, stops: list[RouteStop], *, later=None, tz=None) -> Rich:
    """The reply under a new report (and, edited, its state later). ``later``: when the people
    are told (after quiet hours)."""
    code = issue_service.code(issue)
    head = rich("🚨 紧急！已记录 " if issue.urgent else "已记录 ", bold(code))
    line = head + f"：{issue_place(session, issue)} · {category(issue)} · {route_line(stops)} 跟进"
    if later is not None:
        line += f"（夜间不打扰，{later.astimezone(tz).strftime('%H:%M') if tz else '明早'} 通知）"
    if issue.urgent:
        line += "，已同时通知。\n" + emergency_hint(issue.text)
    extra = []
    if issue.status != S.reported:
        handler = session.get(Member, issue.handler_id) if issue.handler_id else None
        extra.append(f"当前：{status(issue)}" + (f"（{shown(handler.name)}）" if handler else ""))
    if issue.affected > 1:
        extra.append(f"{issue.affected}人反映")
    if extra:
        line += "\n" + " · ".join(extra)
    return line


def issue_progress(session: Session, issue: Issue) -> str:
    """The short answer to 进度 (a popup: plain text, at most 200 characters)."""
    issue = issue_service.root(session, issue)
    handler = session.get(Member, issue.handler_id) if issue.handler_id else None
    parts = [f"{issue_service.code(issue)} {status(issue)}"]
    if handler is not None:
        parts.append(f"负责：{clean(handler.name)}（{role_label(handler)}）")
    if issue.resolution_note and issue.status in (S.resolved, S.confirmed):
        parts.append(f"说明：{shorten(shown(issue.resolution_note), 60)}")
    if issue.affected > 1:
        parts.append(f"{issue.affected}人反映")
    return shorten("；".join(parts), 200)


def duplicate_offer(session: Session, issue: Issue) -> Rich:
    return rich(
        "这件事可能已有人反映：", bold(issue_service.code(issue)), f" {issue_place(session, issue)} · "
        f"「{quote(issue.text, limit=30)}」（{status(issue)}，{issue.affected}人反映）。\n"
        "是同一件事就点「附议 +1」，我会一起通知你进展。"
    )


def already_reported(session: Session, issue: Issue) -> Rich:
    handler = session.get(Member, issue.handler_id) if issue.handler_id else None
    who_ = f"，{shown(handler.name)} 负责" if handler else ""
    return rich("这件事你已反映过：", bold(issue_service.code(issue)), f" {issue_place(session, issue)} · "
                f"{status(issue)}{who_}。有进展会告诉你。")


def duplicate_joined(issue: Issue) -> Rich:
    return rich("已附议 ", bold(issue_service.code(issue)), f"（共{issue.affected}人反映），有进展会告诉你。")


def ask_intent() -> str:
    return "需要我记下来吗？这是要处理的问题，还是想请人帮忙的心愿？"


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


def issue_change(session: Session, issue: Issue, action: str, actor: Member | None = None,
                 note: str = "") -> Rich:
    """One line about a change, for the group (under the original report) or a follower."""
    code = bold(issue_service.code(issue))
    name = shown(actor.name) if actor else ""
    handler = session.get(Member, issue.handler_id) if issue.handler_id else None
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


def issue_card(session: Session, issue: Issue, *, reporter_name: str = "", stops: list[RouteStop] | None = None,
               note: str | Rich = "") -> Rich:
    """The card a handler sees (privately, or in the grid's group)."""
    code = issue_service.code(issue)
    head = rich("🚨 ", bold(f"紧急问题 {code}")) if issue.urgent else rich("🔔 ", bold(f"问题 {code}"))
    lines = [
        head + f" · {status(issue)}",
        f"📍 {issue_place(session, issue)} · {category(issue)}",
        f"「{quote(issue.text, limit=200)}」",
    ]
    who_line = f"反映人：{shown(reporter_name) or '居民'}"
    if issue.affected > 1:
        who_line += f" · 共{issue.affected}人反映"
    lines.append(who_line)
    handler = session.get(Member, issue.handler_id) if issue.handler_id else None
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


def cancelled() -> str:
    return "好的，已取消。"


def nothing_to_cancel() -> str:
    return "现在没有需要取消的。"


def mention_alert(names: list[str | Rich]) -> Rich:
    return rich("请 ", join("、", names), " 跟进：")


# --- wishes -----------------------------------------------------------------------------------


def wish_place(session: Session, wish: Wish) -> str:
    building = session.get(Building, wish.building_id) if wish.building_id else None
    return place_label(session, building, grid_id=wish.grid_id) if (building or wish.grid_id) else ""


def wish_recorded(session: Session, wish: Wish) -> Rich:
    where = wish_place(session, wish)
    return (
        rich("已记下心愿 ", bold(wish_service.code(wish)))
        + (f"（{where}）" if where else "")
        + "，已上心愿墙。红管家志愿者可点「我来认领」。"
    )


def wish_card(session: Session, wish: Wish, poster_name: str = "") -> Rich:
    code = wish_service.code(wish)
    where = wish_place(session, wish)
    lines = [
        rich("💝 ", bold(f"微心愿 {code}"), f" · {WISH_STATUS_ZH.get(wish.status, wish.status)}"),
        f"「{quote(wish.text, limit=120)}」",
        " · ".join(x for x in (shown(poster_name), where, WISH_CATEGORY_ZH.get(wish.category, "")) if x),
    ]
    claimer = session.get(Member, wish.claimer_id) if wish.claimer_id else None
    if claimer is not None:
        lines.append(f"认领：{who(claimer)}")
    return join("\n", (line for line in lines if line))


def wish_change(session: Session, wish: Wish, action: str, actor_name: str = "") -> Rich:
    code = bold(wish_service.code(wish))
    claimer = session.get(Member, wish.claimer_id) if wish.claimer_id else None
    if action == "claim":
        return rich("心愿 ", code, f" 已由红管家 {shown(claimer.name)} 认领，会尽快联系你。")
    if action == "fulfil":
        return rich("心愿 ", code, f" 已实现！{shown(claimer.name) if claimer else ''} 辛苦了。")
    if action == "thank":
        return rich(f"{shown(actor_name)} 感谢 {shown(claimer.name) if claimer else '红管家'} 实现了心愿 ", code, " ❤")
    if action == "release":
        return rich("心愿 ", code, " 重新等待认领。")
    if action == "reopen":
        return rich("心愿 ", code, f" 的发布人说还没实现，已退回给 {shown(claimer.name) if claimer else '认领人'} 继续办理。")
    return rich("心愿 ", code, f" {WISH_STATUS_ZH.get(wish.status, wish.status)}")


def wish_claimed_by_you(session: Session, wish: Wish, poster_mention: Rich) -> Rich:
    return rich(
        "你认领了心愿 ", bold(wish_service.code(wish)), f"：「{quote(wish.text, limit=120)}」\n发布人：",
        poster_mention, "。完成后点「已实现」。",
    )


def become_volunteer() -> str:
    return ("认领心愿需要红管家志愿者身份：请到社区红管家工作室登记，登记后私聊我发送 /bind，"
            "按提示分享本人手机号完成绑定。")


def wish_poster_thanks_prompt(poster_mention: Rich) -> Rich:
    return rich(poster_mention, "，心愿实现了，可以点「谢谢」告诉红管家；还没实现请点「还没实现」。")


# --- members, help, lists --------------------------------------------------------------------------


def welcome(member: Member | None, name: str) -> str:
    if member is not None:
        return (f"你好，{shown(member.name)}（{role_label(member)}）！有问题要你处理时我会私信你，"
                "点按钮就能受理、领办、解决。发送 /help 查看全部命令。")
    return (f"你好，{shown(name)}！我是红管家机器人。在小区居民群里直接说遇到的问题或心愿，"
            "我会记下来交给楼栋长和网格员。\n" + HOW_TO_BIND)


def bound(member: Member) -> str:
    unit = f"，{shown(member.work_unit_name)}" if member.work_unit_name else ""
    return (f"绑定成功：{shown(member.name)}，{role_label(member)}{unit}，编号 {shown(member.number)}。"
            "以后派给你的问题会私信通知你。")


def member_card(session: Session, member: Member, *, private: bool) -> Rich:
    """Who a member is: role, 职务 and 单位 as the roster has them, where they serve; the number
    only in their private chat."""
    head = rich(bold(shown(member.name)), f"（{role_label(member)}）")
    head += "".join(f" · {shown(x)}" for x in (member.position, member.work_unit_name) if x)
    community = session.get(Community, member.community_id)
    where = [community.name if community else ""]
    if member.grid_id:
        grid = session.get(Grid, member.grid_id)
        where.append(grid.name if grid else "")
    if member.building_id:
        where.append(places.building_label(session, session.get(Building, member.building_id)))
    line = " ".join(shown(w) for w in where if w)
    if private:
        line += f" · 编号 {shown(member.number)}"
    return rich(head, "\n", line)


def bind_usage(private: bool) -> str:
    if private:
        return bind_how()
    return "用法：/bind 社区名 [网格或小区]，例如 /bind 白庙社区 第三网格"


# Binding a chat account needs proof: the member number alone (guessable) binds nobody.
HOW_TO_BIND = ("红管家成员绑定账号有两种方式：私聊我发送 /bind，点「📱 分享我的手机号」分享本人在社区登记的手机号；"
               "或点开社区红管家工作室、网格员发给你的邀请链接（也可扫邀请二维码）。")
SHARE_PHONE = "📱 分享我的手机号"
# One wording for every failure: a wrong number, a taken one, a forwarded card, a used or
# expired code all read the same (no telling which numbers or codes exist).
BIND_REFUSED = ("没有完成绑定。请确认分享的是本人在社区登记的手机号，或使用社区工作室发给你的有效邀请链接；"
                "如有疑问请联系社区红管家工作室。")
BIND_LIMITED = "尝试次数过多，请一小时后再试，或联系社区红管家工作室领取邀请链接。"


def bind_how() -> str:
    return ("绑定红管家账号（会员编号本身不能用来绑定）：\n"
            "① 点下方「📱 分享我的手机号」，分享本人在社区登记的手机号；\n"
            "② 或点开社区红管家工作室、网格员发给你的邀请链接（也可扫邀请二维码）。")


def already_bound(member: Member) -> str:
    return (f"你的账号已绑定红管家 {shown(member.name)}（{role_label(member)}，编号 {shown(member.number)}）。"
            "如需更换账号请联系社区红管家工作室。")


def invitation_made(member: Member, link: str, revoked: int, expires: str) -> str:
    void = f"之前未使用的 {revoked} 个邀请已作废。" if revoked else ""
    return (f"给 {shown(member.name)}（{shown(member.number)}）的邀请链接（仅可使用一次，{shown(expires)} 前有效）：\n"
            f"{shown(link)}\n请只转给本人；本人点开后发送 /start 即完成绑定。{void}")


def unbound_done(member: Member, logins: int) -> str:
    ended = f"，{logins} 个看板登录已作废" if logins else ""
    return (f"已解绑 {shown(member.name)}（{shown(member.number)}）的聊天账号{ended}。"
            "如需重新绑定，可发送 /invite 编号 给本人发邀请，或让本人分享登记手机号。")


def group_rebind_refused(stays: str) -> str:
    return f"本群已绑定到 {shown(stays)}，只有该社区红管家工作室的管理员可以更改；已通知该社区工作室。"


def group_bound(community: str, grid: str = "", compound: str = "") -> str:
    where = shown(community) + "".join(f" · {shown(x)}" for x in (grid, compound) if x)
    return f"本群已绑定到 {where}。大家在群里说遇到的问题或心愿，我会记下并交给负责的红管家。"


def group_intro() -> str:
    return ("大家好，我是红管家机器人 🏠 遇到问题直接在群里说，比如「4栋单元门坏了关不上」，"
            "我会记下来交给楼栋长和网格员；想请人帮忙就说心愿，比如「想请人帮忙买菜」。发送 /help 查看命令。")


def private_text_help(*, known: bool) -> str:
    if known:
        return ("遇到问题或有心愿，直接告诉我就行，比如「3栋2单元楼道灯坏了」或「想请人帮忙买菜」，"
                "我会记下来交给楼栋长和网格员。发送 /help 查看全部命令。")
    return ("还不知道你是哪个社区的：请在小区居民群里直接说遇到的问题或心愿，我会记下来交给楼栋长和网格员；"
            "红管家请先发送 /bind 绑定账号。发送 /help 查看全部命令。")


def help_text(lines: list[tuple[str, str]], *, private: bool) -> str:
    body = "\n".join(f"/{name} — {shown(desc)}" for name, desc in lines)
    head = "我是红管家机器人。" + ("在居民群里直接说问题或心愿即可；" if private else "直接说问题或心愿即可；") + "命令："
    return f"{head}\n{body}"


def not_a_member_points() -> str:
    return "积分属于红管家成员。已是红管家的，请私聊我发送 /bind，按提示绑定账号。"


def managers_only() -> str:
    return "抱歉，/stats 只对社区工作人员、包联干部和区领导开放。"


def no_community() -> str:
    return "还不知道你属于哪个社区。请在小区居民群里使用；红管家请先私聊我发送 /bind 绑定账号。"


def not_your_community(community: str) -> str:
    return f"这件事属于{community}，只有本社区的居民和红管家可以附议或查看进度。"


def only_writer() -> str:
    return "这个问题是问发消息的人的，谢谢你的关心～"


def expired_question() -> str:
    return "这个问题已过期，请重新发送。"


# --- the flood rule (handlers/flood.py) -----------------------------------------------------------


def repeat_seen() -> str:
    return "这条刚才已经收到了，不用重复发送。"


def held_notice(limit: int, minutes: int, text: str) -> str:
    """To the sender, once per bundle in a group (every time in private)."""
    return (f"你 {minutes} 分钟内已反映 {limit} 件事，后面的消息我先暂存，交网格员统一查看处理，"
            f"不再逐条回复。{emergency_hint(text)}")


def held_more(count: int) -> str:
    return f"已暂存（共 {count} 条），网格员会统一查看。"


def held_urgent_reply(text: str) -> str:
    return f"已立即转告网格员和社区工作室。{emergency_hint(text)}"


def _held_who(bundle, chat_title: str) -> str:
    where = f"在「{shown(chat_title)}」" if chat_title else "私聊"
    return f"{shown(bundle.sender_name) or '一位居民'}{where}"


def held_card(bundle, chat_title: str, limit: int, minutes: int, first_text: str) -> Rich:
    """The reviewers' card when a bundle opens (bulk, after quiet hours)."""
    return rich("📥 ", bold(f"暂存 H{bundle.id}"),
                f"：{_held_who(bundle, chat_title)} {minutes} 分钟内已反映 {limit} 件事，"
                f"之后的消息暂存在这里，没有逐条立案，也没有通知其他人。\n"
                f"第一条：「{quote(first_text, limit=60)}」\n"
                "点「查看」逐条看，属实的点「立案」；都不用处理就点「全部忽略」。")


def held_urgent_card(bundle, chat_title: str, text: str) -> Rich:
    return rich("🚨 ", bold(f"暂存 H{bundle.id} 中有紧急内容"), f"：{_held_who(bundle, chat_title)}："
                f"「{quote(text, limit=80)}」\n请立即核实。")


def held_list(bundle, messages, more: int, tz) -> Rich:
    lines = [rich("📥 ", bold(f"暂存 H{bundle.id}"), f"：{shown(bundle.sender_name) or '一位居民'}，共 {bundle.count} 条，"
                  f"待处理 {len(messages) + more} 条")]
    for n, message in enumerate(messages, 1):
        mark = "🚨" if message.urgent else ""
        lines.append(f"{n}. {mark}{message.at.astimezone(tz).strftime('%H:%M')} 「{quote(message.text, limit=50)}」")
    if more:
        lines.append(f"……另有 {more} 条，处理完上面的再点「刷新」")
    if not messages:
        lines.append("都已处理。")
    return join("\n", lines)


def held_dismissed(bundle, count: int, by: Member) -> str:
    return f"📥 暂存 H{bundle.id}：其余 {count} 条已忽略（{shown(by.name)}）。"


def held_filed(code: str) -> str:
    return f"已立案 {code}"


def commands_throttled(minutes: int) -> str:
    return f"命令发得太频繁了，群里先不再逐条回复；{minutes} 分钟后再试，或私聊我使用。"


def held_gone() -> str:
    return "这条已经处理过了"
