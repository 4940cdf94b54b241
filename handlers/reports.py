"""Issue reports in the chat: what residents write in a bound group becomes a numbered report,
the people routing names get a card with buttons, and every change comes back to the group.

Flow of a group message: chatter → silence; a confident issue → filed, replied to in thread,
alerts sent; a wish → ``handlers.wishes``; not sure → one question (是问题 / 是心愿 / 不用管);
no building where routing needs one → 「在哪栋楼？」 (a pending question answered by the next
message); the same open issue reported again → 附议 offered instead of a new number.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from sqlmodel import select

from bot import groups, issues, permissions, places
from bot.errors import DomainError, NotAllowed
from bot.lifecycle import Actor
from bot.members import service as members
from bot.routing import RouteStop, route
from models import (
    ISSUE_OPEN,
    Building,
    Compound,
    Issue,
    IssueCategory,
    IssueFollower,
    IssueStatus,
    Member,
    MemberStatus,
    OutboxMessage,
    PendingQuestion,
    Resident,
    Role,
)

from . import texts, understanding
from .context import Context, GroupBinding
from .conversation import ask, payload_of, reply
from .router import Router
from .types import Action, Answer, Button, Inbound, Outgoing, Press, Reaction

router = Router("reports")

S = IssueStatus
CANCEL_WORDS = {"取消", "算了", "不用了", "不用", "不记了", "不用记了", "/cancel"}
SKIP_WORDS = {"跳过", "不用", "无", "没有", "skip"}
MIN_TEXT = 4  # shorter messages (「好的」「哈哈」) are never reports
HUSH_MINUTES = 10  # after 「不用管」 the writer is not asked again for this long


# --- what we know about a report before it is filed ---------------------------------------------


@dataclass
class Draft:
    text: str
    message_id: int  # the resident's message: the report's source, replies go under it
    intent: str = "issue"  # issue | wish
    category: str = "other"
    urgent: bool = False
    building_id: int | None = None
    unit: str = ""
    room: str = ""
    compound_id: int | None = None
    choices: list[int] = field(default_factory=list)
    dup_of: int | None = None

    def to_payload(self) -> dict:
        return asdict(self)

    @classmethod
    def from_payload(cls, data: dict) -> Draft:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


def draft_of(msg: Inbound, text: str, parsed, intent: str) -> Draft:
    from models import WishCategory

    known = WishCategory.__members__ if intent == "wish" else IssueCategory.__members__
    category = parsed.category if parsed.category in known else "other"
    return Draft(text=text, message_id=msg.message_id, intent=intent, category=category,
                 urgent=bool(parsed.urgent), unit=parsed.place.unit or "", room=parsed.place.room or "")


def as_message(press: Press, draft: Draft) -> Inbound:
    """The resident's original message, for continuing after they tapped a button."""
    return Inbound(chat=press.chat, user=press.user, message_id=draft.message_id, text=draft.text, at=press.at)


# --- buttons -----------------------------------------------------------------------------------


def resident_buttons(issue: Issue) -> list[list[Button]]:
    if issue.status not in ISSUE_OPEN:
        return [[Button("进度", Action("q", "progress", issue.id))]]
    return [[Button("附议 +1", Action("q", "support", issue.id)), Button("进度", Action("q", "progress", issue.id))]]


_HANDLER_VERBS: dict[str, tuple[str, ...]] = {
    S.reported: ("accept", "claim", "reassign", "reject"),
    S.accepted: ("claim", "resolve", "reassign", "reject"),
    S.claimed: ("resolve", "reassign"),
    S.reopened: ("claim", "resolve", "reassign"),
}
_VERB_ZH = {"accept": "受理", "claim": "领办", "resolve": "已解决", "reassign": "转派", "reject": "驳回"}


def handler_buttons(issue: Issue) -> list[list[Button]]:
    verbs = _HANDLER_VERBS.get(issue.status, ())
    buttons = [Button(_VERB_ZH[v], Action("q", v, issue.id)) for v in verbs]
    return [buttons[i:i + 3] for i in range(0, len(buttons), 3)] if buttons else []


def confirm_buttons(issue: Issue) -> list[list[Button]]:
    return [[Button("已修复", Action("q", "fixed", issue.id)), Button("仍未修复", Action("q", "notfixed", issue.id))]]


# --- who is acting -------------------------------------------------------------------------------


def member_actor(ctx: Context, member: Member) -> Actor:
    return Actor(member=member, resident=members.resident_for_member(ctx.session, member, now=ctx.now))


def reporter_of(ctx: Context, issue: Issue) -> Resident | None:
    return ctx.session.get(Resident, issue.reporter_id)


def ref_of(issue: Issue) -> str:
    return f"issue:{issue.id}"


def is_group_chat(ctx: Context, chat_id: int) -> bool:
    return ctx.group(_chat(chat_id)) is not None


# --- the group text flow ------------------------------------------------------------------------


