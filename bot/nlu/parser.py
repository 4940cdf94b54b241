"""The facade the bot calls: one message in, intent, category, urgency, confidence and place out."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .category import BILL, bill_category, property_is_a_name
from .classifier import MODEL_PATH, load_model
from .concepts import STYLE_CONCEPTS
from .features import analyse
from .lexicon import add_words, get_tokenizer
from .notice import is_notice
from .place import EMPTY_PLACE, Gazetteer, Place, _pattern_compound, extract_place, matcher_for
from .problems import names_the_compound
from .talk import talk_kind
from .text import normalize
from .urgency import is_urgent

INTENTS = ("issue", "wish", "chatter")
URGENT_CONFIDENCE = 0.9  # the least confidence of a message the emergency rules caught
NOTICE_CONFIDENCE = 0.9  # the least confidence of chatter that the notice rules caught
ISSUE_CATEGORIES = ("sanitation", "facility", "safety", "dispute", "noise", "parking", "property", "order", "other")
WISH_CATEGORIES = ("elderly", "errand", "study", "health", "household", "other")
# What the parser reads of a message: a chat message is at most 4,096 characters on Telegram and
# 2,048 bytes on WeCom, and the longest text the model was built from has 3,048 (a citizen letter).
# Some place and address rules cost the square of a run of digits or numerals (a line of 100,000
# digits took 108 s); cut at 4,000, such a line costs a fifth of a second and no real message changes.
READ_CHARS = 4000


@dataclass(frozen=True, slots=True)
class ParseResult:
    intent: str
    category: str
    urgent: bool
    confidence: float
    place: Place = EMPTY_PLACE
    # Not part of the JSON shape; kept for duplicate detection (``similar``).
    text: str = field(default="", repr=False, compare=False)
    concepts: frozenset[str] = field(default=frozenset(), repr=False, compare=False)
    # The model's probability that this is chatter (what the act/ask/ignore decision weighs)
    # and that it is an emergency (the learned head, before the rules); not in the JSON shape.
    chatter_p: float = field(default=0.0, repr=False, compare=False)
    urgent_p: float = field(default=0.0, repr=False, compare=False)
    # Names something of the community's shared life (a thing, a place, a topic such as garbage
    # or noise): without it the bot asks rather than acts unless the model is very sure.
    evidence: bool = field(default=True, repr=False, compare=False)

    def to_dict(self) -> dict:
        return {
            "intent": self.intent,
            "category": self.category,
            "urgent": self.urgent,
            "confidence": self.confidence,
            "place": self.place.to_dict(),
        }


# What is left of a bare answer to 「在哪栋楼？」 once its address is taken out: fillers only.
_ADDRESS_PARTS = re.compile(
    r"[\d零〇一二三四五六七八九十百两幺]+\s*(?:号楼|号栋|栋楼?|幢楼?|座|#楼?|号院|单元|楼|层|室|号|房)?|"
    r"(?<![a-z])[a-z]\s?(?:栋楼?|座|幢楼?|号楼)|[-#]"
)
_FILLERS = re.compile(
    r"我家|我住|住在|我在|就在|是在|在|是|住|就|的|那边|这边|那里|这里|附近|楼下|门口|旁边|嗯|对|好的|"
    r"我们|我|东边|西边|南边|北边|第|期|区|号|[\s,，。.!！?？~、:：]"
)


def _is_bare_address(s: str, place: Place, compound_spans: Iterable[str]) -> bool:
    if place.is_empty:
        return False
    rest = s
    for name in compound_spans:
        if name:
            rest = rest.replace(name, "")
    rest = _ADDRESS_PARTS.sub("", rest)
    rest = _FILLERS.sub("", rest)
    return not rest


class Parser:
    """Loads the tokenizer and the model once; ``parse``/``parse_many`` are then pure CPU."""

    def __init__(self, model_path: Path | None = None) -> None:
        self._tokenizer = get_tokenizer()
        self._model = load_model(model_path or MODEL_PATH)
        self._gazetteers_seen: set[Gazetteer] = set()
        self._lock = threading.Lock()

    def _matcher(self, gazetteer: Gazetteer | None):
        if gazetteer is None:
            return None
        if gazetteer not in self._gazetteers_seen:
            add_words(gazetteer.words)  # once per distinct gazetteer, not per message
            with self._lock:
                self._gazetteers_seen.add(gazetteer)
        return matcher_for(gazetteer)

    def parse(self, text: str, gazetteer: Gazetteer | None = None) -> ParseResult:
        return self.parse_many([text], gazetteer)[0]

    def parse_many(self, texts: Sequence[str], gazetteer: Gazetteer | None = None) -> list[ParseResult]:
        if not texts:
            return []
        matcher = self._matcher(gazetteer)
        tokenizer = self._tokenizer
        texts = [t[:READ_CHARS] for t in texts]
        normalized = [normalize(t) for t in texts]
        analysed = [analyse(s, tokenizer) for s in normalized]
        intent_p, category_p, urgent_p = self._model.predict([(a[0], a[1]) for a in analysed])
        intent_classes = self._model.intent.classes
        category_classes = self._model.category.classes
        issue_cols = [i for i, c in enumerate(category_classes) if c.startswith("issue/")]
        wish_cols = [i for i, c in enumerate(category_classes) if c.startswith("wish/")]
        chatter_col = intent_classes.index("chatter")
        safety_col = category_classes.index("issue/safety")

        results = []
        for row, s in enumerate(normalized):
            place = extract_place(s, matcher)
            probs = intent_p[row]
            best = int(probs.argmax())
            intent = intent_classes[best]
            confidence = float(probs[best])
            chatter_p = float(probs[chatter_col])
            # whether it names anything of the compound's life: a place, a topic, a thing, a part of the
            # compound or one of the community's bodies
            evidence = place is not EMPTY_PLACE or bool(analysed[row][2] - STYLE_CONCEPTS) or names_the_compound(s)
            hint = is_urgent(s, float(urgent_p[row]), chatter_p, float(category_p[row][safety_col]), evidence)
            if not hint and is_notice(texts[row]):
                # a forwarded announcement (停水通知, 燃气安检公告) reports nothing itself
                intent, confidence = "chatter", max(chatter_p, NOTICE_CONFIDENCE)
                chatter_p = confidence
            elif not hint and talk_kind(s):
                # neighbours' talk about a thing (found and handed in, mended, for sale): no report
                intent, confidence = "chatter", max(chatter_p, NOTICE_CONFIDENCE)
                chatter_p = confidence
            elif intent != "chatter" and place is not EMPTY_PLACE and _is_bare_address(
                s, place, self._compound_spans(s, matcher)
            ):
                # 「3栋2单元」 alone answers a question; it reports nothing by itself.
                intent, confidence = "chatter", max(chatter_p, 0.9)
                chatter_p = confidence
            elif hint:
                # Urgency decides before intent: an emergency is an issue, whether it reads as
                # chatter or as a plea for a neighbour's help (「我爸摔倒了起不来」); a missed
                # fire costs more than a false alarm the grid manager dismisses.
                intent = "issue"
                confidence = max(confidence, URGENT_CONFIDENCE)
            if intent == "wish" and BILL.search(s):
                intent = "issue"  # a utility bill is the company's or the utility's, never a wish
            if intent == "chatter":
                category = "none"
            else:
                cols = issue_cols if intent == "issue" else wish_cols
                category_row = category_p[row]
                ranked = sorted(cols, key=category_row.__getitem__, reverse=True)
                category = category_classes[ranked[0]].split("/", 1)[1]
                if hint:
                    category = "safety"  # every emergency is a safety matter first
                elif BILL.search(s) and intent == "issue" and category not in ("property", "other"):
                    category = bill_category(s)
                elif category == "property" and property_is_a_name(s):
                    category = category_classes[ranked[1]].split("/", 1)[1]  # 物业, 电梯坏了: the lift
            results.append(
                ParseResult(
                    intent=intent,
                    category=category,
                    urgent=hint and intent != "chatter",
                    confidence=round(confidence, 4),
                    place=place,
                    text=s,
                    concepts=frozenset(analysed[row][2]),
                    chatter_p=round(chatter_p, 4),
                    urgent_p=round(float(urgent_p[row]), 4),
                    evidence=evidence,
                )
            )
        return results

    @staticmethod
    def _compound_spans(s: str, matcher) -> list[str]:
        spans = []
        if matcher is not None:
            for pattern in (matcher.compounds, matcher.buildings):
                if pattern is not None:
                    spans.extend(m.group() for m in pattern.finditer(s))

        spans.append(_pattern_compound(s))
        return spans


_parser: Parser | None = None
_parser_lock = threading.Lock()


def get_parser() -> Parser:
    """The process-wide parser; the dictionary and the model load on the first call only."""
    global _parser
    if _parser is None:
        with _parser_lock:
            if _parser is None:
                _parser = Parser()
    return _parser
