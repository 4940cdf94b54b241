"""Issue reports in the chat: what residents write in a bound group becomes a numbered report
(the cards, buttons and announcements that follow are ``handlers.handling``).

Flow of a group message: chatter → silence; a confident issue → filed, replied to in thread,
alerts sent; a wish → ``handlers.wishes``; not sure → one question (是问题 / 是心愿 / 不用管);
no building where routing needs one → 「在哪栋楼？」 (a pending question answered by the next
message); the same open issue reported again → 附议 offered instead of a new number.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timedelta

from sqlmodel import select

from bot.infra.errors import DomainError
from bot.infra.ids import parse_id
from bot.infra.masking import shown
from bot.issues import flows
from bot.issues import service as issues
from bot.members import service as members
from bot.messages import Action, Button, Outgoing
from bot.messages import message_id as as_message_id
from bot.nlu.decision import ACT, IGNORE, OF_NEIGHBOURS, decide
from bot.places import service as places
from handlers.replies import reply
from models import (
    ISSUE_OPEN,
    Building,
    Issue,
    IssueCategory,
    IssueFollower,
    IssueStatus,
    PendingQuestion,
    Resident,
    WishCategory,
)

from . import facts, flood, texts, understanding
from .context import Context, GroupBinding
from .conversation import ask, payload_of, question_ref, question_writer
from .handling import CANCEL_WORDS, _done, close, ref_of, refresh_cards, resident_buttons, send_alerts
from .router import Router
from .types import Answer, Inbound, Press, Reaction, User
from .wishes import file_wish

router = Router("reports")

S = IssueStatus
# What the question about an unsure message offers (label, answer); a neighbour's 「谁家有…」 is for
# the wall or the neighbours, never 是问题.
_INTENT_CHOICES = (("是问题", "issue"), ("是心愿", "wish"), ("不用管", "skip"))
_NEIGHBOURS_CHOICES = (("登上心愿墙", "wish"), ("不用管", "skip"))
HUSH_MINUTES = 10  # after 「不用管」 the writer is not asked again for this long


# --- what we know about a report before it is filed ---------------------------------------------


@dataclass
class Draft:
    text: str
    message_id: str  # the resident's message: the report's source, replies go under it
    intent: str = "issue"  # issue | wish
    category: str = "other"
    urgent: bool = False
    building_id: int | None = None
    unit: str = ""
    room: str = ""
    compound_id: int | None = None
    choices: list[int] = field(default_factory=list)
    dup_of: int | None = None
    # where it was written, kept for when the question runs out with nobody there to ask
    community_id: int | None = None
    grid_id: int | None = None
    private: bool = False

    def to_payload(self) -> dict:
        return asdict(self)

    @classmethod
    def from_payload(cls, data: dict) -> Draft:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["message_id"] = as_message_id(known.get("message_id"))  # a number before migration 0014
        return cls(**known)


def draft_of(msg: Inbound, text: str, parsed, intent: str) -> Draft:
    known = WishCategory.__members__ if intent == "wish" else IssueCategory.__members__
    category = parsed.category if parsed.category in known else "other"
    return Draft(text=text, message_id=msg.message_id, intent=intent, category=category,
                 urgent=bool(parsed.urgent), unit=parsed.place.unit or "", room=parsed.place.room or "")


def as_message(press: Press, draft: Draft) -> Inbound:
    """The resident's original message, for continuing after they tapped a button."""
    return Inbound(chat=press.chat, user=press.user, message_id=draft.message_id, text=draft.text, at=press.at)


# --- the group text flow ------------------------------------------------------------------------


def _parsed(ctx: Context, text: str, community_id: int):
    key = ("parsed", community_id, text)
    if key not in ctx._cache:
        ctx._cache[key] = understanding.parse(ctx, text, community_id)
    return ctx._cache[key]


def _decision(ctx: Context, text: str, parsed):
    """Act, ask or ignore: the one decision ``hgj parse`` reports too (``bot.nlu.decision``)."""
    return decide(parsed, text, ctx.settings.nlu_confidence)


@router.silent()
def is_chatter(ctx: Context, msg: Inbound) -> bool:
    """What the shared decision ignores (short talk, confident chatter) needs nothing."""
    text = msg.text.strip()
    if not text:
        return True
    return _decision(ctx, text, _parsed(ctx, text, ctx.group(msg.chat).community_id)).action == IGNORE