def _parsed(ctx: Context, text: str, community_id: int):
    key = ("parsed", community_id, text)
    if key not in ctx._cache:
        ctx._cache[key] = understanding.parse(ctx, text, community_id)
    return ctx._cache[key]


@router.silent()
def is_chatter(ctx: Context, msg: Inbound) -> bool:
    """Short talk, and what the parser is confident is chatter, needs nothing."""
    text = msg.text.strip()
    if len(text) < MIN_TEXT:
        return True
    parsed = _parsed(ctx, text, ctx.group(msg.chat).community_id)
    return parsed.intent == "chatter" and not parsed.urgent and parsed.confidence >= ctx.settings.nlu_confidence


@router.text()
def group_text(ctx: Context, msg: Inbound) -> Reaction | None:
    if msg.chat.is_private:
        return None
    group = ctx.group(msg.chat)
    if group is None:
        return Reaction()
    text = msg.text.strip()
    if len(text) < MIN_TEXT:
        return Reaction()
    return consider(ctx, msg, group, text, _parsed(ctx, text, group.community_id))


def consider(ctx: Context, msg: Inbound, group: GroupBinding, text: str, parsed) -> Reaction:
    sure = parsed.confidence >= ctx.settings.nlu_confidence
    if parsed.urgent and parsed.intent != "wish":
        return proceed_issue(ctx, msg, group, draft_of(msg, text, parsed, "issue"), parsed.place)
    if parsed.intent == "chatter" and sure:
        return Reaction()
    if parsed.intent in ("issue", "wish") and sure:
        draft = draft_of(msg, text, parsed, parsed.intent)
        if draft.intent == "wish":
            from .wishes import file_wish

            return file_wish(ctx, msg, group, draft, parsed.place)
        return proceed_issue(ctx, msg, group, draft, parsed.place)
    # not sure: ask once, with buttons; only the writer may answer. Not again while that question
    # is open, nor for a while after 「不用管」: a busy group is not to be quizzed.
    waiting = None
    if ctx.may_be_waiting(msg.chat.id, msg.user.id):
        waiting = ctx.session.exec(select(PendingQuestion.kind).where(
            PendingQuestion.chat_id == msg.chat.id, PendingQuestion.user_id == msg.user.id,
            PendingQuestion.expires_at > ctx.now)).first()
    if waiting in ("intent", "hush"):
        return Reaction()
    draft = draft_of(msg, text, parsed, parsed.intent if parsed.intent in ("issue", "wish") else "issue")
    payload = draft.to_payload()
    payload["place"] = _place_dict(parsed.place)
    question = ask(ctx, msg, "intent", payload)
    return reply(msg, texts.ask_intent(), buttons=[[
        Button("是问题", Action("ask", "issue", question.id)),
        Button("是心愿", Action("ask", "wish", question.id)),
        Button("不用管", Action("ask", "skip", question.id)),
    ]])


def _place_dict(place) -> dict:
    return {k: getattr(place, k, "") for k in ("compound", "building", "unit", "floor", "room")}


class _Place:
    """A parser ``Place`` rebuilt from a question's payload."""

    def __init__(self, data: dict | None) -> None:
        data = data or {}
        self.compound = data.get("compound", "")
        self.building = data.get("building", "")
        self.unit = data.get("unit", "")
        self.floor = data.get("floor", "")
        self.room = data.get("room", "")


def proceed_issue(ctx: Context, msg: Inbound, group: GroupBinding, draft: Draft, place, *,
                  where: understanding.Where | None = None) -> Reaction:
    """File the report, or ask what is missing first (never when it is urgent)."""
    if where is None:
        where = understanding.resolve(ctx, group.community_id, place, group, draft.compound_id)
    draft.unit = where.unit or draft.unit
    draft.room = where.room or draft.room
    draft.compound_id = where.compound_id
    building = where.building
    if building is None and not draft.urgent:
        if where.ambiguous:
            return ask_which(ctx, msg, draft, where.choices)
        if group.grid_id is None or where.unknown:
            return ask_where(ctx, msg, draft, where.said)
    if not draft.urgent:
        offer = offer_duplicate(ctx, msg, group, draft, building)
        if offer is not None:
            return offer
    return file_issue(ctx, msg, group, draft, building)


def ask_where(ctx: Context, msg: Inbound, draft: Draft, unknown: str = "") -> Reaction:
    ask(ctx, msg, "place", draft.to_payload())
    return reply(msg, texts.ask_place(unknown))


def ask_which(ctx: Context, msg: Inbound, draft: Draft, choices: list[Building]) -> Reaction:
    draft.choices = [b.id for b in choices]
    question = ask(ctx, msg, "place", draft.to_payload())
    labels = [places.building_label(ctx.session, b) for b in choices[:6]]
    buttons = [Button(label, Action("ask", "bld", question.id, str(b.id))) for label, b in zip(labels, choices)]
    return reply(msg, texts.ask_which(labels), buttons=[buttons[i:i + 3] for i in range(0, len(buttons), 3)])


