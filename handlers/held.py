"""The buttons under a held bundle's card (``hb:<verb>:<bundle or held message>``): 查看 lists
what waits (edits the card), 立案 N files that message as a report — replied to under it in its
chat, routed and alerted as any report —, 全部忽略 dismisses the rest. Only the reviewers' roles
may press them. (What is held, and why: ``handlers.flood``.)
"""

from __future__ import annotations

from sqlmodel import select

from bot.issues import flood
from bot.messages import Action, Button, Outgoing
from bot.outbox.reroute import issue_id_of
from models import HeldBundle, HeldMessage, OutboxMessage

from . import texts, understanding
from .context import Context, GroupBinding
from .flood import LIST_SIZE
from .reports import draft_of, file_issue
from .router import Router
from .types import Answer, Inbound, Press, Reaction, User

router = Router("held")


@router.button("hb")
def held_button(ctx: Context, press: Press, action: Action) -> Reaction:
    if action.verb == "file":
        message = ctx.session.get(HeldMessage, action.id)
        bundle = ctx.session.get(HeldBundle, message.bundle_id) if message else None
    else:
        message, bundle = None, ctx.session.get(HeldBundle, action.id)
    if bundle is None or action.verb not in ("show", "file", "drop"):
        return Reaction(answer=Answer(texts.expired_question()))
    problem = flood.may_review(ctx.member(press.user), bundle)
    if problem:
        return Reaction(answer=Answer(problem, alert=True))
    if not _is_card(ctx, press, bundle):  # the buttons edit their own card, nothing else
        return Reaction(answer=Answer(texts.expired_question()))
    if action.verb == "drop":
        count = flood.dismiss_rest(ctx.session, bundle, ctx.member(press.user), now=ctx.now)
        return Reaction([_edit(press, texts.held_dismissed(bundle, count, ctx.member(press.user)), [])],
                        answer=Answer(f"已忽略 {count} 条"))
    if action.verb == "show":
        return Reaction([_list(ctx, press, bundle)], answer=Answer())
    if message.status != "held":
        return Reaction([_list(ctx, press, bundle)], answer=Answer(texts.held_gone()))
    outgoing = _file(ctx, bundle, message)
    issue_id = issue_id_of(outgoing[0].ref)  # the reply under the new report is about it
    flood.filed(ctx.session, message, issue_id, ctx.member(press.user), now=ctx.now)
    return Reaction([*outgoing, _list(ctx, press, bundle)], answer=Answer(texts.held_filed(f"Q{issue_id}")))


def _is_card(ctx: Context, press: Press, bundle: HeldBundle) -> bool:
    return ctx.session.exec(select(OutboxMessage.id).where(
        OutboxMessage.ref == f"held:{bundle.id}", OutboxMessage.chat_id == press.chat.id,
        OutboxMessage.sent_message_id == press.message_id)).first() is not None


def _edit(press: Press, text: str, buttons: list[list[Button]]) -> Outgoing:
    return Outgoing(chat_id=press.chat.id, text=text, buttons=buttons, edit_message_id=press.message_id,
                    kind="card", photo=press.message_photo)


def _list(ctx: Context, press: Press, bundle: HeldBundle) -> Outgoing:
    rest = flood.waiting(ctx.session, bundle)
    shown = rest[:LIST_SIZE]
    files = [Button(f"立案 {n}", Action("hb", "file", m.id)) for n, m in enumerate(shown, 1)]
    buttons = [files[i:i + 4] for i in range(0, len(files), 4)]
    if rest:
        buttons.append([Button("刷新", Action("hb", "show", bundle.id)), Button("全部忽略", Action("hb", "drop", bundle.id))])
    return _edit(press, texts.held_list(bundle, shown, len(rest) - len(shown), ctx.tz), buttons)


def _file(ctx: Context, bundle: HeldBundle, message: HeldMessage) -> list[Outgoing]:
    """File a held message as the report its sender meant: replied to under it in its chat,
    routed and alerted like any other (no question asked: nobody is waiting for one)."""
    chat = ctx.chat(message.chat_id)
    private = chat.is_private
    group = ctx.group(chat) if not private else None
    if group is None or group.community_id != bundle.community_id:  # private, or the group was unbound
        group = GroupBinding(message.chat_id, bundle.community_id, bundle.grid_id, None)
    msg = Inbound(chat=chat, user=User(bundle.user_id, bundle.sender_name), message_id=message.message_id,
                  text=message.text, at=ctx.now)
    parsed = understanding.parse(ctx, message.text.strip(), bundle.community_id)
    draft = draft_of(msg, message.text.strip(), parsed, "issue")
    where = understanding.resolve(ctx, bundle.community_id, parsed.place, group)
    draft.unit, draft.room, draft.compound_id = where.unit or draft.unit, where.room or draft.room, where.compound_id
    if where.building is None and group.grid_id is None:
        group = GroupBinding(group.chat_id, group.community_id, bundle.grid_id, group.compound_id, group.title)
    reaction = file_issue(ctx, msg, group, draft, where.building)
    return reaction.outgoing
