"""Micro-wishes in the chat: posted from the group to the wall (and the grid's group), claimed by
any member with one tap, marked fulfilled by the claimer, thanked by the poster. What each step does
and who hears of it is decided in ``bot.wishes.flows``; here the chat becomes calls, and the
result becomes words and messages (``deliver``)."""

from __future__ import annotations

from bot import identities
from bot.members import permissions
from bot.wishes import flows
from bot.wishes import service as wishes
from bot.infra.errors import NotAllowed
from bot.issues.lifecycle import Actor
from models import Building, Resident, Wish, WishStatus

from . import facts, texts, understanding
from .context import Context, GroupBinding
from .router import Router
from bot.messages import Action, Button, Outgoing
from .types import Answer, Inbound, Press, Reaction

router = Router("wishes")
W = WishStatus


def ref_of(wish: Wish) -> str:
    return flows.ref_of(wish)


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
    """Post the wish (``bot.wishes.flows.post``): a reply in thread, and the card in the grid's
    other groups."""
    resident = ctx.resident(msg.user, group.community_id)
    where = understanding.resolve(ctx, group.community_id, place, group, draft.compound_id)
    building = where.building or understanding.building_in(ctx, group.community_id, resident.building_id)
    posted = flows.post(
        ctx.session, poster=resident, community_id=group.community_id, text=draft.text, now=ctx.now,
        category=draft.category, building=building, grid_id=group.grid_id,
        source_chat_id=msg.chat.id, source_message_id=draft.message_id,
    )
    wish = posted.wish
    for chat_id in posted.groups:
        ctx.send(Outgoing(chat_id=chat_id, text=texts.wish_card(facts.of_wish(ctx.session, wish), resident.display_name),
                          buttons=claim_buttons(wish), kind="notice", ref=ref_of(wish)))
    return Reaction([Outgoing(chat_id=msg.chat.id, text=texts.wish_recorded(facts.of_wish(ctx.session, wish)),
                              buttons=claim_buttons(wish), reply_to_message_id=draft.message_id,
                              kind="reply", ref=ref_of(wish))])


def _edit(press: Press, text: str, buttons=None, ref: str | None = None) -> Outgoing:
    return Outgoing(chat_id=press.chat.id, text=text, buttons=buttons or [], edit_message_id=press.message_id,
                    kind="card", ref=ref)


def refresh_cards(ctx: Context, wish: Wish, cards: list[flows.Card], skip: tuple[int, int] | None = None) -> None:
    """The cards the core named (group reply, grid group, wall) show the wish's state now."""
    name = _poster_name(ctx, wish)
    for card in cards:
        if (card.chat_id, card.message_id) == skip:
            continue
        ctx.send(Outgoing(chat_id=card.chat_id, text=texts.wish_card(facts.of_wish(ctx.session, wish), name),
                          buttons=claim_buttons(wish), edit_message_id=card.message_id, kind="card",
                          ref=ref_of(wish)))


def _poster_mention(ctx: Context, wish: Wish) -> str:
    poster = poster_of(ctx, wish)
    return _mention(ctx, poster)


def _poster_words(ctx: Context, changed: flows.WishChanged) -> tuple[str, list[list[Button]]]:
    wish = changed.wish
    change = texts.wish_change(facts.of_wish(ctx.session, wish), changed.event)
    if changed.event == "fulfil":
        return change + "\n" + texts.wish_poster_thanks_prompt(_poster_mention(ctx, wish)), thank_buttons(wish)
    return change, claim_buttons(wish)


def _claimer_words(ctx: Context, changed: flows.WishChanged) -> tuple[str, list[list[Button]], str]:
    wish = changed.wish
    if changed.event == "claim":
        return (texts.wish_claimed_by_you(wish, _poster_mention(ctx, wish)), claimer_buttons(wish),
                flows.claim_ref_of(wish))
    if changed.event == "reopen":
        return texts.wish_change(facts.of_wish(ctx.session, wish), "reopen"), claimer_buttons(wish), flows.claim_ref_of(wish)
    thanker = changed.actor.resident.display_name if changed.actor.resident else ""
    return texts.wish_change(facts.of_wish(ctx.session, wish), changed.event, thanker), [], ref_of(wish)


