"""Are two reports one issue? Same place, same kind of problem, in different words.

「5栋门口垃圾好多」 and 「五幢楼下垃圾堆成山了没人管」: building 5 both, sanitation both, and
both name garbage. A different building or compound vetoes; otherwise the score mixes
category, the concepts the two share, and their character overlap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .parser import ParseResult, get_parser
from .place import Gazetteer

# Concepts that say how a message is written, not what it is about.
_STYLE_CONCEPTS = frozenset(
    {"neglect", "complaint", "help_request", "danger", "broken", "neighbor", "night", "greeting",
     "thanks", "ack", "festival", "notice", "resolved", "laugh", "trade", "policy", "home_repair"}
)
THRESHOLD = 0.6
# Place and category alone reach the threshold; without this much in common in what the two say
# (a shared concept, or a fair share of wording) they are two problems in one building.
MIN_CONTENT = 0.3
# Addresses are compared by the place score; in the wording they would count twice.
_ADDRESS = re.compile(r"[0-9０-９一二三四五六七八九十两]+(?:号楼|栋|幢|座|单元|楼|层|室|号)|[#＃]")


@dataclass(frozen=True, slots=True)
class SameIssue:
    same: bool
    score: float


def _place_score(a: ParseResult, b: ParseResult) -> float | None:
    """1 same place, 0.5 unknown, None when the places contradict each other."""
    pa, pb = a.place, b.place
    if pa.compound and pb.compound and pa.compound != pb.compound:
        return None
    if pa.building and pb.building:
        if pa.building != pb.building:
            return None
        if pa.unit and pb.unit and pa.unit != pb.unit:
            return 0.6
        return 1.0
    return 0.5


def _bigrams(s: str) -> set[str]:
    s = _ADDRESS.sub(" ", s)
    return {b for i in range(len(s) - 1) if " " not in (b := s[i : i + 2]) and not b.isdigit()}


def _jaccard(x: set, y: set) -> float:
    return len(x & y) / len(x | y) if x and y else 0.0


def same_issue(
    a: str | ParseResult, b: str | ParseResult, gazetteer: Gazetteer | None = None
) -> SameIssue:
    parser = None
    if isinstance(a, str) or isinstance(b, str):
        parser = get_parser()
    ra = parser.parse(a, gazetteer) if isinstance(a, str) else a
    rb = parser.parse(b, gazetteer) if isinstance(b, str) else b
    place = _place_score(ra, rb)
    if place is None or "chatter" in (ra.intent, rb.intent):
        return SameIssue(False, 0.0)
    category = 1.0 if ra.category == rb.category else 0.0
    topics = _jaccard(set(ra.concepts - _STYLE_CONCEPTS), set(rb.concepts - _STYLE_CONCEPTS))
    chars = _jaccard(_bigrams(ra.text), _bigrams(rb.text))
    content = max(topics, min(1.0, 2 * chars))
    score = 0.35 * place + 0.25 * category + 0.4 * content
    if content < MIN_CONTENT:
        score = min(score, 0.5)  # little in common but the place: not the same problem
    return SameIssue(score >= THRESHOLD, round(score, 4))