def file_issue(ctx: Context, msg: Inbound, group: GroupBinding, draft: Draft, building: Building | None) -> Reaction:
    issue, card = _file(ctx, msg, group, draft, building)
    return Reaction([card])


def _file(ctx: Context, msg: Inbound, group: GroupBinding, draft: Draft,
          building: Building | None) -> tuple[Issue, Outgoing]:
    resident = ctx.resident(msg.user, group.community_id)
    issue = issues.report(
        ctx.session, reporter=resident, community_id=group.community_id, text=draft.text, now=ctx.now,
        category=draft.category, urgent=draft.urgent, building=building,
        grid_id=group.grid_id if building is None else None, unit=draft.unit, room=draft.room,
        source_chat_id=msg.chat.id, source_message_id=draft.message_id,
    )
    stops = route_of(ctx, issue)
    alert(ctx, issue, stops)
    return issue, Outgoing(
        chat_id=msg.chat.id, text=texts.issue_recorded(ctx.session, issue, stops, later=alert_time(ctx, issue),
                                                      tz=ctx.tz),
        buttons=resident_buttons(issue), reply_to_message_id=draft.message_id,
        kind="reply", ref=ref_of(issue),
    )


def route_of(ctx: Context, issue: Issue) -> list[RouteStop]:
    return route(ctx.session, community_id=issue.community_id, category=issue.category, urgent=issue.urgent,
                 grid_id=issue.grid_id, building_id=issue.building_id)


# --- duplicates --------------------------------------------------------------------------------


def find_duplicate(ctx: Context, community_id: int, draft: Draft, building: Building | None,
                   grid_id: int | None) -> Issue | None:
    """The newest open issue of the same building (or grid) that says the same thing."""
    from datetime import timedelta

    since = ctx.now - timedelta(days=ctx.settings.duplicate_window_days)
    query = select(Issue).where(Issue.community_id == community_id, Issue.status.in_(ISSUE_OPEN),
                                Issue.created_at >= since)
    if building is not None:
        query = query.where(Issue.building_id == building.id)
    elif grid_id is not None:
        query = query.where(Issue.grid_id == grid_id)
    else:
        return None
    candidates = ctx.session.exec(query.order_by(Issue.id.desc()).limit(10)).all()
    if not candidates:
        return None
    new = _parsed(ctx, draft.text, community_id)
    gaz = understanding.gazetteer_for(ctx, community_id)
    for candidate, parsed in zip(candidates, understanding.parsed_issues(ctx, community_id, candidates)):
        if understanding.same_issue(new, parsed, gaz).same:
            return candidate
    return None


def offer_duplicate(ctx: Context, msg: Inbound, group: GroupBinding, draft: Draft,
                    building: Building | None) -> Reaction | None:
    grid_id = building.grid_id if building is not None else group.grid_id
    existing = find_duplicate(ctx, group.community_id, draft, building, grid_id)
    if existing is None:
        return None
    resident = ctx.resident(msg.user, group.community_id)
    following = ctx.session.exec(select(IssueFollower.id).where(
        IssueFollower.issue_id == existing.id, IssueFollower.resident_id == resident.id)).first()
    if following:
        return reply(msg, texts.already_reported(ctx.session, existing),
                     buttons=[[Button("进度", Action("q", "progress", existing.id))]])
    draft.building_id = building.id if building is not None else None
    draft.dup_of = existing.id
    question = ask(ctx, msg, "dup", draft.to_payload())
    return reply(msg, texts.duplicate_offer(ctx.session, existing), buttons=[[
        Button("附议 +1", Action("q", "support", existing.id, "d")),
        Button("不是同一件事", Action("ask", "separate", question.id)),
    ]])


# --- answers to the bot's questions ---------------------------------------------------------------


def close(ctx: Context, question: PendingQuestion) -> None:
    ctx.session.delete(question)
    ctx.session.flush()


def _intent_next(ctx: Context, msg: Inbound, question: PendingQuestion) -> Reaction | None:
    return None  # answered with buttons; the next message is a message of its own


router.pending("intent")(_intent_next)
router.pending("hush")(_intent_next)


def _dup_expired(ctx: Context, question: PendingQuestion) -> None:
    """Nobody tapped: they reported the same thing, so they follow the existing issue."""
    draft = Draft.from_payload(payload_of(question))
    resident = members.get_or_create_resident(ctx.session, question.user_id, now=ctx.now)
    if draft.dup_of is None:
        return
    try:
        with ctx.session.begin_nested():
            issues.support(ctx.session, issues.get(ctx.session, draft.dup_of), resident, now=ctx.now)
    except DomainError:
        pass


router.pending("dup", expire=_dup_expired)(_intent_next)


def _place_expired(ctx: Context, question: PendingQuestion) -> None:
    """No answer: file it anyway, without a building, for the community to place."""
    group = groups.get(ctx.session, question.chat_id)
    if group is None:
        return
    draft = Draft.from_payload(payload_of(question))
    user = _user_of(ctx, question.user_id)
    msg = Inbound(chat=_chat(question.chat_id), user=user, message_id=draft.message_id, text=draft.text, at=ctx.now)
    issue, card = _file(ctx, msg, group, draft, None)
    card.text = texts.filed_without_place(issues.code(issue))
    ctx.send(card)


