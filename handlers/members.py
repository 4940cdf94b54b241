"""Getting to know people: /start, and /bind (a chat account to a member number; a group to a
community, grid or compound)."""

from __future__ import annotations

from bot import groups, places
from bot.errors import InvalidInput
from bot.members import service as members

from . import texts
from .context import Context
from .conversation import reply
from .router import Router
from .types import Inbound, Reaction

router = Router("members")


@router.command("start", help="开始使用", scope="private")
def start(ctx: Context, msg: Inbound) -> Reaction:
    member = ctx.member(msg.user)
    ctx.resident(msg.user)
    return reply(msg, texts.welcome(member, msg.user.name))


@router.command("bind", help="私聊：/bind 会员编号 绑定账号；群里：/bind 社区 [网格] 绑定本群（工作室管理员）",
                unbound=True)
def bind(ctx: Context, msg: Inbound) -> Reaction:
    _name, args = msg.command
    if msg.chat.is_private:
        if not args:
            return reply(msg, texts.bind_usage(private=True))
        member = members.bind_chat_user(ctx.session, args, msg.user.id, display_name=msg.user.name, now=ctx.now)
        ctx._cache.pop(("member", msg.user.id), None)
        return reply(msg, texts.bound(member))
    member = ctx.member(msg.user)
    if member is None or not member.is_office_admin:
        if ctx.group(msg.chat) is None:
            return Reaction()  # an unbound group: silent for everyone but the office
        return reply(msg, "只有社区红管家工作室的管理员可以绑定群聊。")
    words = args.split()
    if not words:
        return reply(msg, texts.bind_usage(private=False))
    community = places.find_community(ctx.session, words[0])
    if community is None:
        raise InvalidInput(f"没有找到社区「{words[0]}」")
    grid_name = compound_name = None
    for word in words[1:]:
        if grid_name is None and places.find_grid(ctx.session, community.id, word) is not None:
            grid_name = word
        elif compound_name is None and places.find_compound(ctx.session, community.id, word) is not None:
            compound_name = word
        else:
            raise InvalidInput(f"社区「{community.name}」没有网格或小区「{word}」")
    groups.bind(ctx.session, msg.chat.id, community_name=community.name, grid_name=grid_name,
                compound_name=compound_name, title=msg.chat.title, by=member, now=ctx.now)
    ctx.forget_group(msg.chat.id)
    grid = places.find_grid(ctx.session, community.id, grid_name) if grid_name else None
    compound = places.find_compound(ctx.session, community.id, compound_name) if compound_name else None
    return reply(msg, texts.group_bound(community.name, grid.name if grid else "", compound.name if compound else ""))


@router.text()
def private_text(ctx: Context, msg: Inbound) -> Reaction | None:
    """Text in a private chat that was no report: say what the bot does here."""
    if not msg.chat.is_private:
        return None
    return reply(msg, texts.private_text_help(known=ctx.binding(msg.chat, msg.user) is not None))


@router.command("web", help="社区看板登录链接（管理人员）", scope="private")
def web_login(ctx: Context, msg: Inbound) -> Reaction:
    from bot import access

    member = ctx.member(msg.user)
    if not access.may_see_dashboard(member):
        return reply(msg, "社区看板对社区工作人员、包联干部和区领导开放。")
    token = access.issue_login(ctx.session, member, now=ctx.now)
    link = f"{ctx.settings.web_url}/login?token={token}"
    from html import escape

    return reply(msg, f'<a href="{escape(link)}">打开社区看板</a>（7天内有效，请勿转发）')
