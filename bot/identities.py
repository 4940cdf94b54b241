"""Chat accounts and chats: a platform's ids in, internal keys out (and back, for delivery).

A platform adapter calls ``resolve_account`` / ``resolve_chat`` with the platform's own ids (as
text) and hands the conversation internal keys only; the sender calls ``destination`` to learn
where a chat key is on its platform. Everything between knows an account key, a chat key and
whether a chat is private or a group — never a platform's id, never the sign of a number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, exists, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from models import ChatAccount, ChatKind, Member, PlatformChat

PLATFORMS = ("telegram", "wecom")
FILE_SEPARATOR = ":"


def _check(platform: str, external_id: str) -> str:
    if platform not in PLATFORMS:
        raise ValueError(f"unknown platform {platform!r}")
    external_id = str(external_id).strip()
    if not external_id or len(external_id) > 64:
        raise ValueError(f"an external id is 1 to 64 characters: {external_id!r}")
    return external_id


def _get_or_add(session: Session, model, platform: str, external_id: str, **values):
    """The row for (platform, external id), added if there is none. Two processes adding the same
    one at once: the loser's insert fails on the unique key inside a savepoint and it reads the
    winner's row."""
    query = select(model).where(model.platform == platform, model.external_id == external_id)
    row = session.exec(query).first()
    if row is not None:
        return row, False
    try:
        with session.begin_nested():
            row = model(platform=platform, external_id=external_id, **values)
            session.add(row)
            session.flush()
        return row, True
    except IntegrityError:
        return session.exec(query).one(), False


def resolve_chat(session: Session, platform: str, external_id: str | int, *, kind: str, title: str = "",
                 now: datetime | None = None) -> PlatformChat:
    """The chat the platform calls ``external_id``; a group's title follows its renames."""
    external_id = _check(platform, str(external_id))
    if kind not in (ChatKind.private, ChatKind.group):
        raise ValueError(f"a chat is private or a group, not {kind!r}")
    chat, added = _get_or_add(session, PlatformChat, platform, external_id, kind=kind, title=title[:128],
                              created_at=now)
    if not added and kind == ChatKind.group and title and chat.title != title[:128]:
        chat.title = title[:128]
        session.add(chat)
    return chat


def current_chat(session: Session, chat: PlatformChat) -> PlatformChat:
    """The chat ``chat`` is now: itself, or the chat it became (a group upgraded to a supergroup,
    perhaps more than once)."""
    seen = {chat.id}
    while chat.moved_to_id is not None and chat.moved_to_id not in seen:
        chat = session.get(PlatformChat, chat.moved_to_id)
        seen.add(chat.id)
    return chat


def resolve_account(session: Session, platform: str, external_id: str | int, *, name: str = "",
                    private_chat: str | int | None = None, now: datetime | None = None) -> ChatAccount:
    """The account the platform calls ``external_id``. ``private_chat``: the platform's id of the
    account's private chat with the bot, when the adapter knows it (Telegram: the same number)."""
    external_id = _check(platform, str(external_id))
    account, added = _get_or_add(session, ChatAccount, platform, external_id, display_name=name[:128],
                                 created_at=now)
    changed = False
    if private_chat is not None and account.private_chat_id is None:
        account.private_chat_id = resolve_chat(session, platform, private_chat, kind=ChatKind.private, now=now).id
        changed = True
    if name and not added and account.display_name != name[:128]:
        account.display_name = name[:128]
        changed = True
    if changed:
        session.add(account)
    return account


# The keys of an incoming update's sender and chat, in Core statements built once: a person or a
# group seen for the first time is added inside the update's own transaction, and that should
# cost the three statements it needs, not the ORM's lookups, savepoints and flush (ten).
_CHAT = PlatformChat.__table__
_ACCOUNT = ChatAccount.__table__
_CHAT_ROW = select(_CHAT.c.id, _CHAT.c.title).where(
    _CHAT.c.platform == bindparam("platform"), _CHAT.c.external_id == bindparam("external"))
_ACCOUNT_ROW = select(_ACCOUNT.c.id, _ACCOUNT.c.display_name, _ACCOUNT.c.private_chat_id).where(
    _ACCOUNT.c.platform == bindparam("platform"), _ACCOUNT.c.external_id == bindparam("external"))
