"""Creating, finding and binding members; residents who write in a bound group."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from models import Building, ChatAccount, Community, Grid, Member, MemberEvent, MemberStatus, Resident, Role, WorkUnit

from bot import identities
from bot.infra.errors import InvalidInput, NotFound
from bot.infra.masking import clean
from .numbers import MemberNumber

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(text: str) -> str:
    """A mainland mobile number, 11 digits; ``+86 138-0000-0000`` is accepted and cleaned."""
    digits = re.sub(r"[\s\-()（）]", "", unicodedata.normalize("NFKC", str(text or "")))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if digits.endswith(".0"):  # a spreadsheet cell read as a float
        digits = digits[:-2]
    if not _MOBILE.match(digits):
        raise InvalidInput(f"手机号「{text}」不是有效的11位手机号")
    return digits


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


@dataclass(frozen=True)
class Titles:
    grid_manager: bool = False
    mediator: bool = False
    office_admin: bool = False


def ensure_work_unit(session: Session, name: str) -> tuple[WorkUnit, bool]:
    name = name.strip()
    found = session.exec(select(WorkUnit).where(WorkUnit.name == name)).first()
    if found:
        return found, False
    code = (session.exec(select(func.max(WorkUnit.code))).one() or 0) + 1
    if code > 999:
        raise InvalidInput("单位代码已满 999 个")
    unit = WorkUnit(name=name, code=code)
    session.add(unit)
    session.flush()
    return unit, True


def number_of(
    session: Session,
    *,
    role: int,
    community: Community,
    seq: int,
    work_unit_id: int | None,
    grid_id: int | None,
    building_id: int | None,
) -> MemberNumber:
    unit = session.get(WorkUnit, work_unit_id) if work_unit_id else None
    grid = session.get(Grid, grid_id) if grid_id else None
    building = session.get(Building, building_id) if building_id else None
    return MemberNumber(
        role=role,
        community=community.code,
        unit=unit.code if unit and role == Role.unit_cadre else 0,  # the number carries role 2's only
        grid=grid.number if grid else 0,
        building=building.code if building else 0,
        seq=seq,
    )


def _check_role_fields(role: int, work_unit_id, building_id) -> None:
    if role not in {r.value for r in Role}:
        raise InvalidInput(f"角色须为 1–6，收到 {role}")
    if role == Role.unit_cadre and not work_unit_id:
        raise InvalidInput("2号红管家（包联单位人员）须填写所在单位")
    if role == Role.building_head and not building_id:
        raise InvalidInput("6号红管家（楼栋长）须填写所管楼栋")


def create_member(
    session: Session,
    *,
    name: str,
    role: int,
    community: Community,
    phone: str | None,
    now: datetime,
    grid: Grid | None = None,
    building: Building | None = None,
    work_unit: WorkUnit | None = None,
    account_id: int | None = None,
    titles: Titles = Titles(),
    work_unit_name: str = "",
    position: str = "",
) -> Member:
    """``work_unit`` is the coded unit of a role-2 member; anyone's 单位 is ``work_unit_name``
    (role 2's defaults to the coded unit's name)."""
    name = clean(name).strip()
    if role != Role.unit_cadre:
        work_unit_name, work_unit = work_unit_name or (work_unit.name if work_unit else ""), None
    if not name:
        raise InvalidInput("姓名不能为空")
    phone = normalize_phone(phone) if phone else None
    if grid is None and building is not None and building.grid_id:
        grid = session.get(Grid, building.grid_id)
    _check_role_fields(role, work_unit and work_unit.id, building and building.id)
    if phone and session.exec(select(Member.id).where(Member.phone == phone)).first():
        raise InvalidInput(f"手机号 {mask_phone(phone)} 已被其他红管家使用")
    account = identities.account(session, account_id)
    if account_id is not None and (account is None or account.member_id is not None):
        raise InvalidInput("这个聊天账号已绑定其他红管家")
    seq = (
        session.exec(
            select(func.max(Member.seq)).where(Member.community_id == community.id)
        ).one()
        or 0
    ) + 1
    number = number_of(
        session,
        role=role,
        community=community,
        seq=seq,
        work_unit_id=work_unit.id if work_unit else None,
        grid_id=grid.id if grid else None,
        building_id=building.id if building else None,
    )
    member = Member(
        number=str(number),
        seq=seq,
        name=name,
        role=role,
        community_id=community.id,
        work_unit_id=work_unit.id if work_unit else None,
        work_unit_name=work_unit_name or (work_unit.name if work_unit else ""),
        position=position,
        grid_id=grid.id if grid else None,
        building_id=building.id if building else None,
        phone=phone,
        is_grid_manager=titles.grid_manager,
        is_mediator=titles.mediator,
        is_office_admin=titles.office_admin,
        created_at=now,
        updated_at=now,
    )
    session.add(member)
    session.flush()
    if account is not None:
        attach_account(session, account, member, now=now)
        link_resident(session, member, account.id, now=now)
        # a chat account given with the member (the roster's 电报ID): the office vouches for it
        record_event(session, member, "bind", "roster", account_id=account.id, now=now)
    return member


def record_event(
    session: Session, member: Member, kind: str, how: str, *, account_id: int | None, now: datetime,
    by: Member | None = None, note: str = "",
) -> MemberEvent:
    """A chat account bound to (``kind="bind"``) or unbound from a member: ``how`` is phone,
    invitation, roster, cli or office."""
    event = MemberEvent(member_id=member.id, kind=kind, how=how, account_id=account_id,
                        by_id=by.id if by is not None else None, at=now, note=note[:256])
    session.add(event)
    session.flush()
    return event


def renumber(session: Session, member: Member) -> None:
    """Recompute the printed number after role, unit, grid or building changed; seq stays."""
    _check_role_fields(member.role, member.work_unit_id, member.building_id)
    community = session.get(Community, member.community_id)
    member.number = str(
        number_of(
            session,
            role=member.role,
            community=community,
            seq=member.seq,
            work_unit_id=member.work_unit_id,
            grid_id=member.grid_id,
            building_id=member.building_id,
        )
    )
    session.add(member)


def get_member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound(f"没有编号为 {member_id} 的红管家")
    return member


def find_by_number(session: Session, text: str) -> Member | None:
    number = MemberNumber.parse_typed(text)
    return session.exec(select(Member).where(Member.number == str(number))).first()


def find_by_account(session: Session, account_id: int | None) -> Member | None:
    """The member a chat account (its key) is bound to."""
    return identities.member_of(session, account_id)


def attach_account(session: Session, account: ChatAccount, member: Member, *, now: datetime) -> None:
    """The account speaks for ``member`` from now on (the caller checked the proof)."""
    account.member_id = member.id
    account.bound_at = now
    session.add(account)
    session.flush()


def detach_account(session: Session, account: ChatAccount) -> None:
    account.member_id = None
    session.add(account)
    session.flush()


def find_by_phone(session: Session, phone: str) -> Member | None:
    return session.exec(select(Member).where(Member.phone == normalize_phone(phone))).first()


def mark_reachable(session: Session, account_id: int) -> None:
    """The account wrote to the bot in private: private messages reach it again (it had blocked
    the bot, or never pressed Start), so a member's alerts go to it directly once more."""
    identities.wrote_in_private(session, account_id)