def _user_of(ctx: Context, user_id: int):
    from .types import User

    resident = ctx.session.exec(select(Resident).where(Resident.chat_user_id == user_id)).first()
    return User(user_id, resident.display_name if resident else "")


def _chat(chat_id: int):
    from .types import Chat

    return Chat(chat_id, "group")


@router.pending("place", expire=_place_expired)
def place_answer(ctx: Context, msg: Inbound, question: PendingQuestion) -> Reaction | None:
    group = ctx.group(msg.chat)
    if group is None:
        close(ctx, question)
        return None
    text = msg.text.strip()
    if text in CANCEL_WORDS:
        close(ctx, question)
        return reply(msg, texts.dropped())
    draft = Draft.from_payload(payload_of(question))
    parsed = _parsed(ctx, text, group.community_id) if text else None
    place = parsed.place if parsed is not None else _Place(None)
    if parsed is not None and not msg.reply_to_bot and parsed.intent in ("issue", "wish") and (
        parsed.urgent or parsed.confidence >= ctx.settings.nlu_confidence
    ):
        # a report of its own: handled as new (this question waits or runs out), unless it
        # only says the first one again with its place (「5栋，灯坏了」)
        if not place.building or not understanding.same_issue(
            _parsed(ctx, draft.text, group.community_id), parsed, understanding.gazetteer_for(ctx, group.community_id)
        ).same:
            return None
    if draft.choices and not place.building and place.compound:
        # 「阳光花园」 answering 「是哪一个？」
        compound_id = understanding.compound_id_of(ctx.session, group.community_id, place.compound)
        picked = [b for b in (ctx.session.get(Building, i) for i in draft.choices) if b and b.compound_id == compound_id]
        if len(picked) == 1:
            close(ctx, question)
            return proceed_issue(ctx, msg, group, draft, None,
                                 where=understanding.Where(building=picked[0], unit=draft.unit, room=draft.room))
    if place.building:
        where = understanding.resolve(ctx, group.community_id, place, group, draft.compound_id)
        if where.found or where.ambiguous:
            close(ctx, question)
            where.unit = where.unit or draft.unit
            where.room = where.room or draft.room
            return proceed_issue(ctx, msg, group, draft, None, where=where)
        return reply(msg, texts.ask_place(where.said))  # no such building: keep asking
    if msg.reply_to_bot:
        return reply(msg, texts.place_not_understood())
    return Reaction()  # something else said meanwhile; the question stays


@router.button("ask")
def question_button(ctx: Context, press: Press, action: Action) -> Reaction:
    question = ctx.session.get(PendingQuestion, action.id)
    if question is None or question.chat_id != press.chat.id:
        return Reaction(answer=Answer(texts.expired_question()), outgoing=[_done(press, texts.expired_question())])
    if question.user_id != press.user.id:
        return Reaction(answer=Answer(texts.only_writer(), alert=True))
    if question.expires_at is not None and question.expires_at <= ctx.now:
        ctx.conversation.expire(ctx, question)
        return Reaction(answer=Answer(texts.expired_question()), outgoing=[_done(press, texts.expired_question())])
    group = ctx.group(press.chat)
    draft = Draft.from_payload(payload_of(question))
    msg = as_message(press, draft)
    verb = action.verb
    if group is None:
        close(ctx, question)
        return Reaction(answer=Answer())
    if verb == "skip":
        ask(ctx, press, "hush", {}, minutes=HUSH_MINUTES)  # replaces the question
        return Reaction(answer=Answer("好的"), outgoing=[_done(press, "好的，不用管。")])
    if verb in ("issue", "wish"):
        close(ctx, question)
        place = _Place(payload_of(question).get("place"))
        draft.intent = verb
        if verb == "wish":
            from .wishes import file_wish

            draft.category = draft.category if draft.category in _wish_categories() else "other"
            reaction = file_wish(ctx, msg, group, draft, place)
        else:
            draft.category = draft.category if draft.category in IssueCategory.__members__ else "other"
            reaction = proceed_issue(ctx, msg, group, draft, place)
        reaction.outgoing.insert(0, _done(press, "好的，按问题记录。" if verb == "issue" else "好的，按心愿记录。"))
        reaction.answer = Answer("好的")
        return reaction
    if verb == "separate":
        close(ctx, question)
        building = ctx.session.get(Building, draft.building_id) if draft.building_id else None
        reaction = file_issue(ctx, msg, group, draft, building)
        reaction.outgoing.insert(0, _done(press, "好的，单独记录。"))
        reaction.answer = Answer("好的")
        return reaction
    if verb == "bld":
        building = ctx.session.get(Building, int(action.arg)) if action.arg.isdigit() else None
        if building is None or building.id not in draft.choices:
            return Reaction(answer=Answer(texts.expired_question()))
        close(ctx, question)
        label = texts.esc(places.building_label(ctx.session, building))
        reaction = proceed_issue(ctx, msg, group, draft, None,
                                 where=understanding.Where(building=building, unit=draft.unit, room=draft.room))
        reaction.outgoing.insert(0, _done(press, f"好的，{label}。"))
        reaction.answer = Answer("好的")
        return reaction
    return Reaction(answer=Answer(texts.expired_question()))


