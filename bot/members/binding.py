"""A chat account becomes a member only with proof, and the office can undo it.

Two proofs: the member's own phone number shared through the platform (the platform vouches that
the number is the account's: ``contact.user_id`` is the sender) matching the roster's phone of
exactly one member who has not left; or a one-time invitation the office (or the member's grid
manager) made. Every failure reads the same to the person (``Outcome.refused``: no telling a wrong
number from a taken one or a used code), is a ``BindAttempt`` row, and after ``MAX_FAILURES`` in
``FAILURE_WINDOW`` the account is not even checked any more. Every bind and unbind is a
``MemberEvent``; the member's grid manager and the community's office admins are told.
"""

from __future__ import annotations

import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import segno
from sqlalchemy import delete, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot import identities, notices
from bot.infra.errors import InvalidInput, NotAllowed
from bot.members import logins as access
from bot.members.permissions import holds_staff_role
from bot.messages import Outgoing
from models import (
    BindAttempt,
    CalendarFeed,
    ChatAccount,
    Invitation,
    Member,
    MemberStatus,
    OutboxMessage,
    OutboxStatus,
    PendingQuestion,
    Resident,
    Rota,
)

from ..outbox import enqueue_all
from .notices import BoundNotice, ClaimedElsewhere, RosterBound, UnboundNotice, UnboundToAccount
from .service import detach_account, find_by_account, link_resident, normalize_phone, record_event

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(hours=1)
INVITATION_LIFETIME = timedelta(days=7)
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what a Telegram deep-link payload may carry


@dataclass
class Outcome:
    """``bound``: done now; ``already``: this account is a member already (``member``);
    ``refused``: no proof (one wording for every reason); ``limited``: too many failures."""

    status: str
    member: Member | None = None

    @property
    def refused(self) -> bool:
        return self.status in ("refused", "limited")


@dataclass
class IssuedInvitation:
    code: str  # shown once: only its hash is kept
    invitation: Invitation
    revoked: int = 0  # older unused invitations of the member made void

    def link(self, bot_username: str) -> str:
        return invitation_link(bot_username, self.code)


@dataclass
class Unbound:
    member: Member
    account_id: int  # the account unbound (the first, when the member had several)
    logins_revoked: int = 0
    messages_dropped: int = 0
    notices: list[Outgoing] = field(default_factory=list)


def invitation_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"


# --- attempts ----------------------------------------------------------------------------------


def failures(session: Session, account_id: int, *, now: datetime) -> int:
    """Failed attempts of this account within the window."""
    return session.exec(
        select(func.count(BindAttempt.id)).where(
            BindAttempt.account_id == account_id, BindAttempt.at > now - FAILURE_WINDOW
        )
    ).one()


def _limited(session: Session, account_id: int, now: datetime) -> bool:
    return failures(session, account_id, now=now) >= MAX_FAILURES


def _refuse(session: Session, account_id: int, how: str, reason: str, now: datetime) -> Outcome:
    session.add(BindAttempt(account_id=account_id, at=now, how=how, reason=reason))
    session.flush()
    return Outcome("refused")


# --- binding -------------------------------------------------------------------------------------


def bind_by_contact(
    session: Session, account_id: int, *, phone: str, owner_id: int | None, display_name: str = "", now: datetime
) -> Outcome:
    """The account shared a contact: it binds when the contact is the account's own and its
    number is the roster's phone of exactly one member who has not left and has no account yet."""
    already = find_by_account(session, account_id)
    if already is not None:
        return Outcome("already", already)
    if _limited(session, account_id, now):
        return Outcome("limited")
    if owner_id != account_id:
        return _refuse(session, account_id, "phone", "not_own", now)
    try:
        number = normalize_phone(phone)
    except InvalidInput:
        return _refuse(session, account_id, "phone", "bad_phone", now)
    found = session.exec(select(Member).where(Member.phone == number, Member.status != MemberStatus.left)).all()
    if len(found) != 1:
        return _refuse(session, account_id, "phone", "no_match", now)
    member = found[0]
    if _has_account(session, member, account_id) or not _bind(session, member, account_id, "phone", by=None,
                                                     display_name=display_name, now=now):
        # the phone's owner proved it is theirs, yet the number is bound elsewhere: the office looks
        _notify(session, member, ClaimedElsewhere(member), now=now, office_only=True)
        return _refuse(session, account_id, "phone", "taken", now)
    return Outcome("bound", member)