def link_resident(
    session: Session, member: Member, account_id: int, *, display_name: str = "", now: datetime
) -> None:
    resident = get_or_create_resident(
        session,
        account_id,
        display_name=display_name or member.name,
        community_id=member.community_id,
        now=now,
    )
    if resident.member_id != member.id:
        _give_way(session, member, keep=resident.id)
        resident.member_id = member.id
        if member.building_id and not resident.building_id:
            resident.building_id = member.building_id
        session.add(resident)


def _give_way(session: Session, member: Member, *, keep: int | None) -> None:
    """Another record that speaks for ``member`` (one made before they had a chat account, or
    their previous account's) lets go (Resident.member_id is unique): the member's current
    account's record speaks for them from now on."""
    older = session.exec(
        select(Resident).where(Resident.member_id == member.id, Resident.id != keep)
        if keep is not None else select(Resident).where(Resident.member_id == member.id)
    ).first()
    if older is not None:
        older.member_id = None
        session.add(older)
        session.flush()


def get_or_create_resident(
    session: Session,
    account_id: int,
    *,
    display_name: str = "",
    community_id: int | None = None,
    now: datetime,
) -> Resident:
    """The resident record of a chat account (its key), made on first sight."""
    display_name = clean(display_name).strip()
    member = None
    resident = session.exec(select(Resident).where(Resident.account_id == account_id)).first()
    if resident is None:
        member = find_by_account(session, account_id)
        if member is not None:
            # the member may already report through a record made before they had a chat account
            resident = session.exec(
                select(Resident).where(Resident.member_id == member.id, Resident.account_id.is_(None))
            ).first()
            if resident is not None:
                resident.account_id = account_id
                session.add(resident)
                session.flush()
    if resident is None:
        if member is not None:
            _give_way(session, member, keep=None)
        resident = Resident(
            account_id=account_id,
            display_name=display_name[:128],
            community_id=community_id or (member.community_id if member else None),
            member_id=member.id if member else None,
            building_id=member.building_id if member else None,
            created_at=now,
        )
        session.add(resident)
        session.flush()
    elif community_id and resident.community_id is None:
        resident.community_id = community_id
        session.add(resident)
    if display_name and resident.display_name != display_name[:128]:
        resident.display_name = display_name[:128]
        session.add(resident)
    return resident


def find_resident(session: Session, account_id: int) -> Resident | None:
    return session.exec(select(Resident).where(Resident.account_id == account_id)).first()


def resident_community_id(session: Session, account_id: int) -> int | None:
    """The community the resident record of a chat account first wrote from (None for someone
    never seen in a bound group)."""
    resident = session.exec(select(Resident).where(Resident.account_id == account_id)).first()
    return resident.community_id if resident is not None else None


def resident_for_member(session: Session, member: Member, *, now: datetime) -> Resident:
    """The resident record a member reports through (created without a chat account if needed)."""
    resident = session.exec(select(Resident).where(Resident.member_id == member.id)).first()
    if resident is None:
        account = identities.account_of(session, member)
        taken = account is not None and session.exec(
            select(Resident.id).where(Resident.account_id == account.id)).first() is not None
        resident = Resident(
            account_id=account.id if account is not None and not taken else None,
            display_name=member.name,
            community_id=member.community_id,
            building_id=member.building_id,
            member_id=member.id,
            created_at=now,
        )
        session.add(resident)
        session.flush()
    return resident


def is_available(session: Session, member: Member) -> bool:
    """Someone routing may name: active, not away, not blocking the bot everywhere."""
    return member.status == MemberStatus.active and not identities.is_blocked(session, member)
