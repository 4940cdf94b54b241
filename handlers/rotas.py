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
from bot.infra.masking import shown
from bot.members import permissions
from bot.members.address import to_members
from bot.messages import Action, Button, Outgoing
from bot.places import service as places
from bot.rich import Rich, bold, join, rich
from bot.rotas import admin, checkins, ical
from bot.rotas import away as rota_away
from bot.rotas import swaps as rota_swaps
from bot.rotas import turns as rota_turns
from bot.rotas.spec import USAGE, RotaSpec, find_member, parse_date_range, parse_words, split_names
from bot.rotas.turns import parse_code, rota_code, shift_code
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
        raise NotAllowed("只有红管家可以使用排班功能。请先私聊我发送 /bind 按提示完成绑定")
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
    on = rota_turns.on_duty(ctx.session, shift)
    if not on:
        return "（缺人）"
    return "、".join(m.name + ("✅" if m.id in here else "") for m in on)


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
        return reply(msg, "这里还没有排班。网格员可以用 /newrota 新建。")
    lines: list[str | Rich] = [rich("👮 ", bold("值班情况"))]
    for rota in found:
        current, upcoming = rota_turns.current_and_next(ctx.session, rota, ctx.now)
        tz, today = _tz(rota), _today(ctx, rota)
        lines.append(bold(T.rota_title(rota)))
        if current is not None:
            lines.append(f"· 现在 {T.span(current, tz)}：{_people(ctx, current)}")
        if upcoming is not None:
            lines.append(f"· 下一班 {T.when(upcoming, tz, today)}：{_people(ctx, upcoming)}")
        if current is None and upcoming is None:
            lines.append("· 近期没有班次")
    return reply(msg, join("\n", lines))


def feed_link(ctx: Context, member: Member) -> str:
    token = ical.member_token(ctx.session, member, now=ctx.now)
    return f"{ctx.settings.web_url}/ical/member/{token}.ics"


@router.command("myshifts", help="我的班次（未来14天）")
def my_shifts(ctx: Context, msg: Inbound) -> Reaction:
    member = _member(ctx, msg.user)
    rows = rota_turns.shifts_of(ctx.session, member, since=ctx.now, until=ctx.now + timedelta(days=14))
    lines: list[str | Rich] = [rich("🗓 ", bold(f"{member.name} 的班次"), "（未来14天）")]
    rotas: dict[int, Rota] = {}
    for shift, role in rows:
        rota = rotas.setdefault(shift.rota_id, ctx.session.get(Rota, shift.rota_id))
        mark = "（后备）" if role == "backup" else ""
        lines.append(f"· {T.when(shift, _tz(rota), _today(ctx, rota))} {rota.name}{mark} {shift_code(shift)}")
    if not rows:
        lines.append("暂无班次。")
    away = rota_away.away_periods(ctx.session, member, today=_today(ctx))
    if away:
        lines.append("请假：" + "；".join(f"{p.starts_on:%m-%d}–{p.ends_on:%m-%d}" for p in away))
    if msg.chat.is_private:  # the link is a credential: never in a group
        lines.append(f"日历订阅：{feed_link(ctx, member)}")
    lines.append("来不了可用 /swap 换班，请假用 /away。")
    return reply(msg, join("\n", lines))


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
        return reply(msg, "还没有排班。网格员可以用 /newrota 新建，发送 /newrota 查看用法。")
    lines: list[str | Rich] = [rich("📋 ", bold("排班"))]
    for rota in found:
        team = rota_turns.team(ctx.session, rota)
        lines.append(f"{rota_code(rota)} {T.rota_title(rota)}：{rota_turns.describe(rota)}；队员 {len(team)} 人")
    return reply(msg, join("\n", lines))


# --- check-in -----------------------------------------------------------------------------


def _checkin_text(result: checkins.CheckInResult, ctx: Context) -> str:
    parts = []
    if result.shift is not None:
        rota = ctx.session.get(Rota, result.shift.rota_id)
        verb = "已补充签到信息" if result.already else "签到成功"
        parts.append(f"✅ {verb}：{T.rota_title(rota)} {T.span(result.shift, _tz(rota))}（{shift_code(result.shift)}）")
    if result.dual is not None:
        parts.append("✅ 双报到打卡成功" if not (result.already and result.shift is None) else "✅ 今天已双报到，已补充信息")
    if result.points:
        parts.append(f"积分 +{result.points}")
    return "\n".join(parts)


