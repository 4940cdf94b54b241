"""Texts every feature uses: names, quotes, mentions, roles, places, emergencies."""

from __future__ import annotations

from bot.infra.masking import shown
from bot.issues.routing import TARGET_ZH, RouteStop
from bot.nlu.urgency import emergency_numbers as _emergency_numbers
from bot.notices import InGroup, Said
from bot.rich import Rich, rich
from bot.rich import mention as rich_mention
from models import ISSUE_CATEGORY_ZH, ISSUE_STATUS_ZH, ROLE_NAMES_ZH, ChatAccount, Issue, IssueStatus, Member, Role

S = IssueStatus


def shorten(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(text: str, *, limit: int = 60) -> str:
    """What someone wrote, as anyone else may see it: phone and ID numbers masked (before
    shortening, so no number is cut into pieces the mask would not know), shortened."""
    return shorten(shown(text), limit)


def mention(account: ChatAccount | None, name: str, member_id: int | None = None) -> Rich:
    """A name that notifies that person where the platform can: the mention names their chat
    account (its key) and member; the sender finds their account on the platform the message goes
    to and its renderer links it. Nobody's there: the plain name."""
    return rich_mention(shown(name), account=account.id if account is not None else None, member=member_id)


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


def place_text(label: str) -> str:
    """「阳光花园3栋2单元」, or the grid, or 「未说明楼栋」 (``label``: ``places.place_label``)."""
    return shown(label) if label else "未说明楼栋"


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


def cancelled() -> str:
    return "好的，已取消。"


def nothing_to_cancel() -> str:
    return "现在没有需要取消的。"


def only_writer() -> str:
    return "这个问题是问发消息的人的，谢谢你的关心～"


def expired_question() -> str:
    return "这个问题已过期，请重新发送。"


def in_group(f: InGroup) -> Said:
    """What members without a reachable chat account are told in their group: 「【致 张三、李四】」
    above the message."""
    return Said(rich(f"【致 {'、'.join(f.names)}】\n", f.said.text), f.said.buttons)
