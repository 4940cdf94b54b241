"""One aiogram ``Router`` per feature. They only route: every handler hands the update to the
``UpdateBridge`` (workflow data ``bridge``), which runs the platform-neutral conversation."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import CallbackQuery, Message, Update

from bot.platforms.telegram.bridge import UpdateBridge
from bot.platforms.telegram.callbacks import HeldCB, IssueCB, QuestionCB, TaskCB, WishCB


def migrations_router() -> Router:
    """A group upgraded to a supergroup (its id changes): its binding and waiting messages
    follow it. Nothing is said in the chat."""
    router = Router(name="migrations")

    @router.message(F.migrate_to_chat_id | F.migrate_from_chat_id)
    async def migrated(message: Message, event_update: Update, bridge: UpdateBridge) -> None:
        await bridge.on_migrate(message, event_update)

    return router


# A message sent on behalf of a chat is nobody's: a post of the group's linked channel (forwarded
# automatically, "from" Telegram 777000), a member posting as a channel (Channel_Bot) or an
# anonymous admin (GroupAnonymousBot). Each of those service accounts stands for many people, so
# none of it is filed, asked about, counted or answered — a channel's notices would otherwise
# become reports nobody can answer a question about.
PERSON = ~F.sender_chat


def commands_router() -> Router:
    """``/start``, ``/bind`` …: the conversation knows the commands (and answers unknown ones)."""
    router = Router(name="commands")

    @router.message(F.text.startswith("/"), PERSON)
    async def command(message: Message, event_update: Update, bridge: UpdateBridge, bot: Bot) -> None:
        await bridge.on_message(message, event_update, bot)

    return router


def messages_router() -> Router:
    """What people write: group reports, answers to the bot's questions, private text, photos,
    locations (a patrol check-in's), contacts (a member proving their phone number)."""
    router = Router(name="messages")

    @router.message(F.text | F.caption | F.photo | F.location | F.contact, PERSON)
    async def text(message: Message, event_update: Update, bridge: UpdateBridge, bot: Bot) -> None:
        await bridge.on_message(message, event_update, bot)

    return router


def _press_router(name: str, factory) -> Router:
    router = Router(name=name)

    @router.callback_query(factory.filter())
    async def pressed(query: CallbackQuery, event_update: Update, bridge: UpdateBridge) -> None:
        await bridge.on_press(query, event_update)

    return router


def issue_buttons_router() -> Router:
    return _press_router("issue-buttons", IssueCB)


def wish_buttons_router() -> Router:
    return _press_router("wish-buttons", WishCB)


def question_buttons_router() -> Router:
    return _press_router("question-buttons", QuestionCB)


def task_buttons_router() -> Router:
    return _press_router("task-buttons", TaskCB)


def held_buttons_router() -> Router:
    return _press_router("held-buttons", HeldCB)


def other_buttons_router() -> Router:
    """Buttons of features without a factory here (rota shifts …) and stale ones: the
    conversation finds their handler or says the button is no longer valid."""
    router = Router(name="other-buttons")

    @router.callback_query()
    async def pressed(query: CallbackQuery, event_update: Update, bridge: UpdateBridge) -> None:
        await bridge.on_press(query, event_update)

    return router


def all_routers() -> list[Router]:
    return [
        migrations_router(),
        commands_router(),
        messages_router(),
        issue_buttons_router(),
        wish_buttons_router(),
        question_buttons_router(),
        task_buttons_router(),
        held_buttons_router(),
        other_buttons_router(),
    ]
