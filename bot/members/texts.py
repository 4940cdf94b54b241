"""What the office and grid managers are told about binds and unbinds (plain text: the renderer escapes)."""

from __future__ import annotations


from models import Member, MemberEvent

HOW_ZH = {
    "phone": "本人分享登记手机号",
    "invitation": "邀请链接",
    "roster": "花名册预绑定",
    "cli": "命令行",
    "office": "社区工作室",
}


def _who(member: Member) -> str:
    return f"{member.name}（{member.number}）"


def bound_notice(member: Member, event: MemberEvent, by: Member | None) -> str:
    how = HOW_ZH.get(event.how, event.how)
    if by is not None:
        how += f"，{by.name} 发出" if event.how == "invitation" else f"，{by.name}"
    return (f"🔗 红管家 {_who(member)} 已绑定聊天账号（{how}）。"
            f"如不是本人，请社区工作室私聊机器人发送 /unbind {member.number} 解绑。")


def unbound_notice(member: Member, event: MemberEvent, by: Member | None) -> str:
    how = by.name if by is not None else HOW_ZH.get(event.how, event.how)
    return f"红管家 {_who(member)} 的聊天账号已解绑（{how}），其看板登录同时作废。"


def unbound_to_account(member: Member) -> str:
    return f"你的聊天账号已与红管家 {_who(member)} 解绑。如有疑问请联系社区红管家工作室。"


def claimed_elsewhere(member: Member) -> str:
    return (f"⚠️ 有人用本人手机号为 {_who(member)} 申请绑定另一个聊天账号，但该编号已绑定其他账号，"
            f"已拒绝。如现绑定的账号不是本人，请发送 /unbind {member.number}，再让本人重新绑定。")


def roster_bound(names: list[Member]) -> str:
    shown = "、".join(_who(m) for m in names[:10])
    more = f" 等 {len(names)} 人" if len(names) > 10 else ""
    return f"🔗 花名册导入为 {shown}{more} 预绑定了聊天账号（电报ID）。"