def _want_extra(ctx: Context, msg: Inbound, result: checkins.CheckInResult) -> str:
    if msg.location or msg.photo:
        return ""
    ask(ctx, msg, "rota_checkin_extra", {"shift": result.shift.id if result.shift else None}, minutes=15)
    return "\n可以再发一条位置或现场照片作为记录（可选）。"


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
        return reply(msg, "没有找到你最近的签到记录。")
    what = "位置" if msg.location else "照片"
    return reply(msg, f"📍 已把{what}记入签到。")


# --- away ---------------------------------------------------------------------------------


@router.command("away", help="请假：/away 12-01 12-05（或 明天；/away 取消）")
def away(ctx: Context, msg: Inbound) -> Reaction:
    member = _member(ctx, msg.user)
    args = _args(msg).strip()
    today = _today(ctx)
    if not args:
        periods = rota_away.away_periods(ctx.session, member, today=today)
        if not periods:
            return reply(msg, "你没有请假记录。请假：/away 12-01 12-05，或 /away 明天")
        listed = "；".join(f"{p.starts_on:%m-%d} 到 {p.ends_on:%m-%d}" for p in periods)
        return reply(msg, f"你的请假：{listed}。取消请发 /away 取消")
    if args in ("取消", "cancel", "销假"):
        n = rota_away.cancel_away(ctx.session, member, today=today, now=ctx.now)
        return reply(msg, f"已取消 {n} 条请假。" if n else "你没有要取消的请假。")
    first, last = parse_date_range(args, today)
    if last < today:
        raise InvalidInput("请假日期已经过去了")
    _period, moved = rota_away.add_away(ctx.session, member, first, last, now=ctx.now)
    span = f"{first.month}月{first.day}日" + ("" if first == last else f"到{last.month}月{last.day}日")
    tail = f"这期间你的 {moved} 个班次已由队友顶上。" if moved else "这期间你没有班次。"
    return reply(msg, f"🏖 已登记请假：{span}。{tail}")


# --- swaps --------------------------------------------------------------------------------


def _ask_swap(ctx: Context, shift, member: Member) -> tuple[str, list[Outgoing]]:
    asked = rota_swaps.open_swap(ctx.session, shift, member)
    req = rota_swaps.request_swap(ctx.session, shift, member, now=ctx.now)
    if asked is not None:  # the team heard once; asking again must not page them again
        return f"你已在请人替 {shift_code(shift)}，队友已收到通知；有人接班我会告诉你。", []
    rota = ctx.session.get(Rota, shift.rota_id)
    on = {m.id for m in rota_turns.on_duty(ctx.session, shift)}
    day = shift.starts_at.astimezone(_tz(rota)).date()
    avail = rota_turns.Availability(ctx.session, rota_turns.team_ids(ctx.session, rota.id), day, day)
    team = [m for m in rota_turns.team(ctx.session, rota) if m.id not in on and avail.ok(m.id, day)]
    text = rich(
        "🔁 ", bold("换班请求"), f"\n{member.name} 请人替 {T.rota_title(rota)} "
        f"{T.when(shift, _tz(rota), _today(ctx, rota))}（{shift_code(shift)}）。\n能替的请点「我来替班」。"
    )
    buttons = [[Button("我来替班", Action(KIND, "take", req.id))]]
    outs = to_members(ctx.session, team, text, buttons=buttons, kind="notice", ref=f"shift:{shift.id}")
    for out in outs:
        out.dedupe_key = f"swap:{req.id}:chat:{out.chat_id}"
    if not outs:
        return "队里暂时没有能替班的人，请联系网格员。", []
    return f"已请 {len(team)} 位队友替你 {shift_code(shift)}，有人接班我会告诉你。", outs


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
            return reply(msg, "你未来14天没有需要换的班次。")
        buttons = []
        for shift, _ in rows[:8]:
            rota = ctx.session.get(Rota, shift.rota_id)
            label = f"{shift_code(shift)} {T.when(shift, _tz(rota), _today(ctx, rota))}"
            buttons.append([Button(label, Action(KIND, "swap", shift.id))])
        return reply(msg, "要换哪一班？", buttons=buttons)
    text, outs = _ask_swap(ctx, rota_turns.get_shift(ctx.session, shift_id), member)
    reaction = reply(msg, text)
    reaction.outgoing.extend(outs)
    return reaction