def _wish_categories():
    from models import WishCategory

    return WishCategory.__members__


def _done(press: Press, text: str) -> Outgoing:
    """Replace the message the button was under (its buttons go); under a photo (the resolution
    photo) its caption is what changes."""
    return Outgoing(chat_id=press.chat.id, text=text, edit_message_id=press.message_id, kind="card",
                    photo=press.message_photo)


# --- alerts and announcements ------------------------------------------------------------------


def alert(ctx: Context, issue: Issue, stops: list[RouteStop], *, note: str = "") -> None:
    """A private card for everyone routing names; who has no chat account is named in the grid's
    group (never their phone)."""
    reporter = reporter_of(ctx, issue)
    name = reporter.display_name if reporter else ""
    card = texts.issue_card(ctx.session, issue, reporter_name=name, stops=stops, note=note)
    buttons = handler_buttons(issue)
    later = alert_time(ctx, issue)
    unreached: list[Member] = []
    for stop in stops:
        member = stop.member
        if member.chat_user_id:
            ctx.send(Outgoing(chat_id=member.chat_user_id, text=card, buttons=buttons, kind="alert",
                              member_id=member.id, ref=ref_of(issue), not_before=later))
        else:
            unreached.append(member)
    if unreached:
        mention_in_group(ctx, issue, unreached, note=note)


def alert_time(ctx: Context, issue: Issue):
    """None (now), or the end of quiet hours for a report that is not urgent: a broken lamp
    reported at 23:00 reaches the building head at 07:00; a fire, at once."""
    if issue.urgent:
        return None
    from bot.escalation import quiet_until

    return quiet_until(ctx.now, ctx.settings)


def mention_in_group(ctx: Context, issue: Issue, people: list[Member], *, note: str = "") -> None:
    chats = [g.chat_id for g in groups.of_grid(ctx.session, issue.grid_id)] if issue.grid_id else []
    if not chats and issue.source_chat_id:
        chats = [issue.source_chat_id]
    reporter = reporter_of(ctx, issue)
    card = texts.issue_card(ctx.session, issue, reporter_name=reporter.display_name if reporter else "",
                            note=note, public=True)
    names = [texts.who(m) for m in people]
    for chat_id in chats:
        ctx.send(Outgoing(chat_id=chat_id, text=texts.mention_alert(names) + "\n" + card,
                          buttons=handler_buttons(issue), kind="alert", member_id=people[0].id,
                          ref=ref_of(issue)))


def tell_member(ctx: Context, issue: Issue, member: Member, note: str) -> None:
    """One member hears of the issue with its card and buttons (reassigned to them, reopened)."""
    if member.chat_user_id and not member.unreachable:
        reporter = reporter_of(ctx, issue)
        card = texts.issue_card(ctx.session, issue, reporter_name=reporter.display_name if reporter else "",
                                note=note)
        ctx.send(Outgoing(chat_id=member.chat_user_id, text=card, buttons=handler_buttons(issue),
                          kind="alert", member_id=member.id, ref=ref_of(issue)))
    else:
        mention_in_group(ctx, issue, [member], note=note)


def refresh_cards(ctx: Context, issue: Issue, *, skip: tuple[int, int] | None = None) -> None:
    """Every card of this issue already sent (the group reply, each member's alert) is edited to
    show its state now and the buttons that apply."""
    rows = ctx.session.exec(select(OutboxMessage.chat_id, OutboxMessage.sent_message_id, OutboxMessage.kind).where(
        OutboxMessage.ref == ref_of(issue), OutboxMessage.kind.in_(("alert", "reply")),
        OutboxMessage.sent_message_id.is_not(None), OutboxMessage.edit_message_id.is_(None),
    )).all()
    if not rows:
        return
    reporter = reporter_of(ctx, issue)
    name = reporter.display_name if reporter else ""
    seen = set()
    for chat_id, message_id, kind in rows:
        if (chat_id, message_id) == skip or (chat_id, message_id) in seen:
            continue
        seen.add((chat_id, message_id))
        if kind == "reply":
            text, buttons = texts.issue_recorded(ctx.session, issue, route_of(ctx, issue)), resident_buttons(issue)
        else:
            public = is_group_chat(ctx, chat_id)
            text = texts.issue_card(ctx.session, issue, reporter_name=name, public=public)
            buttons = handler_buttons(issue)
        ctx.send(Outgoing(chat_id=chat_id, text=text, buttons=buttons, edit_message_id=message_id,
                          kind="card", ref=ref_of(issue)))


