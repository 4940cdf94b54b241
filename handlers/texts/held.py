"""Texts of the flood rule (``handlers/flood.py``, ``handlers/held.py``): repeats, held bundles."""

from __future__ import annotations

from bot.infra.masking import shown
from bot.rich import Rich, bold, join, rich
from models import Member

from .common import emergency_hint, quote

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
