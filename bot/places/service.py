"""Places: communities, grids, compounds and buildings, and finding a building by what people call it."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from models import Building, Community, Compound, Grid, PlaceAlias

from bot.infra import changes
from bot.infra.errors import InvalidInput, NotFound
from bot.infra.ids import fits, parse_id

_CN_DIGITS = "零〇一二两三四五六七八九十百"
_BUILDING_REF = re.compile(
    rf"^(?:第)?(?P<num>\d+|[{_CN_DIGITS}]+)\s*(?:号楼|号栋|号|栋楼|栋|幢|座|#楼|#|楼)?$"
)


def normalize(text: str) -> str:
    """Full-width to half-width, no spaces: ``３ 栋`` and ``3栋`` are the same reference."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def chinese_number(text: str) -> int | None:
    """``12`` / ``十二`` / ``五零一`` → int; None when it is not a number."""
    if text.isdecimal():  # not isdigit(): 「²」 is a digit int() refuses
        return int(text)
    try:
        import cn2an  # 0.2 s to import, for the numbers written in Chinese only

        value = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    return int(value) if value == int(value) else None


def building_number(ref: str) -> str | None:
    """The building number in a bare reference: 「3栋」「三号楼」「3#」「３幢」 → "3"."""
    m = _BUILDING_REF.match(normalize(ref))
    if not m:
        return None
    n = chinese_number(m.group("num"))
    return str(n) if n is not None and n > 0 else None


# --- communities -------------------------------------------------------------------------


def create_community(
    session: Session, name: str, *, code: int | None = None, district: str = "", now: datetime
) -> Community:
    name = name.strip()
    if not name:
        raise InvalidInput("社区名称不能为空")
    if session.exec(select(Community).where(Community.name == name)).first():
        raise InvalidInput(f"社区「{name}」已存在")
    if code is None:
        code = (session.exec(select(func.max(Community.code))).one() or 0) + 1
    if not 1 <= code <= 999:
        raise InvalidInput("社区代码须在 1–999 之间")
    community = Community(name=name, code=code, district=district, created_at=now)
    session.add(community)
    session.flush()
    return community


def find_community(session: Session, ref: str | int) -> Community | None:
    """By name or by its three-digit code."""
    code = ref if isinstance(ref, int) else parse_id(str(ref))
    if code is not None and fits(code):
        found = session.exec(select(Community).where(Community.code == code)).first()
        if found:
            return found
    return session.exec(select(Community).where(Community.name == str(ref).strip())).first()


def get_community(session: Session, ref: str | int) -> Community:
    found = find_community(session, ref)
    if found is None:
        raise NotFound(f"没有找到社区「{ref}」")
    return found


def ensure_community(session: Session, name: str, *, now: datetime) -> tuple[Community, bool]:
    found = find_community(session, name)
    if found:
        return found, False
    return create_community(session, name, now=now), True


# --- grids -------------------------------------------------------------------------------


def find_grid(session: Session, community_id: int, ref: str | int) -> Grid | None:
    """By name (「第一网格」) or number (1, 「1」, 「一」, 「1网格」)."""
    text = normalize(str(ref))
    found = session.exec(
        select(Grid).where(Grid.community_id == community_id, Grid.name == text)
    ).first()
    if found:
        return found
    m = re.fullmatch(rf"(?:第)?(\d+|[{_CN_DIGITS}]+)(?:号)?(?:网格|格)?", text)
    n = chinese_number(m.group(1)) if m else None
    if n is None or not fits(n):
        return None
    return session.exec(
        select(Grid).where(Grid.community_id == community_id, Grid.number == n)
    ).first()


def ensure_grid(
    session: Session, community: Community, name: str, *, number: int | None = None
) -> tuple[Grid, bool]:
    found = find_grid(session, community.id, name)
    if found:
        return found, False
    if number is None:
        m = re.fullmatch(rf"(?:第)?(\d+|[{_CN_DIGITS}]+)(?:号)?(?:网格|格)", normalize(name))
        wanted = chinese_number(m.group(1)) if m else None
        taken = session.exec(
            select(Grid.id).where(Grid.community_id == community.id, Grid.number == wanted)
        ).first()
        if wanted and 1 <= wanted <= 99 and not taken:
            number = wanted
        else:
            number = (
                session.exec(
                    select(func.max(Grid.number)).where(Grid.community_id == community.id)
                ).one()
                or 0
            ) + 1
    if not 1 <= number <= 99:
        raise InvalidInput(f"社区「{community.name}」的网格已满 99 个")
    grid = Grid(community_id=community.id, number=number, name=normalize(name) or f"{number}网格")
    session.add(grid)
    session.flush()
    return grid, True


# --- compounds ---------------------------------------------------------------------------


def find_compound(session: Session, community_id: int, ref: str) -> Compound | None:
    text = normalize(ref)
    found = session.exec(
        select(Compound).where(Compound.community_id == community_id, Compound.name == text)
    ).first()
    if found:
        return found
    alias = session.exec(
        select(PlaceAlias).where(
            PlaceAlias.community_id == community_id,
            PlaceAlias.kind == "compound",
            PlaceAlias.alias == text,
        )
    ).first()
    return session.get(Compound, alias.target_id) if alias else None