def announce(ctx: Context, issue: Issue, change: str, *, actor_user: int | None = None,
             group_text: str | None = None, group_buttons=None, photo: str | None = None,
             in_group: bool = True, reporter_buttons=None, private_change: str | None = None) -> None:
    """A change reaches the reporter and everyone who joined: a reply under the original report in
    its group, and a private note to each follower who is a member with a chat account."""
    if in_group and issue.source_chat_id:
        ctx.send(Outgoing(chat_id=issue.source_chat_id, text=group_text or change, buttons=group_buttons or [],
                          reply_to_message_id=issue.source_message_id, photo=photo, kind="notice",
                          ref=ref_of(issue)))
    rows = ctx.session.exec(
        select(IssueFollower.kind, Resident.chat_user_id, Member.id).join(
            Resident, Resident.id == IssueFollower.resident_id
        ).join(Member, Member.id == Resident.member_id).where(
            IssueFollower.issue_id == issue.id, Member.chat_user_id.is_not(None), Member.unreachable.is_(False),
        )
    ).all()
    for kind, chat_user_id, member_id in rows:
        if chat_user_id is None or chat_user_id == actor_user:
            continue
        buttons = reporter_buttons if kind == "reporter" and reporter_buttons else []
        ctx.send(Outgoing(chat_id=chat_user_id, text=texts.follower_note(private_change or change),
                          buttons=buttons, kind="notice", member_id=member_id, ref=ref_of(issue)))


# --- buttons under issues ---------------------------------------------------------------------------

_CHECKS = {
    "accept": permissions.may_handle,
    "reject": permissions.may_handle,
    "claim": permissions.may_claim,
    "resolve": permissions.may_resolve,
    "reassign": permissions.may_reassign,
    "to": permissions.may_reassign,
    "back": permissions.may_reassign,
}


@router.button("q")
def issue_button(ctx: Context, press: Press, action: Action) -> Reaction:
    issue = issues.get(ctx.session, action.id)
    verb = action.verb
    if verb == "progress":
        return Reaction(answer=Answer(texts.issue_progress(ctx.session, issue), alert=True))
    if verb == "support":
        return support(ctx, press, issue, action)
    if verb in ("fixed", "notfixed"):
        return reporter_answer(ctx, press, issue, verb)
    if verb not in _CHECKS:
        return Reaction(answer=Answer(texts.expired_question()))
    member = ctx.member(press.user)
    problem = _CHECKS[verb](member, issue)
    if problem:
        return Reaction(answer=Answer(problem, alert=True))
    wanted = "reassign" if verb in ("to", "back") else verb
    if wanted not in _HANDLER_VERBS.get(issue.status, ()):
        # someone else was quicker, or the card is old: show how things stand now
        return Reaction(
            answer=Answer(f"{issues.code(issue)} 当前「{texts.status(issue)}」", alert=True),
            outgoing=[_card_edit(ctx, press, issue)],
        )
    return _MEMBER_VERBS[verb](ctx, press, issue, member, action)


def _card_edit(ctx: Context, press: Press, issue: Issue, note: str = "") -> Outgoing:
    reporter = reporter_of(ctx, issue)
    text = texts.issue_card(ctx.session, issue, reporter_name=reporter.display_name if reporter else "",
                            note=note, public=not press.chat.is_private)
    return Outgoing(chat_id=press.chat.id, text=text, buttons=handler_buttons(issue),
                    edit_message_id=press.message_id, kind="card", ref=ref_of(issue))


def _after_change(ctx: Context, press: Press, issue: Issue, change: str, answer: str, **announce_kw) -> Reaction:
    refresh_cards(ctx, issue, skip=(press.chat.id, press.message_id))
    announce(ctx, issue, change, actor_user=press.user.id, **announce_kw)
    return Reaction([_card_edit(ctx, press, issue)], Answer(answer))


def _accept(ctx, press, issue, member, action) -> Reaction:
    issues.accept(ctx.session, issue, member_actor(ctx, member), now=ctx.now)
    change = texts.issue_change(ctx.session, issue, "accept", member)
    return _after_change(ctx, press, issue, change, "已受理")


def _claim(ctx, press, issue, member, action) -> Reaction:
    issues.claim(ctx.session, issue, member_actor(ctx, member), now=ctx.now)
    change = texts.issue_change(ctx.session, issue, "claim", member)
    return _after_change(ctx, press, issue, change, "已领办，交给你了")


def _resolve(ctx, press, issue, member, action) -> Reaction:
    ask(ctx, press, "resolve", {"issue": issue.id, "chat": press.chat.id, "message": press.message_id})
    return Reaction(
        [Outgoing(chat_id=press.chat.id, text=texts.ask_resolve_note(issues.code(issue)),
                  reply_to_message_id=press.message_id, kind="reply")],
        Answer("请发处理说明或照片"),
    )


