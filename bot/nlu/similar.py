"""Are two reports one issue? The same problem — the same thing, wrong in the same way — at a
place that does not contradict.

The place is a condition, not the evidence, and a hard one: another compound, building, unit or
room, another gate (东门 / 西门), area (东区 / 二期), part of the building (the roof / the
basement) or numbered thing (1号电梯 / 2号电梯) makes two issues whatever the wording (a compound's name written as heard — 眉江花园 for
湄江花园, 茶乡小区 for 茶乡佳苑 — is no other compound), and so does a message that is plainly no
report. One message sent again (the same words once addresses, contact details, punctuation and
particles are out) or with only a clause of impatience added (「…，怎么还没人来修」) is one issue.
Otherwise a learned comparison (``pairs``) decides: a logistic regression over the pair's
features — the hand vocabulary's verdict (``rule_judgement``: the thing named in any of its names, 垃圾桶 / 垃圾箱, 蟑螂 / 小强, and what is wrong with it), whether things and troubles
are shared, *what differs where the two texts differ*, and a character embedding learned from
the corpus for the names the vocabulary lacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .pairs import (PairModel, core, features, only_directions_differ, only_impatience_added, pair_model,
                    read_slips)
from .parser import ParseResult, get_parser
from .place import Gazetteer
from .problems import AGENTS, CONTAINERS, Signature, signature
from .text import numeral_to_arabic

THRESHOLD = 0.6  # of the hand rule's wording score, where no thing decides
CHATTER_SURE = 0.9  # reports the intent model doubts (「孩子坐在6楼窗外空调架上」 0.80) still compare
# Addresses are compared as places; in the wording they would count twice.
_ADDRESS = re.compile(r"[0-9０-９一二三四五六七八九十两]+(?:号楼|栋|幢|座|单元|楼|层|室|号)|[#＃]")


@dataclass(frozen=True, slots=True)
class SameIssue:
    same: bool
    score: float


def _chatter(r: ParseResult, sig: Signature) -> bool:
    """Sure to be no report and naming no trouble (「电梯修好了，谢谢物业」); a short complaint the
    model doubts (「泳池的水好浑」) still counts."""
    return r.intent == "chatter" and r.confidence >= CHATTER_SURE and not sig.problems


def _floor_of(room: str) -> str:
    return room[:-2] if len(room) >= 3 else ""


# A flat's number said bare (「楼上1201」「1502空调水」): the place rules want 室 or a building
# before it; here two different numbers on the two sides are two flats. Years are no flats.
_BARE_ROOM = re.compile(r"(?<![\d.:：/-])(?!20[0-3]\d(?!\d*[室号]))([1-9]\d?0[1-9]|[1-9]0[1-9])(?![\d.:：/元块岁年月日号栋幢座单%])")


def _bare_rooms(text: str) -> set[str]:
    return set(_BARE_ROOM.findall(text))


# A compound named by its stem and 小区 (「茶乡小区」 for 茶乡佳苑) or with a homophone slip (「眉江花园」
# for 湄江花园, 「向山苑」 for 象山苑) is the same compound: residents write its name as they hear it.
# Two names the community's gazetteer holds as two compounds (金城花园 / 锦城花园) stay two.
def _same_compound(x: str, y: str, model: PairModel, gazetteer: Gazetteer | None) -> bool:
    if x == y:
        return True
    if gazetteer is not None and {x, y} <= set(gazetteer.compounds.values()):
        return False
    if model.homophones(x, y):
        return True
    for name, other in ((x, y), (y, x)):
        stem = name.removesuffix("小区")
        if stem != name and len(stem) >= 2 and other.startswith(stem):
            return True
    return False


def _places_differ(a: ParseResult, b: ParseResult, model: PairModel, gazetteer: Gazetteer | None) -> bool:
    pa, pb = a.place, b.place
    if pa.compound and pb.compound and not _same_compound(pa.compound, pb.compound, model, gazetteer):
        return True
    for field in ("building", "unit"):
        x, y = getattr(pa, field), getattr(pb, field)
        if x and y and x != y:
            return True
    # A leak names two flats (「1801往1701渗水」, 「601漏到我家501」): two reports of it name the
    # same pair in other words, or only one of it; flats or floors none of which agree are
    # another place.
    rooms_a = {pa.room} - {""} | _bare_rooms(a.text)
    rooms_b = {pb.room} - {""} | _bare_rooms(b.text)
    if rooms_a and rooms_b and not rooms_a & rooms_b:
        return True
    floors_a = {pa.floor} - {""} | {f for r in rooms_a if (f := _floor_of(r))}
    floors_b = {pb.floor} - {""} | {f for r in rooms_b if (f := _floor_of(r))}
    return bool(floors_a and floors_b and not floors_a & floors_b)


# One of several numbered things of a kind (「A座1号电梯」 / 「A座2号电梯」, 「1号门」 / 「2号门」, 「3号桩」):
# two numbers for one kind are two things, whatever else the texts share (round 20: dev_r19's two lifts
# out of service were one issue at 1.0, the addresses stripped). Not 楼梯 (「五号楼梯间」 is building 5's).
_NUMBERED = re.compile(r"([0-9一二三四五六七八九十两]{1,3})\s*号\s*(电梯|梯|门|岗|桩|柜|车位|井)(?!间)")
_KIND_OF = {"梯": "电梯"}


def _numbered(text: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for number, kind in _NUMBERED.findall(text):
        if (n := numeral_to_arabic(number)):
            found.setdefault(_KIND_OF.get(kind, kind), set()).add(n)
    return found


def _numbered_things_differ(a_text: str, b_text: str) -> bool:
    na, nb = _numbered(a_text), _numbered(b_text)
    return any(kind in nb and not numbers & nb[kind] for kind, numbers in na.items())


def _subplaces_differ(sa: Signature, sb: Signature) -> bool:
    return any(kind in sb.places and not (names & sb.places[kind]) for kind, names in sa.places.items())


def _bigrams(s: str) -> set[str]:
    s = _ADDRESS.sub(" ", s)
    return {b for i in range(len(s) - 1) if " " not in (b := s[i : i + 2]) and not b.isdigit()}


def _jaccard(x: set, y: set) -> float:
    return len(x & y) / len(x | y) if x and y else 0.0


def _troubles_differ(sa: Signature, sb: Signature) -> bool:
    ka, kb = sa.trouble_kinds, sb.trouble_kinds
    return bool(ka and kb and not ka & kb)


def hard_different(ra: ParseResult, rb: ParseResult, sa: Signature, sb: Signature,
                   model: PairModel | None = None, gazetteer: Gazetteer | None = None) -> float | None:
    """The score of a pair that is two issues whatever its wording (another place, another
    sub-place, a message that is no report), else None."""
    chatter_a, chatter_b = _chatter(ra, sa), _chatter(rb, sb)
    # Talk is no report; but a terse report the model misreads as talk (「会所那台跑步机一跑就打滑」)
    # still meets a report about the same thing, so one side's talk parts only when the two name
    # no thing in common.
    if (chatter_a and chatter_b) or ((chatter_a or chatter_b) and not sa.objects & sb.objects):
        return 0.0
    if _places_differ(ra, rb, model or pair_model(), gazetteer):
        return 0.0
    if _subplaces_differ(sa, sb) or only_directions_differ(ra.text, rb.text) or _numbered_things_differ(ra.text, rb.text):
        return 0.1
    return None


def _place_agree(ra: ParseResult, rb: ParseResult, sa: Signature, sb: Signature) -> int:
    """How many parts of the place both name alike (building, unit, floor, room, sub-places)."""
    pa, pb = ra.place, rb.place
    n = sum(bool(x) and x == y for x, y in ((pa.building, pb.building), (pa.unit, pb.unit),
                                           (pa.floor, pb.floor), (pa.room, pb.room)))
    return n + sum(bool(names & sb.places.get(kind, frozenset())) for kind, names in sa.places.items())


def _read_pair(ra: ParseResult, rb: ParseResult, model: PairModel,
               gazetteer: Gazetteer | None = None) -> tuple[str, Signature, Signature, float | None]:
    """What both the bot's verdict and training start from: ``rb``'s text with its homophone
    slips of ``ra``'s words read as meant, the two signatures, and the hard rules' score (None
    when they let the pair through)."""
    b_text = read_slips(ra.text, rb.text, model)
    sa, sb = signature(ra.text), signature(b_text)
    return b_text, sa, sb, hard_different(ra, rb, sa, sb, model, gazetteer)


def pair_features(ra: ParseResult, rb: ParseResult, model: PairModel) -> np.ndarray | None:
    """The learned comparison's features of a pair, or None when the hard rules part them."""
    b_text, sa, sb, hard = _read_pair(ra, rb, model)
    if hard is not None:
        return None
    return _features(ra, rb, b_text, sa, sb, model)