def deliver(ctx: Context, changed: flows.WishChanged, *, skip: tuple[int, int] | None = None) -> None:
    """The words and messages for what a wish transition decided (``bot.wishes.flows``): the
    earlier cards, the poster under the original message and privately, the claimer privately.
    ``skip``: the card the caller edits itself (the one pressed)."""
    wish = changed.wish
    refresh_cards(ctx, wish, changed.cards, skip=skip)
    if changed.group is not None or changed.poster is not None:
        text, buttons = _poster_words(ctx, changed)
        if changed.group is not None:
            chat_id, reply_to = changed.group
            ctx.send(Outgoing(chat_id=chat_id, text=text, buttons=buttons, reply_to_message_id=reply_to,
                              kind="notice", ref=ref_of(wish)))
        if changed.poster is not None:
            chat_id, member_id = changed.poster
            ctx.send(Outgoing(chat_id=chat_id, text=text, buttons=buttons, kind="notice", member_id=member_id,
                              ref=ref_of(wish)))
    if changed.claimer is not None:
        text, buttons, ref = _claimer_words(ctx, changed)
        chat_id, member_id = changed.claimer
        ctx.send(Outgoing(chat_id=chat_id, text=text, buttons=buttons, kind="notice", member_id=member_id,
                          ref=ref))


def _mention(ctx: Context, poster: Resident | None) -> str:
    if poster is None:
        return texts.mention(None, "")
    return texts.mention(identities.account(ctx.session, poster.account_id), poster.display_name)


@router.button("w")
def wish_button(ctx: Context, press: Press, action: Action) -> Reaction:
    wish = wishes.get(ctx.session, action.id)
    member = ctx.member(press.user)
    verb = action.verb
    pressed = (press.chat.id, press.message_id)
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
        deliver(ctx, flows.claim(ctx.session, wish, member, now=ctx.now), skip=pressed)
        return Reaction([_edit(press, texts.wish_card(facts.of_wish(ctx.session, wish), _poster_name(ctx, wish)), ref=ref_of(wish))],
                        Answer("认领成功，谢谢你！"))
    if verb in ("done", "release"):
        if member is None:
            raise NotAllowed("只有认领人可以这样做")
        if verb == "done":
            deliver(ctx, flows.fulfil(ctx.session, wish, member, now=ctx.now), skip=pressed)
            answer = "辛苦了！居民点「谢谢」后（或3天内没有异议）记积分"
        else:
            deliver(ctx, flows.release(ctx.session, wish, member, now=ctx.now), skip=pressed)
            answer = "已放弃认领"
        return Reaction([_edit(press, texts.wish_card(facts.of_wish(ctx.session, wish), _poster_name(ctx, wish)))], Answer(answer))
    if verb in ("undone", "thank"):
        resident = ctx.known_resident(press.user)  # a stranger's press makes no resident of them
        if resident is None or resident.id != wish.poster_id:
            return Reaction(answer=Answer("只有发布心愿的居民本人可以这样做", alert=True))
        actor = Actor(member=member, resident=resident)
        if verb == "undone":
            deliver(ctx, flows.reopen(ctx.session, wish, actor, now=ctx.now))
            text, answer = texts.wish_change(facts.of_wish(ctx.session, wish), "reopen"), "已退回给认领人，实现后会再通知你"
        else:
            deliver(ctx, flows.thank(ctx.session, wish, actor, now=ctx.now))
            text, answer = texts.wish_change(facts.of_wish(ctx.session, wish), "thank", resident.display_name), "已转达你的感谢"
        return Reaction([_edit(press, text)], Answer(answer))
    return Reaction(answer=Answer(texts.expired_question()))


def _poster_name(ctx: Context, wish: Wish) -> str:
    poster = poster_of(ctx, wish)
    return poster.display_name if poster else ""


def wall_buttons(items: list[Wish], limit: int = 6) -> list[list[Button]]:
    buttons = [Button(f"认领 {wishes.code(w)}", Action("w", "claim", w.id)) for w in items if w.status == W.posted][:limit]
    return [buttons[i:i + 3] for i in range(0, len(buttons), 3)]


def building_of(ctx: Context, wish: Wish) -> Building | None:
    return ctx.session.get(Building, wish.building_id) if wish.building_id else None