def _reject(ctx, press, issue, member, action) -> Reaction:
    ask(ctx, press, "reject", {"issue": issue.id, "chat": press.chat.id, "message": press.message_id})
    return Reaction(
        [Outgoing(chat_id=press.chat.id, text=texts.ask_reject_reason(issues.code(issue)),
                  reply_to_message_id=press.message_id, kind="reply")],
        Answer("请写驳回理由"),
    )


def reassign_candidates(ctx: Context, issue: Issue, exclude: set[int]) -> list[Member]:
    found = ctx.session.exec(select(Member).where(
        Member.community_id == issue.community_id, Member.status == MemberStatus.active,
        Member.role != Role.volunteer,
    )).all()

    def rank(m: Member) -> tuple:
        if m.role == Role.building_head:
            order = 0 if m.building_id == issue.building_id else 9
        elif m.is_grid_manager:
            order = 1 if m.grid_id == issue.grid_id else 9
        elif m.role == Role.community_worker and not m.is_office_admin:
            order = 2 if m.grid_id in (issue.grid_id, None) else 9
        elif m.is_mediator:
            order = 3
        elif m.role == Role.unit_cadre:
            order = 4 if m.grid_id in (issue.grid_id, None) else 9
        elif m.is_office_admin:
            order = 5
        else:
            order = 6
        return (order, m.id)

    ok = [m for m in found if m.id not in exclude and permissions.may_claim(m, issue) is None]
    ok = [m for m in ok if rank(m)[0] < 9]
    return sorted(ok, key=rank)[:8]


def _reassign(ctx, press, issue, member, action) -> Reaction:
    people = reassign_candidates(ctx, issue, {member.id, issue.handler_id or 0})
    if not people:
        return Reaction(answer=Answer("没有可以转派的人", alert=True))
    buttons = [Button(f"{m.name}·{texts.role_label(m)}", Action("q", "to", issue.id, str(m.id))) for m in people]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([Button("返回", Action("q", "back", issue.id))])
    edit = _card_edit(ctx, press, issue, note=texts.reassign_prompt())
    edit.buttons = rows
    return Reaction([edit], Answer("选一位"))


def _back(ctx, press, issue, member, action) -> Reaction:
    return Reaction([_card_edit(ctx, press, issue)], Answer())


def _to(ctx, press, issue, member, action) -> Reaction:
    target = ctx.session.get(Member, int(action.arg)) if action.arg.isdigit() else None
    if target is None or target.community_id != issue.community_id:
        return Reaction(answer=Answer("没有找到这位红管家", alert=True))
    issues.reassign(ctx.session, issue, member_actor(ctx, member), to=target, now=ctx.now)
    tell_member(ctx, issue, target, texts.reassigned_to_you(issues.code(issue), member))
    change = texts.issue_change(ctx.session, issue, "reassign", member)
    return _after_change(ctx, press, issue, change, f"已转派给 {target.name}")


_MEMBER_VERBS = {
    "accept": _accept, "claim": _claim, "resolve": _resolve, "reject": _reject,
    "reassign": _reassign, "to": _to, "back": _back,
}


def _card_from(payload: dict) -> tuple[int | None, int | None]:
    return payload.get("chat"), payload.get("message")


def _edit_card(ctx: Context, issue: Issue, chat_id: int | None, message_id: int | None) -> list[Outgoing]:
    if not chat_id or not message_id:
        return []
    reporter = reporter_of(ctx, issue)
    text = texts.issue_card(ctx.session, issue, reporter_name=reporter.display_name if reporter else "",
                            public=is_group_chat(ctx, chat_id))
    return [Outgoing(chat_id=chat_id, text=text, buttons=handler_buttons(issue), edit_message_id=message_id,
                     kind="card", ref=ref_of(issue))]


def do_resolve(ctx: Context, issue: Issue, member: Member, note: str, photo: str | None,
               card: tuple[int | None, int | None], actor_user: int | None) -> list[Outgoing]:
    issues.resolve(ctx.session, issue, member_actor(ctx, member), now=ctx.now, note=note, photo=photo)
    refresh_cards(ctx, issue, skip=card)
    change = texts.issue_change(ctx.session, issue, "resolve", member, note)
    private = texts.issue_change(ctx.session, issue, "resolve", member, note, public=False)
    reporter = reporter_of(ctx, issue)
    ask_line = texts.ask_fixed(texts.mention(reporter.chat_user_id if reporter else None,
                                             reporter.display_name if reporter else "反映人"))
    announce(ctx, issue, change, actor_user=actor_user, group_text=f"{change}\n{ask_line}",
             group_buttons=confirm_buttons(issue), photo=photo, reporter_buttons=confirm_buttons(issue),
             private_change=private)
    return _edit_card(ctx, issue, *card)


@router.pending("resolve", expire=lambda ctx, q: _resolve_expired(ctx, q))
def resolve_note(ctx: Context, msg: Inbound, question: PendingQuestion) -> Reaction:
    payload = payload_of(question)
    close(ctx, question)
    text = msg.text.strip()
    if text in CANCEL_WORDS:
        return reply(msg, texts.cancelled())
    issue = issues.get(ctx.session, payload["issue"])
    member = ctx.member(msg.user)
    note = "" if text in SKIP_WORDS else text
    edits = do_resolve(ctx, issue, member, note, msg.photo_file_id, _card_from(payload), msg.user.id)
    return Reaction([*edits, Outgoing(chat_id=msg.chat.id, text=texts.resolved_by_you(issues.code(issue)),
                                      reply_to_message_id=msg.message_id, kind="reply")])