# --- handoff ------------------------------------------------------------------------------


def _handoff(ctx: Context, member: Member, text: str, shift_id: int | None) -> tuple[str, list[Outgoing]]:
    shift, nxt = checkins.write_handoff(ctx.session, member, text, now=ctx.now, shift_id=shift_id)
    rota = ctx.session.get(Rota, shift.rota_id)
    if nxt is None:
        return f"📝 已记下 {shift_code(shift)} 的交接。", []
    people = rota_turns.on_duty(ctx.session, nxt)
    note = rich(
        "📝 ", bold("交接"), f"（{T.rota_title(rota)} {shift_code(shift)}，{member.name}）\n{shown(text.strip())}\n"
        f"你的班次：{T.when(nxt, _tz(rota), _today(ctx, rota))}（{shift_code(nxt)}）"
    )
    outs = to_members(ctx.session, [p for p in people if p.id != member.id], note, kind="notice", ref=f"shift:{nxt.id}")
    return f"📝 已记下交接，已转给下一班（{T.names(people)}）。", outs


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
        return reply(msg, "排班没有建成：" + "；".join(problems) + "\n" + USAGE)
    grid_id = fields.get("grid_id", member.grid_id)
    spec = RotaSpec(
        community_id=cid, name=fields["name"], kind=fields["kind"], weekdays=fields["weekdays"],
        start_time=fields["start_time"], duration_minutes=fields["duration_minutes"], size=fields.get("size", 1),
        quorum=fields.get("quorum"), grid_id=grid_id, building_id=fields.get("building_id"),
        timezone=ctx.settings.timezone, team=fields["team"],
    )
    rota = admin.create_rota(ctx.session, spec, by=member, now=ctx.now, settings=ctx.settings)
    return reply(msg, _rota_details(ctx, rota, head="✅ 排班已建立"))


def _rota_details(ctx: Context, rota: Rota, *, head: str = "") -> Rich:
    team = rota_turns.team(ctx.session, rota)
    lines = [head, bold(f"{rota_code(rota)} {T.rota_title(rota)}"), rota_turns.describe(rota),
             f"队员（{len(team)}人）：{T.names(team)}"]
    upcoming = rota_turns.shifts_of_rota(ctx.session, rota, since=ctx.now, until=ctx.now + timedelta(days=7))[:5]
    if upcoming:
        lines.append("近期班次：")
        tz, today = _tz(rota), _today(ctx, rota)
        lines += [f"· {shift_code(s)} {T.when(s, tz, today)}：{_people(ctx, s)}" for s in upcoming]
    if not rota.active:
        lines.append("（已停用）")
    return join("\n", (line for line in lines if line))


_ROTA_VERBS = {"加": "add", "添加": "add", "增加": "add", "add": "add", "减": "remove", "删": "remove",
               "删除": "remove", "移除": "remove", "remove": "remove", "人数": "size", "size": "size",
               "停用": "off", "暂停": "off", "pause": "off", "启用": "on", "恢复": "on", "resume": "on"}


