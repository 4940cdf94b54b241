"""Micro-wishes in the chat: posted from the group to the wall (and the grid's group), claimed by
any member with one tap, marked fulfilled by the claimer, thanked by the poster."""

from __future__ import annotations

from sqlmodel import select

from bot.places import groups
from bot.members import permissions
from bot.wishes import service as wishes
from bot.infra.errors import NotAllowed
from bot.issues.lifecycle import Actor
from bot.members import service as members
from models import Building, Member, OutboxMessage, Resident, Wish, WishCategory, WishStatus

from . import facts, texts, understanding
from .context import Context, GroupBinding
from .router import Router
from bot.messages import Action, Button, Outgoing
from .types import Answer, Inbound, Press, Reaction

router = Router("wishes")
W = WishStatus


def ref_of(wish: Wish) -> str:
    return f"wish:{wish.id}"


def claim_buttons(wish: Wish) -> list[list[Button]]:
    if wish.status == W.posted:
        return [[Button("我来认领", Action("w", "claim", wish.id))]]
    return []


def claimer_buttons(wish: Wish) -> list[list[Button]]:
    if wish.status == W.claimed:
        return [[Button("已实现", Action("w", "done", wish.id)), Button("放弃认领", Action("w", "release", wish.id))]]
    return []


def thank_buttons(wish: Wish) -> list[list[Button]]:
    if wish.status == W.fulfilled:
        return [[Button("谢谢 ❤", Action("w", "thank", wish.id)), Button("还没实现", Action("w", "undone", wish.id))]]
    return []


def poster_of(ctx: Context, wish: Wish) -> Resident | None:
    return ctx.session.get(Resident, wish.poster_id)


def file_wish(ctx: Context, msg: Inbound, group: GroupBinding, draft, place) -> Reaction:
    """Post the wish: a reply in thread, the wall, and the grid's group if that is another one."""
    resident = ctx.resident(msg.user, group.community_id)
    where = understanding.resolve(ctx, group.community_id, place, group, draft.compound_id)
    building = where.building or understanding.building_in(ctx, group.community_id, resident.building_id)
    category = draft.category if draft.category in WishCategory.__members__ else "other"
    wish = wishes.post(
        ctx.session, poster=resident, community_id=group.community_id, text=draft.text, now=ctx.now,
        category=category, building=building, grid_id=group.grid_id if building is None else None,
        source_chat_id=msg.chat.id, source_message_id=draft.message_id,
    )
    if wish.grid_id is not None:
        for other in groups.of_grid(ctx.session, wish.grid_id):
            if other.chat_id != msg.chat.id:
                ctx.send(Outgoing(chat_id=other.chat_id, text=texts.wish_card(facts.of_wish(ctx.session, wish), resident.display_name),
                                  buttons=claim_buttons(wish), kind="notice", ref=ref_of(wish)))
    return Reaction([Outgoing(chat_id=msg.chat.id, text=texts.wish_recorded(facts.of_wish(ctx.session, wish)),
                              buttons=claim_buttons(wish), reply_to_message_id=draft.message_id,
                              kind="reply", ref=ref_of(wish))])


def _edit(press: Press, text: str, buttons=None, ref: str | None = None) -> Outgoing:
    return Outgoing(chat_id=press.chat.id, text=text, buttons=buttons or [], edit_message_id=press.message_id,
                    kind="card", ref=ref)


def refresh_cards(ctx: Context, wish: Wish, skip: tuple[int, int] | None = None) -> None:
    """The wish's messages with a claim button (group reply, grid group, wall) show its state now."""
    rows = ctx.session.exec(select(OutboxMessage.chat_id, OutboxMessage.sent_message_id).where(
        OutboxMessage.ref == ref_of(wish), OutboxMessage.kind.in_(("reply", "notice", "wall")),
        OutboxMessage.sent_message_id.is_not(None), OutboxMessage.edit_message_id.is_(None),
        OutboxMessage.buttons != "",
    )).all()
    poster = poster_of(ctx, wish)
    for chat_id, message_id in set(rows):
        if (chat_id, message_id) == skip:
            continue
        ctx.send(Outgoing(chat_id=chat_id, text=texts.wish_card(facts.of_wish(ctx.session, wish), poster.display_name if poster else ""),
                          buttons=claim_buttons(wish), edit_message_id=message_id, kind="card", ref=ref_of(wish)))


def tell_poster(ctx: Context, wish: Wish, text: str, buttons=None, *, skip_group: bool = False) -> None:
    """Under the original message in its group, and privately when the poster is a bound member."""
    if wish.source_chat_id and not skip_group:
        ctx.send(Outgoing(chat_id=wish.source_chat_id, text=text, buttons=buttons or [],
                          reply_to_message_id=wish.source_message_id, kind="notice", ref=ref_of(wish)))
    poster = poster_of(ctx, wish)
    if poster is not None and poster.member_id and poster.chat_user_id:
        member = ctx.session.get(Member, poster.member_id)
        if member is not None and not member.unreachable:
            ctx.send(Outgoing(chat_id=poster.chat_user_id, text=text, buttons=buttons or [], kind="notice",
                              member_id=member.id, ref=ref_of(wish)))


