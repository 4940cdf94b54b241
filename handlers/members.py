"""Getting to know people: /start (also with an invitation code), /bind (a chat account to a
member, only with proof; a group to a community, grid or compound), shared contacts, /invite and
/unbind for the office, /web."""

from __future__ import annotations


from bot.members import logins as access

from bot.members import permissions
from bot.places import groups
from bot.places import service as places
from bot.infra.errors import InvalidInput, NotAllowed
from bot.members import binding
from bot.members import service as members
from bot.rich import link as link_to
from models import MemberStatus

from . import texts
from .context import Context
from handlers.replies import reply
from .router import Router
from .types import Inbound, Reaction

router = Router("members")


@router.command("start", help="开始使用", scope="private")
def start(ctx: Context, msg: Inbound) -> Reaction:
    _name, code = msg.command
    ctx.resident(msg.user)
    if code:  # the deep link of an invitation: t.me/<bot>?start=<code>
        outcome = binding.bind_by_code(ctx.session, msg.user.id, code, display_name=msg.user.name, now=ctx.now)
        return _answer(ctx, msg, outcome)
    member = ctx.member(msg.user)
    return reply(msg, texts.welcome(member, msg.user.name))


@router.contact()
def shared_contact(ctx: Context, msg: Inbound) -> Reaction:
    """A contact shared in private: the share-my-number control's answer (or a card someone
    forwarded, which proves nothing)."""
    if not msg.chat.is_private:
        return Reaction()
    contact = msg.contact
    outcome = binding.bind_by_contact(ctx.session, msg.user.id, phone=contact.phone, owner_id=contact.user_id,
                                      display_name=msg.user.name, now=ctx.now)
    return _answer(ctx, msg, outcome)


def _answer(ctx: Context, msg: Inbound, outcome: binding.Outcome) -> Reaction:
    if outcome.status == "bound":
        ctx._cache.pop(("member", msg.user.id), None)
        ctx._cache.pop(("home", msg.user.id), None)
        return reply(msg, texts.bound(outcome.member), clear_request=True)
    if outcome.status == "already":
        return reply(msg, texts.already_bound(outcome.member), clear_request=True)
    if outcome.status == "limited":
        return reply(msg, texts.BIND_LIMITED, clear_request=True)
    return reply(msg, texts.BIND_REFUSED)


@router.command("bind", help="私聊：/bind 绑定红管家账号（分享本人手机号）；群里：/bind 社区 [网格] 绑定本群（工作室管理员）",
                unbound=True)
def bind(ctx: Context, msg: Inbound) -> Reaction:
    _name, args = msg.command
    if msg.chat.is_private:
        member = ctx.member(msg.user)
        if member is not None:
            return reply(msg, texts.already_bound(member))
        if binding.failures(ctx.session, msg.user.id, now=ctx.now) >= binding.MAX_FAILURES:
            return reply(msg, texts.BIND_LIMITED)
        # whatever number was typed: it is never looked up, so the answer tells nothing about it
        return reply(msg, texts.bind_how(), ask_contact=texts.SHARE_PHONE)
    return _bind_group(ctx, msg, args)


def _bind_group(ctx: Context, msg: Inbound, args: str) -> Reaction:
    member = ctx.member(msg.user)
    if member is None or not member.is_office_admin or member.status == MemberStatus.left:
        if ctx.group(msg.chat) is None:
            return Reaction()  # an unbound group: silent for everyone but the office
        return reply(msg, "只有社区红管家工作室的管理员可以绑定群聊。")
    words = args.split()
    if not words:
        return reply(msg, texts.bind_usage(private=False))
    existing = groups.get(ctx.session, msg.chat.id)
    if existing is not None and not groups.may_rebind(existing, member):
        # another community's office may not take a bound group over; its own office hears of it
        stays = groups.refuse_takeover(ctx.session, existing, member, args, now=ctx.now)
        return reply(msg, texts.group_rebind_refused(stays))
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


@router.command("invite", help="给红管家发一次性绑定邀请：/invite 会员编号（工作室管理员、本网格网格员）",
                scope="private")
def invite(ctx: Context, msg: Inbound) -> Reaction:
    me = ctx.member(msg.user)
    if me is None or not (me.is_office_admin or me.is_grid_manager):
        return reply(msg, "只有社区红管家工作室的管理员或网格员可以发邀请。")
    _name, number = msg.command
    if not number:
        return reply(msg, "用法：/invite 会员编号，例如 /invite 5-001-000-01-002-0020")
    member = _member_of(ctx, number)
    issued = binding.create_invitation(ctx.session, member, by=me, now=ctx.now)
    username = ctx.bot_username or ctx.settings.bot_username or ""
    if not username:
        raise InvalidInput("还不知道机器人的用户名，无法生成链接（请设置 HGJ_BOT_USERNAME）")
    expires = issued.invitation.expires_at.astimezone(ctx.tz).strftime("%m月%d日 %H:%M")
    return reply(msg, texts.invitation_made(member, issued.link(username), issued.revoked, expires))


@router.command("unbind", help="解绑红管家的聊天账号：/unbind 会员编号（工作室管理员）", scope="private")
def unbind(ctx: Context, msg: Inbound) -> Reaction:
    me = ctx.member(msg.user)
    if me is None or not me.is_office_admin:
        return reply(msg, "只有社区红管家工作室的管理员可以解绑。")
    _name, number = msg.command
    if not number:
        return reply(msg, "用法：/unbind 会员编号")
    member = _member_of(ctx, number)
    if not binding.may_unbind(me, member):
        raise NotAllowed("只能解绑本社区的红管家")
    done = binding.unbind(ctx.session, member, by=me, how="office", now=ctx.now)
    ctx._cache.pop(("member", done.account_id), None)
    ctx._cache.pop(("home", done.account_id), None)
    return reply(msg, texts.unbound_done(member, done.logins_revoked))


def _member_of(ctx: Context, number: str):
    member = members.find_by_number(ctx.session, number)
    if member is None:
        raise InvalidInput(f"没有找到编号为 {number.strip()} 的红管家")
    return member


@router.text()
def private_text(ctx: Context, msg: Inbound) -> Reaction | None:
    """Text in a private chat that was no report: say what the bot does here."""
    if not msg.chat.is_private:
        return None
    return reply(msg, texts.private_text_help(known=ctx.binding(msg.chat, msg.user) is not None))


@router.command("web", help="社区看板登录链接（管理人员）", scope="private")
def web_login(ctx: Context, msg: Inbound) -> Reaction:
    member = ctx.member(msg.user)
    if not permissions.may_see_dashboard(member):
        return reply(msg, "社区看板对社区工作人员、包联干部和区领导开放。")
    token = access.issue_login(ctx.session, member, now=ctx.now)
    link = f"{ctx.settings.web_url}/login?token={token}"
    return reply(msg, link_to("打开社区看板", link) + "（7天内有效，请勿转发）")