def _resolve_expired(ctx: Context, question: PendingQuestion) -> None:
    """They tapped 已解决 and wrote nothing more: resolved without a note."""
    payload = payload_of(question)
    member = members.find_by_chat_user(ctx.session, question.user_id)
    if member is None:
        return
    try:
        with ctx.session.begin_nested():
            issue = issues.get(ctx.session, payload["issue"])
            ctx.send(*do_resolve(ctx, issue, member, "", None, _card_from(payload), question.user_id))
    except DomainError:
        pass


@router.pending("reject")
def reject_reason(ctx: Context, msg: Inbound, question: PendingQuestion) -> Reaction:
    payload = payload_of(question)
    text = msg.text.strip()
    if text in CANCEL_WORDS:
        close(ctx, question)
        return reply(msg, texts.cancelled())
    if not text:
        return reply(msg, texts.ask_reject_reason(issues.code(payload["issue"])))
    close(ctx, question)
    issue = issues.get(ctx.session, payload["issue"])
    member = ctx.member(msg.user)
    issues.reject(ctx.session, issue, member_actor(ctx, member), reason=text, now=ctx.now)
    card = _card_from(payload)
    refresh_cards(ctx, issue, skip=card)
    announce(ctx, issue, texts.issue_change(ctx.session, issue, "reject", member, text), actor_user=msg.user.id,
             private_change=texts.issue_change(ctx.session, issue, "reject", member, text, public=False))
    return Reaction([*_edit_card(ctx, issue, *card),
                     Outgoing(chat_id=msg.chat.id, text=texts.rejected_by_you(issues.code(issue)),
                              reply_to_message_id=msg.message_id, kind="reply")])


# --- residents' buttons ---------------------------------------------------------------------------


def support(ctx: Context, press: Press, issue: Issue, action: Action) -> Reaction:
    resident = ctx.resident(press.user, issue.community_id)
    joined, new = issues.support(ctx.session, issue, resident, now=ctx.now)
    outgoing: list[Outgoing] = []
    if action.arg == "d":  # the offer made instead of a new report
        question = ctx.session.exec(select(PendingQuestion).where(
            PendingQuestion.chat_id == press.chat.id, PendingQuestion.user_id == press.user.id,
            PendingQuestion.kind == "dup")).first()
        if question is not None and payload_of(question).get("dup_of") == issue.id:
            close(ctx, question)
            outgoing.append(_done(press, texts.duplicate_joined(joined)))
    refresh_cards(ctx, joined)
    if not new:
        return Reaction(outgoing, Answer("你已经在关注这件事了"))
    return Reaction(outgoing, Answer(f"已附议，共{joined.affected}人反映"))


def reporter_answer(ctx: Context, press: Press, issue: Issue, verb: str) -> Reaction:
    resident = ctx.resident(press.user, issue.community_id)
    actor = Actor(member=ctx.member(press.user), resident=resident)
    problem = permissions.may_answer_as_reporter(resident.id, issue)
    if problem:
        return Reaction(answer=Answer(problem, alert=True))
    if issue.status != S.resolved:
        return Reaction(answer=Answer(f"{issues.code(issue)} 当前「{texts.status(issue)}」", alert=True),
                        outgoing=[_done(press, texts.issue_change(ctx.session, issue, "status"))])
    if verb == "fixed":
        issues.confirm(ctx.session, issue, actor, now=ctx.now)
        change = texts.issue_change(ctx.session, issue, "confirm")
        handler = ctx.session.get(Member, issue.handler_id) if issue.handler_id else None
        if handler is not None and handler.chat_user_id and not handler.unreachable:
            ctx.send(Outgoing(chat_id=handler.chat_user_id, text=f"👍 {change}", kind="notice",
                              member_id=handler.id, ref=ref_of(issue)))
        answer = "谢谢确认！"
    else:
        issues.reopen(ctx.session, issue, actor, now=ctx.now)
        change = texts.issue_change(ctx.session, issue, "reopen")
        handler = ctx.session.get(Member, issue.handler_id) if issue.handler_id else None
        if handler is not None:
            tell_member(ctx, issue, handler, texts.reopened_to_you())
        else:
            alert(ctx, issue, route_of(ctx, issue), note=texts.reopened_to_you())
        answer = "已退回继续处理"
    refresh_cards(ctx, issue)
    # pressed under the notice in the report's group: that message now says it; no second notice
    pressed_in_source = press.chat.id == issue.source_chat_id
    announce(ctx, issue, change, actor_user=press.user.id, in_group=not pressed_in_source)
    return Reaction([_done(press, change)], Answer(answer))