def ensure_compound(
    session: Session, community: Community, name: str, *, aliases: tuple[str, ...] = ()
) -> tuple[Compound, bool]:
    found = find_compound(session, community.id, name)
    created = found is None
    if created:
        found = Compound(community_id=community.id, name=normalize(name))
        session.add(found)
        session.flush()
        changes.announce_places(session)
    for alias in aliases:
        add_alias(session, community.id, "compound", found.id, alias)
    return found, created


# --- buildings ---------------------------------------------------------------------------


def ensure_building(
    session: Session,
    community: Community,
    ref: str,
    *,
    grid: Grid | None = None,
    compound: Compound | None = None,
    aliases: tuple[str, ...] = (),
) -> tuple[Building, bool]:
    """The building ``ref`` (「3栋」, 「三号楼」, 「综合楼」) of the community, created when missing.
    A building found without a grid takes the grid given."""
    number = building_number(ref) or normalize(ref)
    if not number:
        raise InvalidInput("楼栋不能为空")
    found = session.exec(
        select(Building).where(
            Building.community_id == community.id,
            Building.number == number,
            Building.compound_id == (compound.id if compound else None),
        )
    ).first()
    created = found is None
    if created:
        code = (
            session.exec(
                select(func.max(Building.code)).where(Building.community_id == community.id)
            ).one()
            or 0
        ) + 1
        if code > 999:
            raise InvalidInput(f"社区「{community.name}」的楼栋已满 999 栋")
        found = Building(
            community_id=community.id,
            grid_id=grid.id if grid else None,
            compound_id=compound.id if compound else None,
            number=number,
            code=code,
        )
        session.add(found)
        session.flush()
        changes.announce_places(session)
    elif grid is not None and found.grid_id is None:
        found.grid_id = grid.id
        session.add(found)
    for alias in aliases:
        add_alias(session, community.id, "building", found.id, alias)
    return found, created


def find_buildings(
    session: Session, community_id: int, ref: str, *, compound_id: int | None = None
) -> list[Building]:
    """Every building of the community that ``ref`` may mean (several when compounds share numbers)."""
    text = normalize(ref)
    query = select(Building).where(Building.community_id == community_id)
    if compound_id is not None:
        query = query.where(Building.compound_id == compound_id)
    number = building_number(text)
    if number is not None:
        found = list(session.exec(query.where(Building.number == number)).all())
        if found:
            return found
    alias_ids = session.exec(
        select(PlaceAlias.target_id).where(
            PlaceAlias.community_id == community_id,
            PlaceAlias.kind == "building",
            PlaceAlias.alias == text,
        )
    ).all()
    if alias_ids:
        return list(session.exec(query.where(Building.id.in_(alias_ids))).all())
    return list(session.exec(query.where(Building.number == text)).all())


def add_alias(session: Session, community_id: int, kind: str, target_id: int, alias: str) -> None:
    alias = normalize(alias)
    if not alias:
        return
    exists = session.exec(
        select(PlaceAlias.id).where(
            PlaceAlias.community_id == community_id,
            PlaceAlias.kind == kind,
            PlaceAlias.alias == alias,
            PlaceAlias.target_id == target_id,
        )
    ).first()
    if not exists:
        session.add(
            PlaceAlias(community_id=community_id, kind=kind, target_id=target_id, alias=alias)
        )
        changes.announce_places(session)


def building_label(session: Session, building: Building | None) -> str:
    """「阳光花园3栋」 or 「3栋」 or 「综合楼」, as residents would say it."""
    if building is None:
        return ""
    prefix = ""
    if building.compound_id:
        compound = session.get(Compound, building.compound_id)
        prefix = compound.name if compound else ""
    suffix = "栋" if building.number.isdigit() else ""
    return f"{prefix}{building.number}{suffix}"


def place_label(
    session: Session,
    *,
    building_id: int | None = None,
    grid_id: int | None = None,
    unit: str = "",
    room: str = "",
) -> str:
    """Where something is, as people say it: 「阳光花园3栋2单元501室」, else the grid's name,
    else "". Plain text: escape it where it is shown."""
    building = session.get(Building, building_id) if building_id else None
    if building is not None:
        label = building_label(session, building)
        if unit:
            label += f"{unit}单元"
        if room:
            label += f"{room}室" if room.isdigit() else room
        return label
    grid = session.get(Grid, grid_id) if grid_id else None
    return grid.name if grid else ""


def gazetteer(session: Session, community_id: int) -> dict[str, dict[str, str]]:
    """A community's place names for message understanding: alias → compound name, and
    custom building alias → building number."""
    compounds = {
        c.name: c.name
        for c in session.exec(select(Compound).where(Compound.community_id == community_id))
    }
    buildings: dict[str, str] = {}
    for alias in session.exec(
        select(PlaceAlias).where(PlaceAlias.community_id == community_id)
    ):
        if alias.kind == "compound":
            target = session.get(Compound, alias.target_id)
            if target:
                compounds[alias.alias] = target.name
        else:
            target = session.get(Building, alias.target_id)
            if target:
                buildings[alias.alias] = target.number
    return {"compounds": compounds, "buildings": buildings}