@router.text()
def group_text(ctx: Context, msg: Inbound) -> Reaction | None:
    """A message in a bound group, or in private from someone whose community is known: a
    report or a wish is filed as in the group, and its news comes back to the private chat."""
    group = ctx.binding(msg.chat, msg.user)
    text = msg.text.strip()
    reaction = Reaction()
    if group is not None and text:
        # the flood rule: a repeat is one message, a sender over the limit is held (handlers.flood)
        reaction = flood.guarded(ctx, msg, group, text, _parsed(ctx, text, group.community_id), consider)
    if msg.chat.is_private and not reaction.outgoing:
        return None  # nothing filed in private: the next handler says what the bot is for
    return reaction


def consider(ctx: Context, msg: Inbound, group: GroupBinding, text: str, parsed) -> Reaction:
    decision = _decision(ctx, text, parsed)
    if decision.action == IGNORE:
        return Reaction()
    if decision.action == ACT:
        # urgent comes out as an issue whatever the intent: filed at once, the route alerted
        draft = draft_of(msg, text, parsed, decision.intent)
        draft.urgent = decision.urgent
        if draft.intent == "wish":
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
    draft = draft_of(msg, text, parsed, decision.intent)
    payload = draft.to_payload()
    payload["place"] = _place_dict(parsed.place)
    question = ask(ctx, msg, "intent", payload)
    of_neighbours = decision.about == OF_NEIGHBOURS
    prompt = texts.ask_wish_of_neighbours() if of_neighbours else texts.ask_intent()
    choices = _NEIGHBOURS_CHOICES if of_neighbours else _INTENT_CHOICES
    return reply(msg, prompt, buttons=[[Button(label, Action("ask", answer, question.id)) for label, answer in choices]],
                 ref=question_ref(question))


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
    draft.community_id, draft.grid_id, draft.private = group.community_id, group.grid_id, msg.chat.is_private
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
    question = ask(ctx, msg, "place", draft.to_payload())
    return reply(msg, texts.ask_place(unknown), ref=question_ref(question))


def ask_which(ctx: Context, msg: Inbound, draft: Draft, choices: list[Building]) -> Reaction:
    draft.choices = [b.id for b in choices]
    question = ask(ctx, msg, "place", draft.to_payload())
    labels = [places.building_label(ctx.session, b) for b in choices[:6]]
    buttons = [Button(label, Action("ask", "bld", question.id, str(b.id))) for label, b in zip(labels, choices)]
    return reply(msg, texts.ask_which(labels), buttons=[buttons[i:i + 3] for i in range(0, len(buttons), 3)],
                 ref=question_ref(question))


def file_issue(ctx: Context, msg: Inbound, group: GroupBinding, draft: Draft, building: Building | None) -> Reaction:
    issue, card = _file(ctx, msg, group, draft, building)
    return Reaction([card])


def _file(ctx: Context, msg: Inbound, group: GroupBinding, draft: Draft,
          building: Building | None) -> tuple[Issue, Outgoing]:
    resident = ctx.resident(msg.user, group.community_id)
    filed = flows.report(
        ctx.session, reporter=resident, community_id=group.community_id, text=draft.text, now=ctx.now,
        settings=ctx.settings, category=draft.category, urgent=draft.urgent, building=building,
        grid_id=group.grid_id, unit=draft.unit, room=draft.room,
        source_chat_id=msg.chat.id, source_message_id=draft.message_id,
    )
    issue, stops = filed.issue, filed.stops
    send_alerts(ctx, issue, filed.alerts, stops=stops)
    return issue, Outgoing(
        chat_id=msg.chat.id, text=texts.issue_recorded(facts.of_issue(ctx.session, issue), stops, later=filed.held_until,
                                                      tz=ctx.tz),
        buttons=resident_buttons(issue), reply_to_message_id=draft.message_id,
        kind="reply", ref=ref_of(issue),
    )


# --- duplicates --------------------------------------------------------------------------------


