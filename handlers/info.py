"""Answers about the state of things: /help, /my, /points, /rank, /stats, /wall, /cancel."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from bot.issues import service as issues
from bot.points import service as points
from bot.office import stats
from bot.wishes import service as wishes
from bot.members import permissions
from bot.infra.masking import shown
from bot.rich import Rich, bold, join, rich
from models import (
    ISSUE_OPEN,
    WISH_STATUS_ZH,
    Community,
    Grid,
    Issue,
    PendingQuestion,
    PointsEntry,
    Role,
    Wish,
)

from . import facts, texts
from .context import Context
from handlers.replies import reply
from .router import Router
from .types import Inbound, Reaction
from .wishes import wall_buttons

router = Router("info")
HELP_ORDER = ["start", "bind", "my", "wall", "task", "points", "rank", "stats", "web", "cancel", "help"]


def community_of(ctx: Context, msg: Inbound) -> int | None:
    group = ctx.group(msg.chat)
    if group is not None:
        return group.community_id
    member = ctx.member(msg.user)
    if member is not None:
        return member.community_id
    return ctx.resident(msg.user).community_id


@router.command("help", help="查看命令说明")
def help_(ctx: Context, msg: Inbound) -> Reaction:
    lines = ctx.conversation.help_lines(private=msg.chat.is_private) if ctx.conversation else []
    lines.sort(key=lambda line: HELP_ORDER.index(line[0]) if line[0] in HELP_ORDER else len(HELP_ORDER))
    return reply(msg, texts.help_text(lines, private=msg.chat.is_private))


@router.command("cancel", help="取消正在进行的问答")
def cancel(ctx: Context, msg: Inbound) -> Reaction:
    question = ctx.session.exec(select(PendingQuestion).where(
        PendingQuestion.chat_id == msg.chat.id, PendingQuestion.user_id == msg.user.id)).first()
    if question is None:
        return reply(msg, texts.nothing_to_cancel())
    ctx.session.delete(question)
    return reply(msg, texts.cancelled())


def _issue_line(ctx: Context, issue: Issue) -> Rich:
    return rich(bold(issues.code(issue)), f" {texts.issue_place(facts.of_issue(ctx.session, issue))} · "
                f"{texts.quote(issue.text, limit=18)} · {texts.status(issue)}")


def _wish_line(ctx: Context, wish: Wish) -> Rich:
    return rich(bold(wishes.code(wish)), f" {texts.quote(wish.text, limit=20)} · "
                f"{WISH_STATUS_ZH.get(wish.status, wish.status)}")


def _unassigned_for(ctx: Context, member) -> list[Issue]:
    """Open reports nobody handles yet where this member would: their building (楼栋长), their
    grid (网格员 and community workers), the whole community (the office)."""
    query = select(Issue).where(Issue.community_id == member.community_id, Issue.status.in_(ISSUE_OPEN),
                                Issue.handler_id.is_(None))
    if member.is_office_admin:
        pass
    elif member.role == Role.building_head and member.building_id:
        query = query.where(Issue.building_id == member.building_id)
    elif member.role == Role.community_worker and member.grid_id:
        query = query.where(Issue.grid_id == member.grid_id)
    else:
        return []
    return list(ctx.session.exec(query.order_by(Issue.id.desc()).limit(10)).all())


@router.command("my", help="我反映的问题、心愿和待我处理的事")
def my(ctx: Context, msg: Inbound) -> Reaction:
    resident = ctx.resident(msg.user)
    member = ctx.member(msg.user)
    parts: list[Rich] = []
    if member is not None:
        parts.append(texts.member_card(facts.of_member(ctx.session, member), private=msg.chat.is_private))
        todo = ctx.session.exec(select(Issue).where(Issue.handler_id == member.id, Issue.status.in_(ISSUE_OPEN))
                                .order_by(Issue.id.desc()).limit(10)).all()
        if todo:
            parts.append("待我处理：\n" + join("\n", (_issue_line(ctx, i) for i in todo)))
        waiting = _unassigned_for(ctx, member)
        if waiting:
            parts.append("本楼/本网格待受理：\n" + join("\n", (_issue_line(ctx, i) for i in waiting)))
        claimed = [w for w in wishes.claimed_by(ctx.session, member, limit=10) if w.status == "claimed"]
        if claimed:
            parts.append("我认领的心愿：\n" + join("\n", (_wish_line(ctx, w) for w in claimed)))
    mine = issues.reported_by(ctx.session, resident.id, limit=10)
    if mine:
        parts.append("我反映/附议的问题：\n" + join("\n", (_issue_line(ctx, i) for i in mine)))
    posted = ctx.session.exec(select(Wish).where(Wish.poster_id == resident.id).order_by(Wish.id.desc()).limit(5)).all()
    if posted:
        parts.append("我的心愿：\n" + join("\n", (_wish_line(ctx, w) for w in posted)))
    if not parts:
        return reply(msg, "你还没有反映过问题或心愿。在居民群里直接说就行，我会记下来。")
    if member is not None and len(parts) == 1:
        parts.append("还没有你反映的问题、心愿或待你处理的事。")
    return reply(msg, join("\n\n", parts))


@router.command("points", help="我的积分")
def my_points(ctx: Context, msg: Inbound) -> Reaction:
    member = ctx.member(msg.user)
    if member is None:
        return reply(msg, texts.not_a_member_points())
    period = points.period_of("month", ctx.now.astimezone(ctx.tz).date(), ctx.tz)
    month = ctx.session.exec(select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
        PointsEntry.member_id == member.id, *points.earned(period.start, period.end))).one()
    total = points.balance(ctx.session, member.id)
    return reply(msg, rich(f"{shown(member.name)}，你的积分：", bold(str(total)),
                           f" 分（{period.label} {month:+d}）。可在红色商户联盟兑换奖券。"))


@router.command("rank", help="本月积分榜")
def rank(ctx: Context, msg: Inbound) -> Reaction:
    community_id = community_of(ctx, msg)
    if community_id is None:
        return reply(msg, texts.no_community())
    period = points.period_of("month", ctx.now.astimezone(ctx.tz).date(), ctx.tz)
    board = points.leaderboard(ctx.session, period, community_id=community_id, limit=10)
    community = ctx.session.get(Community, community_id)
    if not board:
        return reply(msg, f"{period.label}还没有人得分，快来当第一名！")
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    lines = [f"{medals.get(s.rank, f'{s.rank}.')} {shown(s.name)} {s.points}分" for s in board]
    return reply(msg, bold(f"{shown(community.name)} {period.label}积分榜") + "\n" + "\n".join(lines))


@router.command("stats", help="问题漏斗和待办（管理人员）")
def stats_(ctx: Context, msg: Inbound) -> Reaction:
    member = ctx.member(msg.user)
    if not permissions.may_see_stats(member):
        return reply(msg, texts.managers_only())
    group = ctx.group(msg.chat)
    if group is not None and group.community_id != member.community_id:
        return reply(msg, "本群属于其他社区，/stats 只显示你所在社区的数字：请私聊机器人发送。")
    community = ctx.session.get(Community, member.community_id)
    f = stats.funnel(ctx.session, community_id=community.id)
    lines = [rich(bold(shown(community.name)), f"：收集 {f.collected} → 纳入任务清单 {f.accepted} → 已解决 {f.solved}"),
             f"待办 {f.open} · 驳回 {f.rejected} · 合并 {f.duplicates} · 心愿进行中 {f.wishes_open} · 已实现 {f.wishes_fulfilled}"]
    if member.grid_id is not None:
        grid = ctx.session.get(Grid, member.grid_id)
        g = stats.funnel(ctx.session, grid_id=grid.id)
        lines.append(f"{shown(grid.name)}：收集 {g.collected} → 清单 {g.accepted} → 解决 {g.solved} · 待办 {g.open}")
    return reply(msg, join("\n", lines))


@router.command("wall", help="心愿墙：等待认领的微心愿")
def wall(ctx: Context, msg: Inbound) -> Reaction:
    community_id = community_of(ctx, msg)
    if community_id is None:
        return reply(msg, texts.no_community())
    group = ctx.group(msg.chat)
    items = wishes.wall(ctx.session, community_id, grid_id=group.grid_id if group else None, limit=10)
    if not items:
        return reply(msg, "心愿墙上暂时没有等待认领的心愿。")
    lines = [_wish_line(ctx, w) for w in items]
    return reply(msg, rich("💝 ", bold("心愿墙"), "\n", join("\n", lines)), buttons=wall_buttons(items))
