"""Texts of the office's scheduled messages (``bot.office.notices``): the morning digest to grid
managers, the weekly note to groups, the quarterly unit scoreboard."""

from __future__ import annotations

from bot.infra.masking import shown
from bot.issues.service import code
from bot.rich import Rich, bold, join, rich
from bot.rotas.turns import shift_code
from bot.office.notices import MorningDigest, Scoreboard, WeeklyNote

from .rotas import day_label, span


def morning_digest(f: MorningDigest) -> Rich:
    lines: list[str | Rich] = [rich("☀️ ", bold(f"{f.name}，早上好！{f.grid}今日概览"), f"（{day_label(f.day)}）")]
    buckets: dict[str, list[str]] = {"超过3天": [], "1–3天": [], "一天内": []}
    for iid, text, days_old in f.issues:
        bucket = "超过3天" if days_old > 3 else "1–3天" if days_old >= 1 else "一天内"
        buckets[bucket].append(f"{code(iid)} {shown(text)[:16]}")
    lines.append(f"待办问题 {len(f.issues)} 件" + ("：" if f.issues else "。"))
    for label, items in buckets.items():
        if items:
            more = f" 等{len(items)}件" if len(items) > 5 else ""
            lines.append(f"· {label}：" + "；".join(items[:5]) + more)
    if f.shifts:
        lines.append("今日班次：")
        for shift, rota, tz, who in f.shifts:
            lines.append(f"· {span(shift, tz)} {rota.name}：{'、'.join(who) or '（缺人）'}")
    if f.missed:
        lines.append("昨日缺岗：" + "；".join(f"{shift_code(sid)} {name}（签到 {present}/{quorum}）"
                                          for sid, name, present, quorum in f.missed))
    return join("\n", lines)


def weekly_note(f: WeeklyNote) -> Rich:
    lines: list[str | Rich] = [
        rich("📰 ", bold("本周小结"), f"（{f.start.month}月{f.start.day}日–{f.end.month}月{f.end.day}日）")]
    lines.append(f"解决问题 {f.solved} 件，实现微心愿 {f.wishes} 个，巡逻值班签到 {f.turns} 人次。")
    for iid, text in f.solved_first:
        lines.append(f"· {code(iid)} {shown(text)[:20]}")
    if f.thanks is not None:
        lines.append(f"感谢：{'、'.join(f.thanks)}")
    if f.star:
        lines.append(f"⭐ 本周之星：{f.star[0]}（{f.star[1]} 分）")
    lines.append("我为大家巡一日，大家为我巡一月。谢谢每一位红管家！")
    return join("\n", lines)


def scoreboard(f: Scoreboard) -> Rich:
    lines: list[str | Rich] = [rich("📊 ", bold(f"{f.period} 包联单位下沉服务得分"), f"（{f.community}）")]
    if f.rows:
        for i, (name, count, pts) in enumerate(f.rows, start=1):
            lines.append(f"{i}. {name}：双报到 {count} 次 · 积分 {pts}")
    else:
        lines.append("本季度暂无包联单位的双报到记录和积分。")
    return join("\n", lines)