def find_duplicate(ctx: Context, community_id: int, draft: Draft, building: Building | None,
                   grid_id: int | None) -> Issue | None:
    """The newest open issue of the same building (or grid) that says the same thing."""
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
        return reply(msg, texts.already_reported(facts.of_issue(ctx.session, existing)),
                     buttons=[[Button("进度", Action("q", "progress", existing.id))]])
    draft.building_id = building.id if building is not None else None
    draft.dup_of = existing.id
    question = ask(ctx, msg, "dup", draft.to_payload())
    return reply(msg, texts.duplicate_offer(facts.of_issue(ctx.session, existing)), buttons=[[
        Button("附议 +1", Action("q", "support", existing.id, "d")),
        Button("不是同一件事", Action("ask", "separate", question.id)),
    ]], ref=question_ref(question))


# --- answers to the bot's questions ---------------------------------------------------------------


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
            supported = flows.support(ctx.session, issues.get(ctx.session, draft.dup_of), resident, now=ctx.now)
            refresh_cards(ctx, supported.issue, supported.cards)  # as after a tap on 附议: the count shows
    except DomainError:
        pass


router.pending("dup", expire=_dup_expired)(_intent_next)


def _place_expired(ctx: Context, question: PendingQuestion) -> None:
    """No answer: file it anyway, without a building, for the community to place — in a group,
    and in the writer's private chat too (there the community is the writer's own)."""
    draft = Draft.from_payload(payload_of(question))
    user = _user_of(ctx, question.user_id)
    # the chat's kind is the chat row's (a question from before drafts kept it has no ``private``)
    chat = ctx.chat(question.chat_id)
    private = draft.private or chat.is_private
    group = ctx.binding(chat, user)
    if group is None and private and draft.community_id is not None:
        group = GroupBinding(chat.id, draft.community_id, None, None)
    if group is None:  # the group was unbound meanwhile: nobody to file it for
        return
    msg = Inbound(chat=chat, user=user, message_id=draft.message_id, text=draft.text, at=ctx.now)
    issue, card = _file(ctx, msg, group, draft, None)
    card.text = texts.filed_without_place(issues.code(issue))
    ctx.send(card)


def _user_of(ctx: Context, user_id: int) -> User:
    resident = ctx.session.exec(select(Resident).where(Resident.account_id == user_id)).first()
    return User(user_id, resident.display_name if resident else "")


@router.pending("place", expire=_place_expired)
def place_answer(ctx: Context, msg: Inbound, question: PendingQuestion) -> Reaction | None:
    group = ctx.binding(msg.chat, msg.user)
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
    if msg.reply_to_bot or msg.chat.is_private:
        return reply(msg, texts.place_not_understood())
    return Reaction()  # something else said meanwhile; the question stays


@router.button("ask")
def question_button(ctx: Context, press: Press, action: Action) -> Reaction:
    question = ctx.session.get(PendingQuestion, action.id)
    if question is None or question.chat_id != press.chat.id:
        # answered, cancelled or run out: only its writer's press tidies the message up
        writer = question_writer(ctx, press.chat.id, press.message_id, action.id)
        if writer is None or writer != press.user.id:
            return Reaction(answer=Answer(texts.only_writer() if writer else texts.expired_question(),
                                          alert=writer is not None))
        return Reaction(answer=Answer(texts.expired_question()), outgoing=[_done(press, texts.expired_question())])
    if question.user_id != press.user.id:
        return Reaction(answer=Answer(texts.only_writer(), alert=True))
    if question.expires_at is not None and question.expires_at <= ctx.now:
        ctx.conversation.expire(ctx, question)
        return Reaction(answer=Answer(texts.expired_question()), outgoing=[_done(press, texts.expired_question())])
    group = ctx.binding(press.chat, press.user)
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
        building_id = parse_id(action.arg)
        building = ctx.session.get(Building, building_id) if building_id is not None else None
        if building is None or building.id not in draft.choices:
            return Reaction(answer=Answer(texts.expired_question()))
        close(ctx, question)
        label = shown(places.building_label(ctx.session, building))
        reaction = proceed_issue(ctx, msg, group, draft, None,
                                 where=understanding.Where(building=building, unit=draft.unit, room=draft.room))
        reaction.outgoing.insert(0, _done(press, f"好的，{label}。"))
        reaction.answer = Answer("好的")
        return reaction
    return Reaction(answer=Answer(texts.expired_question()))


def _wish_categories():
    return WishCategory.__members__