def bind_by_code(session: Session, account_id: int, code: str, *, display_name: str = "", now: datetime) -> Outcome:
    """``/start <code>``: a live invitation binds its member to this account, once."""
    already = find_by_account(session, account_id)
    if already is not None:
        return Outcome("already", already)
    if _limited(session, account_id, now):
        return Outcome("limited")
    code = (code or "").strip()
    if not _CODE.match(code):
        return _refuse(session, account_id, "invitation", "bad_code", now)
    invitation = session.exec(select(Invitation).where(Invitation.code_hash == access.digest(code))).first()
    if invitation is None:
        return _refuse(session, account_id, "invitation", "unknown", now)
    if invitation.used_at is not None or invitation.revoked_at is not None:
        return _refuse(session, account_id, "invitation", "used" if invitation.used_at else "revoked", now)
    if invitation.expires_at is None or invitation.expires_at <= now:
        return _refuse(session, account_id, "invitation", "expired", now)
    member = session.get(Member, invitation.member_id)
    if member is None or member.status == MemberStatus.left or _has_account(session, member, account_id):
        return _refuse(session, account_id, "invitation", "member", now)
    # single use even against a concurrent redemption: only one UPDATE finds it unused
    taken = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now, used_by_account_id=account_id)
    ).rowcount
    if taken != 1:
        return _refuse(session, account_id, "invitation", "used", now)
    by = session.get(Member, invitation.created_by_id) if invitation.created_by_id else None
    if not _bind(session, member, account_id, "invitation", by=by, display_name=display_name, now=now):
        return _refuse(session, account_id, "invitation", "member", now)
    return Outcome("bound", member)


def _has_account(session: Session, member: Member, account_id: int) -> bool:
    """The member holds an account on the platform of ``account_id`` already."""
    account = session.get(ChatAccount, account_id)
    return account is None or identities.account_of(session, member, account.platform) is not None


def _bind(session: Session, member: Member, account_id: int, how: str, *, by: Member | None,
          display_name: str, now: datetime) -> bool:
    """Bind, unless another account got the member first: two proofs for one member at once (an
    invitation and the phone, on two accounts) must not both win, the later silently replacing
    the earlier. A member has one account per platform (a unique key): of two at once, the
    second's UPDATE fails on it (or finds the account taken) and changes nothing."""
    session.flush()
    try:
        with session.begin_nested():
            taken = session.execute(
                update(ChatAccount)
                .where(ChatAccount.id == account_id, ChatAccount.member_id.is_(None))
                # binding is the account's own doing, in private: it can be written to
                .values(member_id=member.id, bound_at=now, unreachable=False)
                .execution_options(synchronize_session=False)
            ).rowcount
    except IntegrityError:
        taken = 0
    account = session.get(ChatAccount, account_id)
    if account is not None:
        session.expire(account)  # read again: what this UPDATE wrote, or who was first
    if taken != 1:
        return False
    member.updated_at = now
    session.add(member)
    link_resident(session, member, account_id, display_name=display_name, now=now)
    event = record_event(session, member, "bind", how, account_id=account_id, by=by, now=now)
    _notify(session, member, BoundNotice(member, event, by), now=now, skip=by)
    return True


# --- invitations -----------------------------------------------------------------------------------


