"""Handling an issue in the chat: the cards the people routing names get, their buttons (受理 ·
领办 · 已解决 · 转派 · 驳回), the residents' buttons (附议 +1 · 进度 · 已修复 / 仍未修复), and how each
change comes back to the reporter and everyone who joined.

A tap edits the message it was under (and every other card of the issue) to the state now, with
the buttons that fit it; someone without the right gets a polite popup and nothing changes.
"""

from __future__ import annotations

from sqlmodel import select

from bot import identities
from bot.issues import service as issues
from bot.rich import rich
from bot.members import permissions
from bot.infra.errors import DomainError
from bot.infra.ids import parse_id
from bot.issues.lifecycle import Actor
from bot.members import service as members
from bot.issues import flows
from bot.issues.routing import RouteStop
from models import (
    ISSUE_OPEN,
    ChatAccount,
    Community,
    Issue,
    IssueStatus,
    Member,
    PendingQuestion,
    Resident,
)

from . import facts, texts
from .context import Context
from .conversation import ask, payload_of
from handlers.replies import reply
from .router import Router
from bot.messages import Action, Button, Outgoing
from bot.messages import message_id as as_message_id
from .types import Answer, Inbound, Press, Reaction

router = Router("handling")

S = IssueStatus
# what people write to drop a question the bot asked, or to skip the optional note
CANCEL_WORDS = {"取消", "算了", "不用了", "不用", "不记了", "不用记了", "/cancel"}
SKIP_WORDS = {"跳过", "不用", "无", "没有", "skip"}


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


def handler_verbs(member: Member | None, issue: Issue, verbs=("accept", "claim", "resolve", "reject")) -> list[str]:
    """Which of ``verbs`` this member may do to the issue now (its state, their rights): the web
    desk shows these, as the card shows its buttons."""
    return [v for v in _HANDLER_VERBS.get(issue.status, ()) if v in verbs and _CHECKS[v](member, issue) is None]


def handler_buttons(issue: Issue) -> list[list[Button]]:
    verbs = _HANDLER_VERBS.get(issue.status, ())
    buttons = [Button(_VERB_ZH[v], Action("q", v, issue.id)) for v in verbs]
    return [buttons[i:i + 3] for i in range(0, len(buttons), 3)] if buttons else []


def confirm_buttons(issue: Issue) -> list[list[Button]]:
    return [[Button("已修复", Action("q", "fixed", issue.id)), Button("仍未修复", Action("q", "notfixed", issue.id))]]


# --- who is acting -------------------------------------------------------------------------------


def reporter_of(ctx: Context, issue: Issue) -> Resident | None:
    return ctx.session.get(Resident, issue.reporter_id)


def ref_of(issue: Issue) -> str:
    return flows.ref_of(issue)


def route_of(ctx: Context, issue: Issue) -> list[RouteStop]:
    return flows.route_of(ctx.session, issue)


def close(ctx: Context, question: PendingQuestion) -> None:
    ctx.session.delete(question)
    ctx.session.flush()


def _done(press: Press, text: str) -> Outgoing:
    """Replace the message the button was under (its buttons go); under a photo (the resolution
    photo) its caption is what changes."""
    return Outgoing(chat_id=press.chat.id, text=text, edit_message_id=press.message_id, kind="card",
                    photo=press.message_photo)


# --- alerts and announcements ------------------------------------------------------------------


def send_alerts(ctx: Context, issue: Issue, alerts: flows.Alerts, *, stops: list[RouteStop] | None = None,
                note: str = "") -> None:
    """The words for what the core decided (``bot.issues.flows.Alerts``)."""
    if alerts.private:
        reporter = reporter_of(ctx, issue)
        card = texts.issue_card(facts.of_issue(ctx.session, issue), reporter_name=reporter.display_name if reporter else "",
                                stops=stops, note=note)
        buttons = handler_buttons(issue)
        for chat_id, member in alerts.private:
            ctx.send(Outgoing(chat_id=chat_id, text=card, buttons=buttons, kind="alert",
                              member_id=member.id, ref=ref_of(issue), not_before=alerts.not_before))
    if alerts.unreached:
        mention_in_group(ctx, issue, alerts.unreached, note=note, chats=alerts.group_chats)


def mention_in_group(ctx: Context, issue: Issue, people: list[Member], *, note: str = "",
                     chats: list[int] | None = None) -> None:
    if chats is None:
        chats = flows.group_chats_of(ctx.session, issue)
    reporter = reporter_of(ctx, issue)
    card = texts.issue_card(facts.of_issue(ctx.session, issue), reporter_name=reporter.display_name if reporter else "",
                            note=note)
    names = [texts.who(m) for m in people]
    for chat_id in chats:
        ctx.send(Outgoing(chat_id=chat_id, text=texts.mention_alert(names) + "\n" + card,
                          buttons=handler_buttons(issue), kind="alert", member_id=people[0].id,
                          ref=ref_of(issue)))