def _features(ra: ParseResult, rb: ParseResult, b_text: str, sa: Signature, sb: Signature,
              model: PairModel) -> np.ndarray:
    return features(ra.text, b_text, sa, sb, ra.category == rb.category,
                    ra.intent == "issue" and rb.intent == "issue", ra.urgent != rb.urgent,
                    _place_agree(ra, rb, sa, sb), rule_judgement(ra, rb, sa, sb), model)


def same_issue(
    a: str | ParseResult, b: str | ParseResult, gazetteer: Gazetteer | None = None
) -> SameIssue:
    parser = None
    if isinstance(a, str) or isinstance(b, str):
        parser = get_parser()
    ra = parser.parse(a, gazetteer) if isinstance(a, str) else a
    rb = parser.parse(b, gazetteer) if isinstance(b, str) else b
    model = pair_model()
    b_text, sa, sb, hard = _read_pair(ra, rb, model, gazetteer)
    if hard is not None:
        return SameIssue(False, hard)
    if core(ra.text) == core(b_text):
        return SameIssue(True, 1.0)  # one message sent again, its punctuation or particles aside
    if only_impatience_added(ra.text, b_text):
        return SameIssue(True, 0.9)
    p = model.probability(_features(ra, rb, b_text, sa, sb, model))
    return SameIssue(bool(p >= model.threshold), round(p, 4))