def may_invite(by: Member | None, member: Member) -> bool:
    """The command line; an office admin of the member's community; the grid manager of the
    member's grid, for members who are not office admins (an invitation is a way in: a grid
    manager holding one for an office admin could become the office with a second account)."""
    if by is None:
        return True
    if by.status == MemberStatus.left or by.community_id != member.community_id:
        return False
    return by.is_office_admin or (by.is_grid_manager and member.grid_id is not None and by.grid_id == member.grid_id
                                  and not member.is_office_admin)


def create_invitation(session: Session, member: Member, *, by: Member | None, now: datetime,
                      lifetime: timedelta = INVITATION_LIFETIME) -> IssuedInvitation:
    """A one-time invitation for ``member`` (valid ``lifetime``); their older unused ones are void."""
    if not may_invite(by, member):
        raise NotAllowed("只有本社区红管家工作室的管理员，或该成员所在网格的网格员，可以发邀请")
    if member.status == MemberStatus.left:
        raise InvalidInput(f"{member.name} 已退出红管家，不能邀请")
    if identities.accounts_of(session, member):
        raise InvalidInput(f"{member.name}（{member.number}）已绑定聊天账号；如需更换，请先解绑（/unbind {member.number}）")
    revoked = session.execute(
        update(Invitation)
        .where(Invitation.member_id == member.id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount or 0
    code = secrets.token_urlsafe(32)
    invitation = Invitation(code_hash=access.digest(code), member_id=member.id,
                            created_by_id=by.id if by is not None else None, created_at=now,
                            expires_at=now + lifetime)
    session.add(invitation)
    session.flush()
    return IssuedInvitation(code, invitation, revoked)


def qr_png(link: str, *, scale: int = 8) -> bytes:
    """The link as a QR code (PNG), for members who are handed a paper."""
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


# --- unbinding -------------------------------------------------------------------------------------


def may_unbind(by: Member | None, member: Member) -> bool:
    """The command line, or an office admin of the member's community."""
    if by is None:
        return True
    return by.status != MemberStatus.left and by.is_office_admin and by.community_id == member.community_id


def unbind(session: Session, member: Member, *, by: Member | None, how: str, now: datetime, note: str = "") -> Unbound:
    """Take the chat account away from ``member``: their web logins end at once, messages still
    waiting to go to that account are dropped, questions it was asked are forgotten."""
    if not may_unbind(by, member):
        raise NotAllowed("只有本社区红管家工作室的管理员可以解绑")
    accounts = identities.accounts_of(session, member)
    if not accounts:
        raise InvalidInput(f"{member.name}（{member.number}）没有绑定聊天账号")
    member.updated_at = now
    session.add(member)
    result = Unbound(member, accounts[0].id)
    for account in accounts:  # every platform's: the member is to bind again, with proof
        private = account.private_chat_id
        detach_account(session, account)
        logins, dropped = release_account(session, member, account.id, now=now)
        result.logins_revoked += logins
        result.messages_dropped += dropped
        event = record_event(session, member, "unbind", how, account_id=account.id, by=by, now=now, note=note)
        if private is not None:
            enqueue_all(session, [Outgoing(chat_id=private, text=notices.render(UnboundToAccount(member)).text, kind="notice")],
                        now=now)
    _notify(session, member, UnboundNotice(member, event, by), now=now, skip=by)
    session.flush()
    return result


def release_account(session: Session, member: Member, old: int, *, now: datetime) -> tuple[int, int]:
    """What the account ``old`` held as the member ends — whether the office unbound it or the
    roster named another account: the member's web logins and calendar link, the unused
    invitations it made, the messages still waiting to go to it and the questions it was asked;
    it stays a resident that no longer speaks for the member. Returns (logins, messages) ended."""
    for resident in session.exec(select(Resident).where(Resident.member_id == member.id,
                                                        Resident.account_id == old)).all():
        resident.member_id = None
        session.add(resident)
    session.flush()
    logins = access.revoke_logins(session, member.id, now=now)
    end_calendar(session, member)
    void_invitations_by(session, member, now=now)
    private = identities.private_chat_of_account(session, old)
    dropped = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.chat_id == private, OutboxMessage.member_id == member.id,
               OutboxMessage.status == OutboxStatus.pending)
        .values(status=OutboxStatus.dead, last_error="unbound: the account no longer belongs to the member")
    ).rowcount or 0
    for question in session.exec(select(PendingQuestion).where(PendingQuestion.chat_id == private,
                                                               PendingQuestion.user_id == old)).all():
        session.delete(question)
    return logins, dropped