def refresh_cards(ctx: Context, issue: Issue, cards: list[flows.Card], *, skip: tuple[int, int] | None = None) -> None:
    """Each card the core named (the group reply, each member's alert) is edited to show the
    issue's state now and the buttons that apply; ``skip`` is the one the caller edits itself."""
    cards = [c for c in cards if (c.chat_id, c.message_id) != skip]
    if not cards:
        return
    reporter = reporter_of(ctx, issue)
    name = reporter.display_name if reporter else ""
    for card in cards:
        if card.kind == "reply":
            text, buttons = texts.issue_recorded(facts.of_issue(ctx.session, issue), route_of(ctx, issue)), resident_buttons(issue)
        else:
            text = texts.issue_card(facts.of_issue(ctx.session, issue), reporter_name=name)
            buttons = handler_buttons(issue)
        ctx.send(Outgoing(chat_id=card.chat_id, text=text, buttons=buttons, edit_message_id=card.message_id,
                          kind="card", ref=ref_of(issue)))


def _alert_note(ctx: Context, changed: flows.Changed) -> str:
    if changed.event == "reassign":
        return texts.reassigned_to_you(issues.code(changed.issue), changed.actor)
    return texts.reopened_to_you()


def deliver(ctx: Context, changed: flows.Changed, *, skip: tuple[int, int] | None = None) -> None:
    """The words and messages for what a transition decided (``bot.issues.flows.Changed``), in
    this order: the people newly given the issue, the handler's thanks, the earlier cards, the
    notice under the report in its group, the followers' private notes. ``skip``: the card the
    caller edits itself (the one pressed)."""
    issue = changed.issue
    if changed.alerts is not None:
        send_alerts(ctx, issue, changed.alerts, stops=changed.alerts_stops, note=_alert_note(ctx, changed))
    change = texts.issue_change(facts.of_issue(ctx.session, issue), changed.event, changed.actor, changed.note)
    if changed.handler is not None:
        chat_id, handler = changed.handler
        ctx.send(Outgoing(chat_id=chat_id, text="👍 " + change, kind="notice", member_id=handler.id,
                          ref=ref_of(issue)))
    refresh_cards(ctx, issue, changed.cards, skip=skip)
    group_text, buttons = change, []
    if changed.ask_reporter:
        reporter = reporter_of(ctx, issue)
        ask_line = texts.ask_fixed(texts.mention(identities.account(ctx.session, reporter.account_id) if reporter else None,
                                                 reporter.display_name if reporter else "反映人"))
        group_text, buttons = rich(change, "\n", ask_line), confirm_buttons(issue)
    if changed.group is not None:
        chat_id, reply_to = changed.group
        ctx.send(Outgoing(chat_id=chat_id, text=group_text, buttons=buttons, reply_to_message_id=reply_to,
                          photo=changed.photo, kind="notice", ref=ref_of(issue)))
    for note in changed.followers:
        ctx.send(Outgoing(chat_id=note.chat_id, text=texts.follower_note(change),
                          buttons=buttons if note.reporter else [], kind="notice", member_id=note.member_id,
                          ref=ref_of(issue)))


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
    if verb in ("progress", "support") and not (
        ctx.belongs(press.user, press.chat, issue.community_id) or _answering_offer(ctx, press, issue, action)
    ):
        community = ctx.session.get(Community, issue.community_id)
        return Reaction(answer=Answer(texts.not_your_community(community.name), alert=True))
    if verb == "progress":
        return Reaction(answer=Answer(texts.issue_progress(facts.of_issue(ctx.session, issues.root(ctx.session, issue))), alert=True))
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
    text = texts.issue_card(facts.of_issue(ctx.session, issue), reporter_name=reporter.display_name if reporter else "",
                            note=note)
    return Outgoing(chat_id=press.chat.id, text=text, buttons=handler_buttons(issue),
                    edit_message_id=press.message_id, kind="card", ref=ref_of(issue))


def _after_change(ctx: Context, press: Press, changed: flows.Changed, answer: str) -> Reaction:
    deliver(ctx, changed, skip=(press.chat.id, press.message_id))
    return Reaction([_card_edit(ctx, press, changed.issue)], Answer(answer))


def _accept(ctx, press, issue, member, action) -> Reaction:
    return _after_change(ctx, press, flows.accept(ctx.session, issue, member, now=ctx.now), "已受理")


def _claim(ctx, press, issue, member, action) -> Reaction:
    return _after_change(ctx, press, flows.claim(ctx.session, issue, member, now=ctx.now), "已领办，交给你了")


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
    return flows.reassign_candidates(ctx.session, issue, exclude)


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
    target_id = parse_id(action.arg)
    target = ctx.session.get(Member, target_id) if target_id is not None else None
    if target is None or target.community_id != issue.community_id:
        return Reaction(answer=Answer("没有找到这位红管家", alert=True))
    changed = flows.reassign(ctx.session, issue, member, to=target, now=ctx.now)
    return _after_change(ctx, press, changed, f"已转派给 {target.name}")


_MEMBER_VERBS = {
    "accept": _accept, "claim": _claim, "resolve": _resolve, "reject": _reject,
    "reassign": _reassign, "to": _to, "back": _back,
}