@router.command("rota", help="查看或调整排班：/rota R5 [加 姓名 | 减 姓名 | 人数 2 | 停用 | 启用]")
def rota_cmd(ctx: Context, msg: Inbound) -> Reaction:
    member = _member(ctx, msg.user)
    words = _args(msg).split()
    if not words or parse_code(words[0], "R") is None:
        return reply(msg, "用法：/rota R5 查看；/rota R5 加 张三 李四；/rota R5 减 王五；/rota R5 人数 2 最少 1；/rota R5 停用/启用")
    rota = rota_turns.get_rota(ctx.session, parse_code(words[0], "R"))
    if rota.community_id != member.community_id:
        raise NotAllowed("只能查看本社区的排班")
    if len(words) == 1:
        return reply(msg, _rota_details(ctx, rota))
    verb = _ROTA_VERBS.get(words[1].lower())
    rest = words[2:]
    if verb in ("add", "remove"):
        names = split_names(" ".join(rest))
        if not names:
            raise InvalidInput("请写出队员姓名或会员编号")
        found = [find_member(ctx.session, rota.community_id, n) for n in names]
        if verb == "add":
            n = admin.add_to_team(ctx.session, rota, found, by=member, now=ctx.now)
            head = f"✅ 已加入 {n} 名队员"
        else:
            n = admin.remove_from_team(ctx.session, rota, found, by=member, now=ctx.now)
            head = f"✅ 已移出 {n} 名队员，他们的后续班次已安排他人"
    elif verb == "size":
        nums = [int(x) for x in re.findall(r"\d+", " ".join(rest))]
        if not nums:
            raise InvalidInput("请写人数，例如：/rota R5 人数 2 最少 1")
        admin.set_size(ctx.session, rota, nums[0], quorum=nums[1] if len(nums) > 1 else None, by=member, now=ctx.now)
        head = "✅ 人数已更新"
    elif verb in ("on", "off"):
        admin.set_active(ctx.session, rota, verb == "on", by=member, now=ctx.now, settings=ctx.settings)
        head = "✅ 排班已启用" if verb == "on" else "⏸ 排班已停用，未来班次已取消"
    else:
        raise InvalidInput(f"看不懂「{words[1]}」，可用：加、减、人数、停用、启用")
    return reply(msg, _rota_details(ctx, rota, head=head))


@router.command("cover", help="指定某班由谁值（管理人员）：/cover S12 张三 [替 李四]")
def cover(ctx: Context, msg: Inbound) -> Reaction:
    member = _member(ctx, msg.user)
    words = _args(msg).split()
    if len(words) < 2 or parse_code(words[0], "S") is None:
        return reply(msg, "用法：/cover S12 张三（加人）或 /cover S12 张三 替 李四（换人）")
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
    text = f"✅ {shift_code(shift)} 已调整：{_people(ctx, shift)}"
    reaction = reply(msg, text)
    note = f"📌 {member.name} 安排你值 {T.rota_title(rota)} {T.when(shift, _tz(rota), _today(ctx, rota))}（{shift_code(shift)}）。"
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
            text = f"{member.name} " + text
        return Reaction([Outgoing(chat_id=press.chat.id, text=text)], Answer("签到成功" if not result.already else "已签到过"))
    if action.verb == "join":
        shift = rota_swaps.join_shift(ctx.session, rota_turns.get_shift(ctx.session, action.id), member, now=ctx.now)
        rota = ctx.session.get(Rota, shift.rota_id)
        text = (
            f"🙌 {member.name} 报名了 {T.rota_title(rota)} {T.when(shift, _tz(rota), _today(ctx, rota))}"
            f"（{shift_code(shift)}），现在：{_people(ctx, shift)}"
        )
        return Reaction([Outgoing(chat_id=press.chat.id, text=text)], Answer("已报名，谢谢！"))
    if action.verb == "swap":
        text, outs = _ask_swap(ctx, rota_turns.get_shift(ctx.session, action.id), member)
        return Reaction([Outgoing(chat_id=press.chat.id, text=text), *outs], Answer("已发出换班请求"))
    if action.verb == "take":
        req, shift = rota_swaps.accept_swap(ctx.session, action.id, member, now=ctx.now)
        rota = ctx.session.get(Rota, shift.rota_id)
        when = f"{T.rota_title(rota)} {T.when(shift, _tz(rota), _today(ctx, rota))}（{shift_code(shift)}）"
        requester = ctx.session.get(Member, req.requester_id)
        outs = [Outgoing(chat_id=press.chat.id, text=f"🔁 谢谢！{when} 由你来值。")]
        outs += to_members(ctx.session, [requester], f"🔁 {member.name} 接了你的班：{when}。", ref=f"shift:{shift.id}",
                           skip_chat=press.chat.id)
        return Reaction(outs, Answer("换班成功"))
    if action.verb == "note":
        fake = Inbound(press.chat, press.user, press.message_id, "", press.at)
        ask(ctx, fake, "rota_handoff", {"shift": action.id}, minutes=60)
        return Reaction([Outgoing(chat_id=press.chat.id, text="📝 请发送交接内容，我会转给下一班。")], Answer())
    return Reaction(answer=Answer("这个按钮已失效"))

