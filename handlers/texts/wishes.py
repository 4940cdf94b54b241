"""Texts about micro-wishes: recorded, the card, changes, the claimer's and poster's notes."""

from __future__ import annotations

from bot.infra.masking import shown
from bot.rich import Rich, bold, join, rich
from bot.wishes import service as wish_service
from models import WISH_CATEGORY_ZH, WISH_STATUS_ZH, Wish

from .common import quote, who
from .facts import WishFacts

# --- wishes -----------------------------------------------------------------------------------


def wish_place(f: WishFacts) -> str:
    return shown(f.place) if f.place else ""


def wish_recorded(f: WishFacts) -> Rich:
    wish = f.wish
    where = wish_place(f)
    return (
        rich("已记下心愿 ", bold(wish_service.code(wish)))
        + (f"（{where}）" if where else "")
        + "，已上心愿墙。红管家志愿者可点「我来认领」。"
    )


def wish_card(f: WishFacts, poster_name: str = "") -> Rich:
    wish = f.wish
    code = wish_service.code(wish)
    where = wish_place(f)
    lines = [
        rich("💝 ", bold(f"微心愿 {code}"), f" · {WISH_STATUS_ZH.get(wish.status, wish.status)}"),
        f"「{quote(wish.text, limit=120)}」",
        " · ".join(x for x in (shown(poster_name), where, WISH_CATEGORY_ZH.get(wish.category, "")) if x),
    ]
    claimer = f.claimer
    if claimer is not None:
        lines.append(f"认领：{who(claimer)}")
    return join("\n", (line for line in lines if line))


def wish_change(f: WishFacts, action: str, actor_name: str = "") -> Rich:
    wish, claimer = f.wish, f.claimer
    code = bold(wish_service.code(wish))
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


def wish_claimed_by_you(wish: Wish, poster_mention: Rich) -> Rich:
    return rich(
        "你认领了心愿 ", bold(wish_service.code(wish)), f"：「{quote(wish.text, limit=120)}」\n发布人：",
        poster_mention, "。完成后点「已实现」。",
    )


def become_volunteer() -> str:
    return ("认领心愿需要红管家志愿者身份：请到社区红管家工作室登记，登记后私聊我发送 /bind，"
            "按提示分享本人手机号完成绑定。")


def wish_poster_thanks_prompt(poster_mention: Rich) -> Rich:
    return rich(poster_mention, "，心愿实现了，可以点「谢谢」告诉红管家；还没实现请点「还没实现」。")