def rule_judgement(ra: ParseResult, rb: ParseResult, sa: Signature, sb: Signature) -> tuple[bool, float]:
    """The hand vocabulary's verdict on a pair the hard rules let through (one feature of the
    learned comparison): things compared across synonyms, then troubles, then wording."""
    oa, ob = sa.objects, sb.objects
    if oa and ob:
        shared = oa & ob
        if not shared:
            return (False, 0.2)  # two things at one place: two issues
        if (oa - ob - CONTAINERS) and (ob - oa - CONTAINERS):
            return (False, 0.3)  # each names a thing the other does not (车 / 建筑垃圾 in one lane)

        if _troubles_differ(sa, sb):
            return (False, 0.45)  # one thing, wrong in two ways (电梯坏了 / 电梯里脏)
        extra = (oa - ob or ob - oa) - CONTAINERS - AGENTS
        if extra and sa.problems and sb.problems and not sa.problems & sb.problems:
            # one side names a further thing, and no trouble is shared: what the second report
            # is about is that thing (东门保安亭没人 / 东门保安亭的窗户被砸了)
            return (False, 0.5)
        return (True, round(0.7 + 0.3 * len(shared) / len(oa | ob), 4))
    # A thing named on one side only, or on neither: the part of the building, the troubles, the
    # category and the wording decide.
    if _troubles_differ(sa, sb):
        return (False, 0.4)
    parts_a, parts_b = sa.places.get("part"), sb.places.get("part")
    if parts_a and parts_b and (sa.problems & sb.problems or ra.category == rb.category):
        return (True, 0.65)  # the same trouble in the same garage
    chars = _jaccard(_bigrams(ra.text), _bigrams(rb.text))
    troubles = 1.0 if sa.problems & sb.problems else 0.5 if not (sa.problems and sb.problems) else 0.0
    score = 0.3 * (ra.category == rb.category) + 0.3 * troubles + 0.6 * chars
    return (score >= THRESHOLD, round(min(score, 1.0), 4))
