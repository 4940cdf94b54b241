"""Rotas in the chat: who is on duty, my shifts, check-in, away dates, swaps, volunteers for short
shifts, handoff notes, and rotas created and changed by grid managers.

Commands (Chinese help in ``/help``):

    /duty                      谁在值班（本楼/本网格，现在和下一班）
    /myshifts                  我的班次（14天）和日历订阅链接
    /checkin [S12]             签到；同一条消息可带位置或照片，或签到后再发
    /away 12-01 12-05          请假（也可：/away 明天、/away 12月3日、/away 取消）
    /swap [S12]                换班：请队友替班，第一个点「我来替班」的人接班
    /handoff 内容              交接：留给下一班的话
    /newrota 名称 类型 节奏 时间 [时长] [N人] [网格] 队员…   新建排班（网格员/社区工作人员/工作室管理员）
    /rotas                     本网格/本社区的排班
    /rota R5 [加 张三 | 减 李四 | 人数 2 [最少 1] | 停用 | 启用]   查看或调整排班
    /cover S12 张三 [替 李四]   指定某一班由谁值（管理人员）

Buttons (``Action`` kind "s", data ≤ 64 bytes): ``s:in:<shift>`` check in, ``s:join:<shift>``
volunteer for a short shift, ``s:swap:<shift>`` ask for a swap, ``s:take:<request>`` take it,
``s:note:<shift>`` write a handoff note.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

from bot.infra.errors import InvalidInput, NotAllowed
from bot.members import permissions
from bot.members.address import to_members
from bot.messages import Action, Button, Outgoing
from bot.places import service as places
from bot.rich import Rich
from bot.rotas import admin, checkins, ical
from bot.rotas import away as rota_away
from bot.rotas import swaps as rota_swaps
from bot.rotas import turns as rota_turns
from bot.rotas.spec import USAGE, RotaSpec, find_member, parse_date_range, parse_words, split_names
from bot.rotas.turns import parse_code, rota_code
from handlers.replies import reply
from handlers.texts import rotas as T
from models import Member, PendingQuestion, Rota

from .context import Context
from .conversation import ask
from .router import Router
from .types import Answer, Inbound, Press, Reaction

router = Router("rotas")

KIND = "s"


def _member(ctx: Context, user) -> Member:
    member = ctx.member(user)
    if member is None:
        raise NotAllowed(T.members_only())
    return member


def _args(msg: Inbound) -> str:
    command = msg.command
    return command[1] if command else ""


def _tz(rota: Rota):
    return rota_turns.tz_of(rota)


def _today(ctx: Context, rota: Rota | None = None):
    return ctx.now.astimezone(_tz(rota) if rota else ctx.tz).date()


def _people(ctx: Context, shift) -> str:
    here = rota_turns.checked_in(ctx.session, [shift.id]).get(shift.id, set())
    return T.people(rota_turns.on_duty(ctx.session, shift), here)


# --- /duty, /myshifts, /rotas -------------------------------------------------------------


@router.command("duty", help="谁在值班：本楼/本网格现在和下一班")
def duty(ctx: Context, msg: Inbound) -> Reaction:
    group = ctx.group(msg.chat)
    if group is not None:
        community_id, grid_id, building_id = group.community_id, group.grid_id, None
    else:
        member = _member(ctx, msg.user)
        community_id, grid_id, building_id = member.community_id, member.grid_id, member.building_id
    found = rota_turns.rotas_for(ctx.session, community_id, grid_id=grid_id, building_id=building_id, limit=10)
    if not found:
        return reply(msg, T.no_rotas_here())
    rows = []
    for rota in found:
        current, upcoming = rota_turns.current_and_next(ctx.session, rota, ctx.now)
        rows.append(T.DutyRow(
            rota, _tz(rota), _today(ctx, rota), current, _people(ctx, current) if current is not None else "",
            upcoming, _people(ctx, upcoming) if upcoming is not None else "",
        ))
    return reply(msg, T.duty(rows))


def feed_link(ctx: Context, member: Member) -> str:
    token = ical.member_token(ctx.session, member, now=ctx.now)
    return f"{ctx.settings.web_url}/ical/member/{token}.ics"


@router.command("myshifts", help="我的班次（未来14天）")
def my_shifts(ctx: Context, msg: Inbound) -> Reaction:
    member = _member(ctx, msg.user)
    rows = rota_turns.shifts_of(ctx.session, member, since=ctx.now, until=ctx.now + timedelta(days=14))
    rotas: dict[int, Rota] = {}
    shifts = []
    for shift, role in rows:
        rota = rotas.setdefault(shift.rota_id, ctx.session.get(Rota, shift.rota_id))
        shifts.append(T.MyShift(shift, rota, _tz(rota), _today(ctx, rota), role == "backup"))
    away = rota_away.away_periods(ctx.session, member, today=_today(ctx))
    feed = feed_link(ctx, member) if msg.chat.is_private else None  # the link is a credential: never in a group
    return reply(msg, T.my_shifts(member.name, shifts, [(p.starts_on, p.ends_on) for p in away], feed))


@router.command("rotas", help="本网格/本社区的排班")
def list_rotas(ctx: Context, msg: Inbound) -> Reaction:
    group = ctx.group(msg.chat)
    if group is not None:
        found = rota_turns.rotas_for(ctx.session, group.community_id, grid_id=group.grid_id, limit=20)
    else:
        member = _member(ctx, msg.user)
        found = rota_turns.rotas_for(
            ctx.session, member.community_id, grid_id=member.grid_id, building_id=member.building_id, limit=20
        )
    if not found:
        return reply(msg, T.no_rotas())
    # a list, not a generator: the team lookups run here, not while the texts module iterates
    lines = [T.RotaLine(rota, rota_code(rota), rota_turns.describe(rota), len(rota_turns.team(ctx.session, rota)))
             for rota in found]
    return reply(msg, T.rota_list(lines))


# --- check-in -----------------------------------------------------------------------------


def _checkin_text(result: checkins.CheckInResult, ctx: Context) -> str:
    rota = ctx.session.get(Rota, result.shift.rota_id) if result.shift is not None else None
    return T.checked_in(result.shift, rota, _tz(rota) if rota else None, already=result.already,
                        dual=result.dual is not None, points=result.points)


def _want_extra(ctx: Context, msg: Inbound, result: checkins.CheckInResult) -> str:
    if msg.location or msg.photo:
        return ""
    ask(ctx, msg, "rota_checkin_extra", {"shift": result.shift.id if result.shift else None}, minutes=15)
    return T.checkin_extra_hint()


@router.command("checkin", help="签到：巡逻/值班开始后（可带位置或照片）；包联干部双报到打卡")
def checkin(ctx: Context, msg: Inbound) -> Reaction:
    member = _member(ctx, msg.user)
    args = _args(msg)
    shift_id = parse_code(args, "S") if args else None
    result = checkins.check_in(
        ctx.session, member, now=ctx.now, settings=ctx.settings, shift_id=shift_id, location=msg.location,
        photo=msg.photo, note="" if shift_id else args,
    )
    return reply(msg, _checkin_text(result, ctx) + _want_extra(ctx, msg, result))


@router.pending("rota_checkin_extra")
def checkin_extra(ctx: Context, msg: Inbound, question: PendingQuestion) -> Reaction | None:
    if not (msg.location or msg.photo):
        return None  # not for us: other handlers take the message
    member = _member(ctx, msg.user)
    row = checkins.attach_to_last_checkin(ctx.session, member, now=ctx.now, location=msg.location, photo=msg.photo)
    ctx.session.delete(question)
    if row is None:
        return reply(msg, T.no_recent_checkin())
    return reply(msg, T.checkin_extra_kept(bool(msg.location)))


# --- away ---------------------------------------------------------------------------------


@router.command("away", help="请假：/away 12-01 12-05（或 明天；/away 取消）")
def away(ctx: Context, msg: Inbound) -> Reaction:
    member = _member(ctx, msg.user)
    args = _args(msg).strip()
    today = _today(ctx)
    if not args:
        periods = rota_away.away_periods(ctx.session, member, today=today)
        if not periods:
            return reply(msg, T.no_away())
        return reply(msg, T.away_list((p.starts_on, p.ends_on) for p in periods))
    if args in ("取消", "cancel", "销假"):
        n = rota_away.cancel_away(ctx.session, member, today=today, now=ctx.now)
        return reply(msg, T.away_cancelled(n))
    first, last = parse_date_range(args, today)
    if last < today:
        raise InvalidInput(T.away_past())
    _period, moved = rota_away.add_away(ctx.session, member, first, last, now=ctx.now)
    return reply(msg, T.away_added(first, last, moved))


# --- swaps --------------------------------------------------------------------------------


def _ask_swap(ctx: Context, shift, member: Member) -> tuple[str, list[Outgoing]]:
    asked = rota_swaps.open_swap(ctx.session, shift, member)
    req = rota_swaps.request_swap(ctx.session, shift, member, now=ctx.now)
    if asked is not None:  # the team heard once; asking again must not page them again
        return T.swap_already_asked(shift), []
    rota = ctx.session.get(Rota, shift.rota_id)
    on = {m.id for m in rota_turns.on_duty(ctx.session, shift)}
    day = shift.starts_at.astimezone(_tz(rota)).date()
    avail = rota_turns.Availability(ctx.session, rota_turns.team_ids(ctx.session, rota.id), day, day)
    team = [m for m in rota_turns.team(ctx.session, rota) if m.id not in on and avail.ok(m.id, day)]
    text = T.swap_request(member.name, rota, shift, _tz(rota), _today(ctx, rota))
    buttons = [[Button(T.swap_take_button(), Action(KIND, "take", req.id))]]
    outs = to_members(ctx.session, team, text, buttons=buttons, kind="notice", ref=f"shift:{shift.id}")
    for out in outs:
        out.dedupe_key = f"swap:{req.id}:chat:{out.chat_id}"
    if not outs:
        return T.swap_nobody_free(), []
    return T.swap_asked(len(team), shift), outs


@router.command("swap", help="换班：/swap S12（不写编号则列出你的班次）")
def swap(ctx: Context, msg: Inbound) -> Reaction:
    member = _member(ctx, msg.user)
    args = _args(msg)
    shift_id = parse_code(args, "S") if args else None
    if shift_id is None:
        rows = [
            (s, role) for s, role in rota_turns.shifts_of(ctx.session, member, since=ctx.now, until=ctx.now + timedelta(days=14))
            if role == "on" and s.starts_at > ctx.now
        ]
        if not rows:
            return reply(msg, T.swap_nothing_ahead())
        buttons = []
        for shift, _ in rows[:8]:
            rota = ctx.session.get(Rota, shift.rota_id)
            label = T.swap_choice(shift, _tz(rota), _today(ctx, rota))
            buttons.append([Button(label, Action(KIND, "swap", shift.id))])
        return reply(msg, T.swap_which(), buttons=buttons)
    text, outs = _ask_swap(ctx, rota_turns.get_shift(ctx.session, shift_id), member)
    reaction = reply(msg, text)
    reaction.outgoing.extend(outs)
    return reaction


# --- handoff ------------------------------------------------------------------------------


def _handoff(ctx: Context, member: Member, text: str, shift_id: int | None) -> tuple[str, list[Outgoing]]:
    shift, nxt = checkins.write_handoff(ctx.session, member, text, now=ctx.now, shift_id=shift_id)
    rota = ctx.session.get(Rota, shift.rota_id)
    if nxt is None:
        return T.handoff_kept(shift), []
    people = rota_turns.on_duty(ctx.session, nxt)
    note = T.handoff_note(rota, shift, member.name, text, nxt, _tz(rota), _today(ctx, rota))
    outs = to_members(ctx.session, [p for p in people if p.id != member.id], note, kind="notice", ref=f"shift:{nxt.id}")
    return T.handoff_passed(people), outs


@router.command("handoff", help="交接：/handoff 内容（给下一班）")
def handoff(ctx: Context, msg: Inbound) -> Reaction:
    member = _member(ctx, msg.user)
    text, outs = _handoff(ctx, member, _args(msg), None)
    reaction = reply(msg, text)
    reaction.outgoing.extend(outs)
    return reaction


@router.pending("rota_handoff")
def handoff_answer(ctx: Context, msg: Inbound, question: PendingQuestion) -> Reaction | None:
    if msg.command or not msg.text.strip():
        return None
    member = _member(ctx, msg.user)
    payload = json.loads(question.payload or "{}")
    ctx.session.delete(question)
    text, outs = _handoff(ctx, member, msg.text, payload.get("shift"))
    reaction = reply(msg, text)
    reaction.outgoing.extend(outs)
    return reaction


# --- managing rotas -----------------------------------------------------------------------


@router.command("newrota", help="新建排班（网格员等）：/newrota 名称 类型 节奏 时间 [N人] 队员…")
def new_rota(ctx: Context, msg: Inbound) -> Reaction:
    member = _member(ctx, msg.user)
    words = _args(msg).split()
    if not words:
        return reply(msg, USAGE)

    cid = member.community_id
    fields, problems = parse_words(
        ctx.session, cid, words,
        find_grid=lambda w: places.find_grid(ctx.session, cid, w),
        find_building=lambda w: next(iter(places.find_buildings(ctx.session, cid, w)), None),
    )
    if problems:
        return reply(msg, T.rota_not_made(problems, USAGE))
    grid_id = fields.get("grid_id", member.grid_id)
    spec = RotaSpec(
        community_id=cid, name=fields["name"], kind=fields["kind"], weekdays=fields["weekdays"],
        start_time=fields["start_time"], duration_minutes=fields["duration_minutes"], size=fields.get("size", 1),
        quorum=fields.get("quorum"), grid_id=grid_id, building_id=fields.get("building_id"),
        timezone=ctx.settings.timezone, team=fields["team"],
    )
    rota = admin.create_rota(ctx.session, spec, by=member, now=ctx.now, settings=ctx.settings)
    return reply(msg, _rota_details(ctx, rota, head=T.rota_created()))


def _rota_details(ctx: Context, rota: Rota, *, head: str = "") -> Rich:
    team = rota_turns.team(ctx.session, rota)
    upcoming = rota_turns.shifts_of_rota(ctx.session, rota, since=ctx.now, until=ctx.now + timedelta(days=7))[:5]
    return T.rota_details(head, rota_code(rota), rota, rota_turns.describe(rota), team,
                          [(s, _people(ctx, s)) for s in upcoming], _tz(rota), _today(ctx, rota))


_ROTA_VERBS = {"加": "add", "添加": "add", "增加": "add", "add": "add", "减": "remove", "删": "remove",
               "删除": "remove", "移除": "remove", "remove": "remove", "人数": "size", "size": "size",
               "停用": "off", "暂停": "off", "pause": "off", "启用": "on", "恢复": "on", "resume": "on"}


@router.command("rota", help="查看或调整排班：/rota R5 [加 姓名 | 减 姓名 | 人数 2 | 停用 | 启用]")
def rota_cmd(ctx: Context, msg: Inbound) -> Reaction:
    member = _member(ctx, msg.user)
    words = _args(msg).split()
    if not words or parse_code(words[0], "R") is None:
        return reply(msg, T.rota_usage())
    rota = rota_turns.get_rota(ctx.session, parse_code(words[0], "R"))
    if rota.community_id != member.community_id:
        raise NotAllowed(T.rota_elsewhere())
    if len(words) == 1:
        return reply(msg, _rota_details(ctx, rota))
    verb = _ROTA_VERBS.get(words[1].lower())
    rest = words[2:]
    if verb in ("add", "remove"):
        names = split_names(" ".join(rest))
        if not names:
            raise InvalidInput(T.rota_names_needed())
        found = [find_member(ctx.session, rota.community_id, n) for n in names]
        if verb == "add":
            n = admin.add_to_team(ctx.session, rota, found, by=member, now=ctx.now)
            head = T.rota_added(n)
        else:
            n = admin.remove_from_team(ctx.session, rota, found, by=member, now=ctx.now)
            head = T.rota_removed(n)
    elif verb == "size":
        nums = [int(x) for x in re.findall(r"\d+", " ".join(rest))]
        if not nums:
            raise InvalidInput(T.rota_size_needed())
        admin.set_size(ctx.session, rota, nums[0], quorum=nums[1] if len(nums) > 1 else None, by=member, now=ctx.now)
        head = T.rota_size_set()
    elif verb in ("on", "off"):
        admin.set_active(ctx.session, rota, verb == "on", by=member, now=ctx.now, settings=ctx.settings)
        head = T.rota_switched(verb == "on")
    else:
        raise InvalidInput(T.rota_verb_unknown(words[1]))
    return reply(msg, _rota_details(ctx, rota, head=head))


@router.command("cover", help="指定某班由谁值（管理人员）：/cover S12 张三 [替 李四]")
def cover(ctx: Context, msg: Inbound) -> Reaction:
    member = _member(ctx, msg.user)
    words = _args(msg).split()
    if len(words) < 2 or parse_code(words[0], "S") is None:
        return reply(msg, T.cover_usage())
    shift = rota_turns.get_shift(ctx.session, parse_code(words[0], "S"))
    rota = ctx.session.get(Rota, shift.rota_id)
    problem = permissions.may_manage_rota(member, rota.community_id, rota.grid_id)
    if problem:  # before any name is looked up: the answer would tell who is in that community
        raise NotAllowed(problem)
    add = find_member(ctx.session, rota.community_id, words[1])
    remove = None
    if len(words) >= 4 and words[2] in ("替", "替换", "代替", "换"):
        remove = find_member(ctx.session, rota.community_id, words[3])
    admin.add_override(ctx.session, shift, add=add, remove=remove, by=member, now=ctx.now)
    reaction = reply(msg, T.covered(shift, _people(ctx, shift)))
    note = T.cover_note(member.name, rota, shift, _tz(rota), _today(ctx, rota))
    reaction.outgoing.extend(to_members(ctx.session, [add], note, ref=f"shift:{shift.id}", skip_chat=msg.chat.id))
    return reaction


# --- buttons ------------------------------------------------------------------------------


@router.button(KIND)
def shift_button(ctx: Context, press: Press, action: Action) -> Reaction:
    member = _member(ctx, press.user)
    if action.verb == "in":
        result = checkins.check_in(ctx.session, member, now=ctx.now, settings=ctx.settings, shift_id=action.id)
        text = _checkin_text(result, ctx)
        if press.chat.is_private:
            fake = Inbound(press.chat, press.user, press.message_id, "", press.at)
            text += _want_extra(ctx, fake, result)
        else:
            text = T.checked_in_by(member.name, text)
        return Reaction([Outgoing(chat_id=press.chat.id, text=text)], Answer(T.checkin_answer(result.already)))
    if action.verb == "join":
        shift = rota_swaps.join_shift(ctx.session, rota_turns.get_shift(ctx.session, action.id), member, now=ctx.now)
        rota = ctx.session.get(Rota, shift.rota_id)
        text = T.joined(member.name, rota, shift, _tz(rota), _today(ctx, rota), _people(ctx, shift))
        return Reaction([Outgoing(chat_id=press.chat.id, text=text)], Answer(T.joined_answer()))
    if action.verb == "swap":
        text, outs = _ask_swap(ctx, rota_turns.get_shift(ctx.session, action.id), member)
        return Reaction([Outgoing(chat_id=press.chat.id, text=text), *outs], Answer(T.swap_answer()))
    if action.verb == "take":
        req, shift = rota_swaps.accept_swap(ctx.session, action.id, member, now=ctx.now)
        rota = ctx.session.get(Rota, shift.rota_id)
        tz, today = _tz(rota), _today(ctx, rota)
        requester = ctx.session.get(Member, req.requester_id)
        outs = [Outgoing(chat_id=press.chat.id, text=T.swap_taken(rota, shift, tz, today))]
        outs += to_members(ctx.session, [requester], T.swap_taken_by(member.name, rota, shift, tz, today),
                           ref=f"shift:{shift.id}", skip_chat=press.chat.id)
        return Reaction(outs, Answer(T.swap_taken_answer()))
    if action.verb == "note":
        fake = Inbound(press.chat, press.user, press.message_id, "", press.at)
        ask(ctx, fake, "rota_handoff", {"shift": action.id}, minutes=60)
        return Reaction([Outgoing(chat_id=press.chat.id, text=T.handoff_prompt())], Answer())
    return Reaction(answer=Answer(T.button_expired()))

