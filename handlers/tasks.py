"""Published tasks (发布任务): /task 标题 publishes, /task lists the open ones with join buttons."""

from __future__ import annotations

from bot import identities
from bot.tasks import service as tasks
from bot.infra.errors import NotAllowed
from bot.members.permissions import NOT_A_MEMBER

from . import texts
from .context import Context
from handlers.replies import reply
from .info import community_of
from .router import Router
from bot.messages import Action, Button, Outgoing
from bot.rich import Rich, bold, join, rich
from models import Member
from .types import Answer, Inbound, Press, Reaction

router = Router("tasks")


def join_button(task) -> Button:
    return Button(f"参加 {tasks.code(task)}", Action("t", "join", task.id))


def task_line(ctx: Context, task) -> Rich:
    joined = tasks.joined_count(ctx.session, task)
    cap = f"/{task.capacity}" if task.capacity else ""
    return rich(bold(tasks.code(task)), f" {texts.quote(task.title, limit=40)}（已报名 {joined}{cap}）")


@router.command("task", help="/task 标题 发布任务；/task 查看可参加的任务")
def task(ctx: Context, msg: Inbound) -> Reaction:
    _name, title = msg.command
    member = ctx.member(msg.user)
    if title:
        if member is None:
            raise NotAllowed(NOT_A_MEMBER)
        item = tasks.publish(ctx.session, member, title=title, now=ctx.now)
        return reply(msg, rich("已发布任务 ", task_line(ctx, item), "，大家点按钮报名。"), buttons=[[join_button(item)]])
    community_id = community_of(ctx, msg)
    if community_id is None:
        return reply(msg, texts.no_community())
    items = tasks.open_tasks(ctx.session, community_id, limit=8)
    if not items:
        return reply(msg, "暂时没有可参加的任务。红管家可以用 /task 标题 发布一个。")
    buttons = [join_button(t) for t in items]
    return reply(msg, rich("📋 ", bold("可参加的任务"), "\n", join("\n", (task_line(ctx, t) for t in items))),
                 buttons=[buttons[i:i + 2] for i in range(0, len(buttons), 2)])


@router.button("t")
def task_button(ctx: Context, press: Press, action: Action) -> Reaction:
    item = tasks.get(ctx.session, action.id)
    member = ctx.member(press.user)
    if action.verb != "join":
        return Reaction(answer=Answer(texts.expired_question()))
    if member is None:
        return Reaction(answer=Answer(NOT_A_MEMBER, alert=True))
    tasks.join(ctx.session, item, member, now=ctx.now)
    outgoing = []
    if item.publisher_id != member.id:
        publisher = ctx.session.get(Member, item.publisher_id)
        private = identities.private_chat(ctx.session, publisher) if publisher is not None else None
        if private is not None:  # None also when each of their accounts blocked the bot
            outgoing.append(Outgoing(chat_id=private, kind="notice", member_id=publisher.id,
                                     text=rich(f"{texts.who(member)} 报名参加了任务 ", task_line(ctx, item))))
    return Reaction(outgoing, Answer(f"已报名 {tasks.code(item)}，谢谢参与！"))