def _card_from(payload: dict) -> tuple[int | None, str | None]:
    return payload.get("chat"), as_message_id(payload.get("message"))  # a number before 0014


def _edit_card(ctx: Context, issue: Issue, chat_id: int | None, message_id: str | None) -> list[Outgoing]:
    if not chat_id or not message_id:
        return []
    reporter = reporter_of(ctx, issue)
    text = texts.issue_card(facts.of_issue(ctx.session, issue), reporter_name=reporter.display_name if reporter else "")
    return [Outgoing(chat_id=chat_id, text=text, buttons=handler_buttons(issue), edit_message_id=message_id,
                     kind="card", ref=ref_of(issue))]


def do_resolve(ctx: Context, issue: Issue, member: Member, note: str, photo: str | None,
               card: tuple[int | None, str | None]) -> list[Outgoing]:
    deliver(ctx, flows.resolve(ctx.session, issue, member, now=ctx.now, note=note, photo=photo), skip=card)
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
    edits = do_resolve(ctx, issue, member, note, msg.photo, _card_from(payload))
    return Reaction([*edits, Outgoing(chat_id=msg.chat.id, text=texts.resolved_by_you(issues.code(issue)),
                                      reply_to_message_id=msg.message_id, kind="reply")])


def _resolve_expired(ctx: Context, question: PendingQuestion) -> None:
    """They tapped 已解决 and wrote nothing more: resolved without a note."""
    payload = payload_of(question)
    member = members.find_by_account(ctx.session, question.user_id)
    if member is None:
        return
    try:
        with ctx.session.begin_nested():
            issue = issues.get(ctx.session, payload["issue"])
            ctx.send(*do_resolve(ctx, issue, member, "", None, _card_from(payload)))
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
    card = _card_from(payload)
    deliver(ctx, flows.reject(ctx.session, issue, member, reason=text, now=ctx.now), skip=card)
    return Reaction([*_edit_card(ctx, issue, *card),
                     Outgoing(chat_id=msg.chat.id, text=texts.rejected_by_you(issues.code(issue)),
                              reply_to_message_id=msg.message_id, kind="reply")])


# --- residents' buttons ---------------------------------------------------------------------------


def _offer_question(ctx: Context, press: Press, issue: Issue, action: Action) -> PendingQuestion | None:
    """The presser's own question 「这件事可能已有人反映」 about this issue, answered by 附议."""
    if action.arg != "d":
        return None
    question = ctx.session.exec(select(PendingQuestion).where(
        PendingQuestion.chat_id == press.chat.id, PendingQuestion.user_id == press.user.id,
        PendingQuestion.kind == "dup")).first()
    return question if question is not None and payload_of(question).get("dup_of") == issue.id else None


def _answering_offer(ctx: Context, press: Press, issue: Issue, action: Action) -> bool:
    """Whoever the bot offered 附议 just wrote in the issue's group (a resident of another
    community may report there too)."""
    return action.verb == "support" and _offer_question(ctx, press, issue, action) is not None


def support(ctx: Context, press: Press, issue: Issue, action: Action) -> Reaction:
    resident = ctx.resident(press.user, issue.community_id)
    supported = flows.support(ctx.session, issue, resident, now=ctx.now)
    joined = supported.issue
    outgoing: list[Outgoing] = []
    question = _offer_question(ctx, press, issue, action)  # the offer made instead of a new report
    if question is not None:
        close(ctx, question)
        outgoing.append(_done(press, texts.duplicate_joined(joined)))
    refresh_cards(ctx, joined, supported.cards)
    if not supported.new:
        return Reaction(outgoing, Answer("你已经在关注这件事了"))
    return Reaction(outgoing, Answer(f"已附议，共{joined.affected}人反映"))


def reporter_answer(ctx: Context, press: Press, issue: Issue, verb: str) -> Reaction:
    resident = ctx.known_resident(press.user)  # a stranger's press makes no resident of them
    problem = permissions.may_answer_as_reporter(resident.id if resident else None, issue)
    if problem:
        return Reaction(answer=Answer(problem, alert=True))
    actor = Actor(member=ctx.member(press.user), resident=resident)
    if issue.status != S.resolved:
        return Reaction(answer=Answer(f"{issues.code(issue)} 当前「{texts.status(issue)}」", alert=True),
                        outgoing=[_done(press, texts.issue_change(facts.of_issue(ctx.session, issue), "status"))])
    # pressed under the notice in the report's group: that message now says it; no second notice
    if verb == "fixed":
        changed = flows.confirm(ctx.session, issue, actor, now=ctx.now, answered_in=press.chat.id)
        answer = "谢谢确认！"
    else:
        changed = flows.reopen(ctx.session, issue, actor, now=ctx.now, settings=ctx.settings,
                               answered_in=press.chat.id)
        answer = "已退回继续处理"
    deliver(ctx, changed)
    return Reaction([_done(press, texts.issue_change(facts.of_issue(ctx.session, issue), changed.event))], Answer(answer))