@router.button("w")
def wish_button(ctx: Context, press: Press, action: Action) -> Reaction:
    wish = wishes.get(ctx.session, action.id)
    member = ctx.member(press.user)
    verb = action.verb
    if verb == "claim":
        if member is None:
            return Reaction(answer=Answer(texts.become_volunteer(), alert=True))
        problem = permissions.in_community(member, wish.community_id)
        if problem:  # before anything is edited: the card is not refreshed for someone else's community
            return Reaction(answer=Answer(problem, alert=True))
        if wish.status != W.posted:
            card = texts.wish_card(facts.of_wish(ctx.session, wish), _poster_name(ctx, wish))
            return Reaction([_edit(press, card, claim_buttons(wish), ref_of(wish))],
                            Answer(f"{wishes.code(wish)} 已{texts.WISH_STATUS_ZH.get(wish.status, '')}", alert=True))
        resident = members.resident_for_member(ctx.session, member, now=ctx.now)
        wishes.claim(ctx.session, wish, Actor(member=member, resident=resident), now=ctx.now)
        poster = poster_of(ctx, wish)
        refresh_cards(ctx, wish, skip=(press.chat.id, press.message_id))
        tell_poster(ctx, wish, texts.wish_change(facts.of_wish(ctx.session, wish), "claim"))
        outgoing = [_edit(press, texts.wish_card(facts.of_wish(ctx.session, wish), _poster_name(ctx, wish)), ref=ref_of(wish))]
        if member.chat_user_id:
            mention = texts.mention(poster.chat_user_id if poster else None, poster.display_name if poster else "")
            outgoing.append(Outgoing(chat_id=member.chat_user_id,
                                     text=texts.wish_claimed_by_you(wish, mention),
                                     buttons=claimer_buttons(wish), kind="notice", member_id=member.id,
                                     ref=f"wishclaim:{wish.id}"))
        return Reaction(outgoing, Answer("认领成功，谢谢你！"))
    if verb in ("done", "release"):
        actor = Actor(member=member, resident=members.resident_for_member(ctx.session, member, now=ctx.now)
                      if member else None)
        if member is None:
            raise NotAllowed("只有认领人可以这样做")
        if verb == "done":
            wishes.fulfil(ctx.session, wish, actor, now=ctx.now)
            poster = poster_of(ctx, wish)
            mention = texts.mention(poster.chat_user_id if poster else None, poster.display_name if poster else "")
            tell_poster(ctx, wish, texts.wish_change(facts.of_wish(ctx.session, wish), "fulfil") + "\n"
                        + texts.wish_poster_thanks_prompt(mention), thank_buttons(wish))
            refresh_cards(ctx, wish, skip=(press.chat.id, press.message_id))
            return Reaction([_edit(press, texts.wish_card(facts.of_wish(ctx.session, wish), _poster_name(ctx, wish)))],
                            Answer("辛苦了！居民点「谢谢」后（或3天内没有异议）记积分"))
        wishes.release(ctx.session, wish, actor, now=ctx.now)
        refresh_cards(ctx, wish, skip=(press.chat.id, press.message_id))
        tell_poster(ctx, wish, texts.wish_change(facts.of_wish(ctx.session, wish), "release"), claim_buttons(wish))
        return Reaction([_edit(press, texts.wish_card(facts.of_wish(ctx.session, wish), _poster_name(ctx, wish)))],
                        Answer("已放弃认领"))
    if verb == "undone":
        resident = ctx.known_resident(press.user)
        if resident is None or resident.id != wish.poster_id:
            return Reaction(answer=Answer("只有发布心愿的居民本人可以这样做", alert=True))
        wishes.reopen(ctx.session, wish, Actor(member=member, resident=resident), now=ctx.now)
        claimer = ctx.session.get(Member, wish.claimer_id) if wish.claimer_id else None
        text = texts.wish_change(facts.of_wish(ctx.session, wish), "reopen")
        if claimer is not None and claimer.chat_user_id and not claimer.unreachable:
            ctx.send(Outgoing(chat_id=claimer.chat_user_id, text=text, buttons=claimer_buttons(wish), kind="notice",
                              member_id=claimer.id, ref=f"wishclaim:{wish.id}"))
        refresh_cards(ctx, wish)
        return Reaction([_edit(press, text)], Answer("已退回给认领人，实现后会再通知你"))
    if verb == "thank":
        resident = ctx.known_resident(press.user)  # a stranger's press makes no resident of them
        if resident is None or resident.id != wish.poster_id:
            return Reaction(answer=Answer("只有发布心愿的居民本人可以这样做", alert=True))
        wishes.thank(ctx.session, wish, Actor(member=member, resident=resident), now=ctx.now)
        claimer = ctx.session.get(Member, wish.claimer_id) if wish.claimer_id else None
        text = texts.wish_change(facts.of_wish(ctx.session, wish), "thank", resident.display_name)
        if claimer is not None and claimer.chat_user_id and not claimer.unreachable:
            ctx.send(Outgoing(chat_id=claimer.chat_user_id, text=text, kind="notice", member_id=claimer.id,
                              ref=ref_of(wish)))
        return Reaction([_edit(press, text)], Answer("已转达你的感谢"))
    return Reaction(answer=Answer(texts.expired_question()))


def _poster_name(ctx: Context, wish: Wish) -> str:
    poster = poster_of(ctx, wish)
    return poster.display_name if poster else ""


def wall_buttons(items: list[Wish], limit: int = 6) -> list[list[Button]]:
    buttons = [Button(f"认领 {wishes.code(w)}", Action("w", "claim", w.id)) for w in items if w.status == W.posted][:limit]
    return [buttons[i:i + 3] for i in range(0, len(buttons), 3)]


def building_of(ctx: Context, wish: Wish) -> Building | None:
    return ctx.session.get(Building, wish.building_id) if wish.building_id else None