def void_invitations_by(session: Session, member: Member, *, now: datetime) -> int:
    """Unused invitations the member made stop working when the account is unbound or the member
    leaves: whoever held the account (an impostor, a departing insider) could still hand them to
    accounts of their own. The office invites again."""
    return session.execute(
        update(Invitation)
        .where(Invitation.created_by_id == member.id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now)
    ).rowcount or 0


def end_calendar(session: Session, member: Member) -> None:
    """The member's calendar link (sent to the account in /myshifts) stops working: whoever holds
    it would otherwise read the patrol times and places, and the handoff notes, for good. The
    member gets a new link with the next /myshifts. Staff also saw every rota's link of their
    community (``/api/rotas``): those end too, and the staff who remain get new ones with their
    next look (their calendar apps subscribe again)."""
    session.execute(delete(CalendarFeed).where(CalendarFeed.member_id == member.id))
    if holds_staff_role(member):
        session.execute(delete(CalendarFeed).where(
            CalendarFeed.rota_id.in_(select(Rota.id).where(Rota.community_id == member.community_id))))


def set_status(session: Session, member: Member, status: str, *, now: datetime) -> None:
    """A member's status changes; leaving ends their web logins and invitations at once."""
    member.status = status
    member.updated_at = now
    session.add(member)
    if status == MemberStatus.left:
        access.revoke_logins(session, member.id, now=now)
        end_calendar(session, member)
        void_invitations_by(session, member, now=now)
        session.execute(
            update(Invitation)
            .where(Invitation.member_id == member.id, Invitation.used_at.is_(None), Invitation.revoked_at.is_(None))
            .values(revoked_at=now)
        )
    session.flush()


# --- who is told -----------------------------------------------------------------------------------


def watchers(session: Session, member: Member, *, office_only: bool = False) -> list[Member]:
    """The member's grid manager(s) and the community's office admins who have a chat account."""
    query = select(Member).where(
        Member.community_id == member.community_id, Member.status != MemberStatus.left,
        Member.id.in_(select(ChatAccount.member_id).where(ChatAccount.member_id.is_not(None))),
        Member.id != member.id,
    )
    people = session.exec(query.order_by(Member.id)).all()
    return [
        m for m in people
        if m.is_office_admin or (not office_only and m.is_grid_manager and member.grid_id is not None
                                 and m.grid_id == member.grid_id)
    ]


def _notify(session: Session, member: Member, fact, *, now: datetime, skip: Member | None = None,
            office_only: bool = False) -> None:
    text = notices.render(fact).text
    outs = [
        Outgoing(chat_id=chat, text=text, kind="notice", member_id=m.id, ref=f"member:{member.id}")
        for m in watchers(session, member, office_only=office_only)
        if (skip is None or m.id != skip.id) and (chat := identities.private_chat(session, m)) is not None
    ]
    enqueue_all(session, outs, now=now)


def notify_roster_binds(session: Session, bound: list[Member], *, now: datetime) -> None:
    """After a roster import: one notice per community office and per grid manager, listing the
    chat accounts the file pre-bound (not one message per member)."""
    by_reader: dict[int, tuple[Member, list[Member]]] = {}
    for member in bound:
        for reader in watchers(session, member):
            by_reader.setdefault(reader.id, (reader, []))[1].append(member)
    outs = []
    for reader, members in by_reader.values():
        chat = identities.private_chat(session, reader)
        if chat is not None:
            text = notices.render(RosterBound(tuple(members))).text
            outs.append(Outgoing(chat_id=chat, text=text, kind="notice", member_id=reader.id))
    enqueue_all(session, outs, now=now)
