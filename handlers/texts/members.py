"""Texts about members and groups: welcome, binding, the member card, help, group binding."""

from __future__ import annotations

from bot.infra.masking import shown
from bot.rich import Rich, bold, rich
from bot.members.notices import BoundNotice, ClaimedElsewhere, RosterBound, UnboundNotice, UnboundToAccount
from models import Member

from .common import role_label
from .facts import MemberFacts

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


def member_card(f: MemberFacts, *, private: bool) -> Rich:
    """Who a member is: role, 职务 and 单位 as the roster has them, where they serve; the number
    only in their private chat."""
    member = f.member
    head = rich(bold(shown(member.name)), f"（{role_label(member)}）")
    head += "".join(f" · {shown(x)}" for x in (member.position, member.work_unit_name) if x)
    line = " ".join(shown(w) for w in f.where if w)
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


# --- binds and unbinds, told to the office (``bot.members.notices``) ---------------------------------

HOW_ZH = {
    "phone": "本人分享登记手机号",
    "invitation": "邀请链接",
    "roster": "花名册预绑定",
    "cli": "命令行",
    "office": "社区工作室",
}


def _numbered(member: Member) -> str:
    return f"{member.name}（{member.number}）"


def bound_notice(f: BoundNotice) -> str:
    how = HOW_ZH.get(f.event.how, f.event.how)
    if f.by is not None:
        how += f"，{f.by.name} 发出" if f.event.how == "invitation" else f"，{f.by.name}"
    return (f"🔗 红管家 {_numbered(f.member)} 已绑定聊天账号（{how}）。"
            f"如不是本人，请社区工作室私聊机器人发送 /unbind {f.member.number} 解绑。")


def unbound_notice(f: UnboundNotice) -> str:
    how = f.by.name if f.by is not None else HOW_ZH.get(f.event.how, f.event.how)
    return f"红管家 {_numbered(f.member)} 的聊天账号已解绑（{how}），其看板登录同时作废。"


def unbound_to_account(f: UnboundToAccount) -> str:
    return f"你的聊天账号已与红管家 {_numbered(f.member)} 解绑。如有疑问请联系社区红管家工作室。"


def claimed_elsewhere(f: ClaimedElsewhere) -> str:
    return (f"⚠️ 有人用本人手机号为 {_numbered(f.member)} 申请绑定另一个聊天账号，但该编号已绑定其他账号，"
            f"已拒绝。如现绑定的账号不是本人，请发送 /unbind {f.member.number}，再让本人重新绑定。")


def roster_bound(f: RosterBound) -> str:
    shown_ = "、".join(_numbered(m) for m in f.members[:10])
    more = f" 等 {len(f.members)} 人" if len(f.members) > 10 else ""
    return f"🔗 花名册导入为 {shown_}{more} 预绑定了聊天账号（电报ID）。"
