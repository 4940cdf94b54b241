"""Reading a message: the parser, each community's place names (cached per process), and
turning what was said about a place into a building of the database."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from sqlmodel import Session, select

from bot.infra import changes, metrics
from bot.places import service as places
from models import Building, Compound

from .context import Context, GroupBinding

from bot.nlu import Gazetteer, get_parser, same_issue  # noqa: F401

_lock = threading.Lock()
_gazetteers = changes.ChangeCache()


def gazetteer_for(ctx: Context, community_id: int):
    """The community's ``Gazetteer``, kept per process (one object per community, so the
    parser's per-gazetteer caches stay warm) and read again when place names changed anywhere
    (``bot.infra.changes``: a roster import or an alias on another instance), or at the latest
    after ``cache_ttl_seconds``."""
    bind = ctx.session.get_bind()
    key = (str(bind.url), community_id)
    now = time.monotonic()
    seen, gaz = _gazetteers.get(bind, key, now)
    if gaz is not changes.ChangeCache.MISSING:
        return gaz
    raw = places.gazetteer(ctx.session, community_id)
    gaz = Gazetteer(compounds=raw["compounds"], buildings=raw["buildings"])
    # the same names as before: keep the object the parser already knows
    return _gazetteers.put(key, seen, gaz, now + ctx.settings.cache_ttl_seconds, keep_equal=True)


def forget_gazetteers() -> None:
    _gazetteers.clear()
    with _lock:
        _issue_parses.clear()


_issue_parses: OrderedDict[tuple[str, int], object] = OrderedDict()
_ISSUE_PARSES_MAX = 20_000


def parsed_issues(ctx: Context, community_id: int, issues) -> list:
    """The parse of each issue's text (an issue's text never changes: parsed once per process,
    the missing ones in one batch) — what duplicate detection compares a new report with."""
    url = str(ctx.session.get_bind().url)
    keys = [(url, issue.id) for issue in issues]
    missing = [(key, issue) for key, issue in zip(keys, issues) if key not in _issue_parses]
    if missing:
        results = parser_of(ctx).parse_many([issue.text for _key, issue in missing],
                                            gazetteer_for(ctx, community_id))
        with _lock:
            for (key, _issue), result in zip(missing, results):
                _issue_parses[key] = result
            while len(_issue_parses) > _ISSUE_PARSES_MAX:
                _issue_parses.popitem(last=False)
    return [_issue_parses[key] for key in keys]


def parser_of(ctx: Context):
    if ctx.parser is None:
        ctx.parser = get_parser()
    return ctx.parser


def parse(ctx: Context, text: str, community_id: int):
    parser, gazetteer = parser_of(ctx), gazetteer_for(ctx, community_id)
    started = time.perf_counter()
    result = parser.parse(text, gazetteer)
    metrics.parsed(time.perf_counter() - started)
    return result


@dataclass
class Where:
    """What a message says about the place, resolved against the community's buildings."""

    building: Building | None = None
    choices: list[Building] = field(default_factory=list)  # several compounds share the number
    said: str = ""  # the building as said (「9栋」), when it does not exist
    unit: str = ""
    room: str = ""
    compound_id: int | None = None

    @property
    def found(self) -> bool:
        return self.building is not None

    @property
    def unknown(self) -> bool:
        """A building was named that the community does not have."""
        return self.building is None and not self.choices and bool(self.said)

    @property
    def ambiguous(self) -> bool:
        return self.building is None and len(self.choices) > 1


def compound_id_of(session: Session, community_id: int, name: str) -> int | None:
    if not name:
        return None
    found = places.find_compound(session, community_id, name)
    return found.id if found else None


def resolve(ctx: Context, community_id: int, place, group: GroupBinding | None = None,
            compound_id: int | None = None) -> Where:
    """``place`` is the parser's ``Place``; the compound is the one said, else ``compound_id``
    (from an earlier message), else the group's (业主群)."""
    said_compound = compound_id_of(ctx.session, community_id, getattr(place, "compound", ""))
    compound = said_compound or compound_id or (group.compound_id if group else None)
    where = Where(unit=getattr(place, "unit", "") or "", room=getattr(place, "room", "") or "",
                  compound_id=compound)
    number = getattr(place, "building", "") or ""
    if not number:
        return where
    found = places.find_buildings(ctx.session, community_id, number, compound_id=compound)
    if len(found) == 1:
        where.building = found[0]
    elif len(found) > 1:
        where.choices = sorted(found, key=lambda b: (b.compound_id or 0, b.id))
    else:
        name = ctx.session.get(Compound, compound).name if compound else ""
        where.said = f"{name}{number}{'栋' if number.isdigit() else ''}"
    return where


def building_in(ctx: Context, community_id: int, building_id: int | None) -> Building | None:
    if building_id is None:
        return None
    building = ctx.session.get(Building, building_id)
    return building if building is not None and building.community_id == community_id else None


def community_buildings(session: Session, community_id: int) -> list[Building]:
    return list(session.exec(select(Building).where(Building.community_id == community_id)).all())