# another process adding the same one at once: the unique key turns our insert into nothing
# (PostgreSQL waits for the other transaction first) and the row is read instead
_ADD_CHAT = {
    name: dialect.insert(_CHAT)
    .values(platform=bindparam("platform"), external_id=bindparam("external"), kind=bindparam("kind"),
            title=bindparam("title"), created_at=bindparam("now"))
    .on_conflict_do_nothing(index_elements=["platform", "external_id"])
    .returning(_CHAT.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
_ADD_ACCOUNT = {
    name: dialect.insert(_ACCOUNT)
    .values(platform=bindparam("platform"), external_id=bindparam("external"), member_id=None,
            private_chat_id=bindparam("chat"), display_name=bindparam("name"), bound_at=None, unreachable=False,
            created_at=bindparam("now"))
    .on_conflict_do_nothing(index_elements=["platform", "external_id"])
    .returning(_ACCOUNT.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


def _key_connection(session: Session):
    if session.new or session.dirty or session.deleted:
        session.flush()  # what this transaction added through the ORM counts, as for its own lookups
    return session.connection()


def chat_key(session: Session, platform: str, external_id: str | int, *, kind: str, title: str = "",
             now: datetime | None = None, added: bool = False) -> int:
    """``resolve_chat(…).id``, for the platform adapters' incoming updates (same rows, fewer
    statements). ``added``: most likely new (a new account's private chat), so tried as an insert first."""
    external_id = _check(platform, str(external_id))
    if kind not in (ChatKind.private, ChatKind.group):
        raise ValueError(f"a chat is private or a group, not {kind!r}")
    conn = _key_connection(session)
    where = {"platform": platform, "external": external_id}
    row = None if added else conn.execute(_CHAT_ROW, where).first()
    if row is None:
        key = conn.execute(_ADD_CHAT[conn.dialect.name], {**where, "kind": kind, "title": title[:128],
                                                          "now": now}).scalar()
        if key is not None:
            return key
        row = conn.execute(_CHAT_ROW, where).one()
    if kind == ChatKind.group and title and row.title != title[:128]:
        return resolve_chat(session, platform, external_id, kind=kind, title=title, now=now).id  # renamed
    return row.id


def account_key(session: Session, platform: str, external_id: str | int, *, name: str = "",
                private_chat: str | int | None = None, now: datetime | None = None) -> int:
    """``resolve_account(…).id``, for the platform adapters' incoming updates (same rows, fewer
    statements): a new account comes with its private chat, added first so the account names it."""
    external_id = _check(platform, str(external_id))
    conn = _key_connection(session)
    where = {"platform": platform, "external": external_id}
    row = conn.execute(_ACCOUNT_ROW, where).first()
    if row is None:
        chat = None if private_chat is None else chat_key(session, platform, private_chat,
                                                          kind=ChatKind.private, now=now, added=True)
        key = conn.execute(_ADD_ACCOUNT[conn.dialect.name], {**where, "chat": chat, "name": name[:128],
                                                             "now": now}).scalar()
        if key is not None:
            return key
        row = conn.execute(_ACCOUNT_ROW, where).one()
    if (private_chat is not None and row.private_chat_id is None) or (name and row.display_name != name[:128]):
        return resolve_account(session, platform, external_id, name=name, private_chat=private_chat, now=now).id
    return row.id


def account(session: Session, account_id: int | None) -> ChatAccount | None:
    return session.get(ChatAccount, account_id) if account_id is not None else None


def chat(session: Session, chat_id: int | None) -> PlatformChat | None:
    return session.get(PlatformChat, chat_id) if chat_id is not None else None


def member_of(session: Session, account_id: int | None) -> Member | None:
    """The member an account is bound to, if any."""
    if account_id is None:
        return None
    return session.exec(select(Member).join(ChatAccount, ChatAccount.member_id == Member.id)
                        .where(ChatAccount.id == account_id)).first()


def accounts_of(session: Session, member: Member | int) -> list[ChatAccount]:
    """A member's accounts, the most recently bound first."""
    member_id = member if isinstance(member, int) else member.id
    rows = session.exec(select(ChatAccount).where(ChatAccount.member_id == member_id)).all()
    return sorted(rows, key=lambda a: (a.bound_at is not None, a.bound_at or 0, a.id), reverse=True)


def account_of(session: Session, member: Member | int | None, platform: str | None = None) -> ChatAccount | None:
    """The member's account (on ``platform``; else the one bound last)."""
    if member is None:
        return None
    for acc in accounts_of(session, member):
        if platform is None or acc.platform == platform:
            return acc
    return None


def private_chat(session: Session, member: Member | int | None) -> int | None:
    """Where the bot reaches a member on their own: the private chat of the account they bound
    last that has not blocked the bot (``ChatAccount.unreachable``); None without one — a member
    who blocked the bot on one platform is still reached on another."""
    if member is None:
        return None
    for acc in accounts_of(session, member):
        if acc.private_chat_id is not None and not acc.unreachable:
            return acc.private_chat_id
    return None


def reachable(session: Session, member: Member | int | None) -> bool:
    """Can the bot write to the member on their own (an account with a private chat that has not
    blocked it)?"""
    return private_chat(session, member) is not None


def blocked_everywhere(member_id_column):
    """A SQL condition on a member's id: they blocked the bot (an account of theirs refused a
    private message) and no account of theirs can be written to privately. A member with no account
    at all has blocked nothing (they are reached through their group). Routing skips the blocked."""
    a = ChatAccount.__table__
    return and_(
        exists().where(a.c.member_id == member_id_column, a.c.unreachable.is_(True)),
        ~exists().where(a.c.member_id == member_id_column, a.c.private_chat_id.is_not(None),
                        a.c.unreachable.is_(False)),
    )


def is_blocked(session: Session, member: Member | int) -> bool:
    """``blocked_everywhere`` for one member."""
    accounts = accounts_of(session, member)
    return any(a.unreachable for a in accounts) and not any(
        a.private_chat_id is not None and not a.unreachable for a in accounts)


def reachable_member_ids(session: Session, member_ids: Iterable[int]) -> set[int]:
    """Which of ``member_ids`` the bot can write to on their own, in one query."""
    ids = set(member_ids)
    if not ids:
        return set()
    return set(session.exec(select(ChatAccount.member_id).where(
        ChatAccount.member_id.in_(ids), ChatAccount.private_chat_id.is_not(None),
        ChatAccount.unreachable.is_(False))).all())


def blocked(session: Session, chat_id: int, *, now: datetime | None = None) -> int:
    """The private chat ``chat_id`` refused a message: the account it belongs to blocked the bot.
    Returns how many accounts were marked."""
    return session.execute(update(ChatAccount).where(ChatAccount.private_chat_id == chat_id,
                                                     ChatAccount.unreachable.is_(False))
                           .values(unreachable=True)).rowcount


def wrote_in_private(session: Session, account_id: int | None) -> bool:
    """The account wrote to the bot in private: it can be written to again. True when it had
    been marked unreachable."""
    if account_id is None:
        return False
    return session.execute(update(ChatAccount).where(ChatAccount.id == account_id,
                                                     ChatAccount.unreachable.is_(True))
                           .values(unreachable=False)).rowcount > 0


def mention_ids(session: Session, platform: str,
                whos: Iterable[tuple[int | None, int | None]]) -> dict[tuple[int | None, int | None], str]:
    """The platform's account id for each mention target (``Mention.who``: an account key and/or a
    member): the account itself when it is on ``platform``, else the member's account there (the
    mention's member, or the member the account is bound to). Targets with none are left out (the
    name shows without a link). Two queries for any number of mentions."""
    whos = {w for w in whos if w != (None, None)}
    if not whos:
        return {}
    keys = {a for a, _ in whos if a is not None}
    named = {a.id: a for a in session.exec(select(ChatAccount).where(ChatAccount.id.in_(keys)))} if keys else {}
    members = {m for _, m in whos if m is not None} | {a.member_id for a in named.values() if a.member_id}
    there = dict(session.exec(select(ChatAccount.member_id, ChatAccount.external_id).where(
        ChatAccount.member_id.in_(members), ChatAccount.platform == platform)).all()) if members else {}
    out: dict[tuple[int | None, int | None], str] = {}
    for who in whos:
        account, member = who
        acc = named.get(account)
        if acc is not None and acc.platform == platform:
            out[who] = acc.external_id
        elif member is not None and member in there:
            out[who] = there[member]
        elif acc is not None and acc.member_id in there:
            out[who] = there[acc.member_id]
    return out


def private_chat_of_account(session: Session, account_id: int | None) -> int | None:
    acc = account(session, account_id)
    return acc.private_chat_id if acc is not None else None


def is_private(session: Session, chat_id: int) -> bool:
    row = chat(session, chat_id)
    return row is not None and row.kind == ChatKind.private


@dataclass(frozen=True)
class Destination:
    """Where a chat key is on its platform: what a platform adapter delivers to."""

    platform: str
    external_id: str
    kind: str

    @property
    def is_private(self) -> bool:
        return self.kind == ChatKind.private


def destination(session: Session, chat_id: int) -> Destination | None:
    row = chat(session, chat_id)
    return Destination(row.platform, row.external_id, row.kind) if row is not None else None


def file_ref(platform: str, file_id: str | None) -> str | None:
    """A platform's file id as stored: ``telegram:<file id>`` (whose platform can send it again)."""
    return f"{platform}{FILE_SEPARATOR}{file_id}" if file_id else None


def file_id(ref: str | None, platform: str) -> str | None:
    """The platform's own id of a stored file reference, or None when it is another platform's
    (that platform's file cannot be sent here by id)."""
    if not ref:
        return None
    prefix, sep, rest = ref.partition(FILE_SEPARATOR)
    return rest if sep and prefix == platform and rest else None


def bound_member_ids(session: Session, member_ids: list[int] | None = None) -> set[int]:
    """Which members (of ``member_ids``, else all) have a chat account bound."""
    query = select(ChatAccount.member_id).where(ChatAccount.member_id.is_not(None))
    if member_ids is not None:
        query = query.where(ChatAccount.member_id.in_(member_ids))
    return set(session.exec(query).all())
