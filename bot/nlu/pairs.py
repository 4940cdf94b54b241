"""The learned half of ``same_issue``: a comparison of two reports' problems, as features of the
pair, weighed by a logistic regression trained on labelled pairs (``pair_train.py``).

The hand vocabulary (``problems.signature``) still names the things and troubles; what it cannot
know — a colloquial name it lacks (邮箱 for the 信报箱, a description instead of a name) — is
read off the wording: a character embedding learned from the project's corpus (the leading
eigenvectors of co-occurrence) and above all *where the two texts differ*: does what differs
name another thing or another trouble (「楼道灯一直亮着」 / 「楼道灯不亮」, 「粪井返臭味」 /
「垃圾桶返臭味」), or the same in other words. How much wording two texts share is deliberately
no feature: in the labelled sets every different pair is one message edited, so shared wording
learned to mean two issues (95 % left out one set at a time), and a report sent again scored 0.

Inference is numpy alone: the weights (``data/pair_model.npz``: coefficients, the scaling of
the features, the character vectors and their idf) are written by ``pair_train.train``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path

import numpy as np

from .concepts import STYLE_CONCEPTS, concepts_in
from .problems import SLIPS, Signature, signature

_CJK_FIRST = 0x4E00
PAIR_MODEL_PATH = Path(__file__).resolve().parent / "data" / "pair_model.npz"

FEATURES = (
    "rule_same", "rule_score",
    "objects_both", "objects_shared", "objects_jaccard", "items_jaccard", "objects_disjoint",
    "troubles_jaccard", "kinds_jaccard", "kinds_differ", "troubles_one_side",
    "category_same", "both_issue", "urgent_differ",
    "residual_short", "residual_long", "residual_objects_differ", "residual_kinds_differ",
    "residual_troubles_differ", "residual_one_empty",
    "embedding_cos", "residual_embedding_cos", "residual_aligned_cos",
    "place_agree", "place_agree_rewritten",
    "topics_jaccard", "topics_disjoint",
)

# Addresses are compared as places (``similar``); in the wording they would count twice, and
# 「十九幢十八楼01」 against 「19幢1801」 would read as a difference.
_ADDRESS = re.compile(
    r"[0-9a-z零〇一二三四五六七八九十百两幺]+(?:号楼|号栋|栋楼?|幢楼?|座|单元|楼|层|室|号|户|#)|\d+|[a-z]\d*"
)
_SLIP = re.compile("|".join(map(re.escape, SLIPS)))
# Punctuation, spaces, emoji, fillers and the words of contact details (the numbers go with
# the addresses) carry no problem: left out of every comparison.
_NOISE = re.compile(r"电话|手机|身份证|微信|联系|[^\u4e00-\u9fff]|[的了啊呀吧呢吗嘛哦么个那这就都也还很又]")


@lru_cache(maxsize=4096)
def core(text: str) -> str:
    """The wording of a normalised message as compared: slips read, addresses and fillers out."""
    s = _SLIP.sub(lambda m: SLIPS[m.group()], text)
    return _NOISE.sub("", _ADDRESS.sub(" ", s))


def _jaccard(x: frozenset | set, y: frozenset | set) -> float:
    return len(x & y) / len(x | y) if x and y else 0.0


def _mean(ids: list[int], weighted: np.ndarray) -> np.ndarray | None:
    """The sum of some rows of idf-weighted vectors, at unit length."""
    if not ids:
        return None
    v = weighted[ids].sum(axis=0)
    n = float(np.dot(v, v)) ** 0.5
    return v / n if n else None


@dataclass(frozen=True)
class PairModel:
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    # A few small networks (one hidden layer of ``hidden`` units each, side by side in one
    # matrix), their probabilities averaged: a line through the features could not keep both the
    # reworded paraphrases and one building's unrelated reports apart (3.96 % of those merged).
    w1: np.ndarray  # (features, members * hidden)
    b1: np.ndarray  # (members * hidden,)
    w2: np.ndarray  # (members * hidden,)
    b2: np.ndarray  # (members,)
    threshold: float
    chars: dict[str, int]
    vectors: np.ndarray  # (chars, dims), rows of unit length
    idf: np.ndarray  # (chars,)
    # Each CJK character's toneless readings (syllable ids from U+4E00, -1 for none, two at
    # most): a homophone slip (电题 for 电梯) is read as the character it stands for.
    sounds: np.ndarray  # (20992, 2) int16
    # Each vector weighted by its idf, and the vectors of texts already seen (a new report meets
    # up to ten open ones, each compared again with the next report).
    _weighted: np.ndarray = field(init=False, repr=False, compare=False)
    _seen: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _sounds: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_weighted", self.idf[:, None] * self.vectors)

    def vector(self, s: str) -> np.ndarray | None:
        if s not in self._seen:
            if len(self._seen) >= 20_000:
                self._seen.clear()  # a bound, not a policy: the next comparisons fill it again
            self._seen[s] = _mean([i for ch in s if (i := self.chars.get(ch)) is not None], self._weighted)
        return self._seen[s]

    def probability(self, x: np.ndarray) -> float:
        h = np.maximum(((x - self.mean) / self.scale) @ self.w1 + self.b1, 0.0) * self.w2
        z = h.reshape(len(self.b2), -1).sum(axis=1) + self.b2
        return float(np.mean(1.0 / (1.0 + np.exp(-z))))

    def sound(self, ch: str) -> frozenset:
        """The character's toneless readings (ids), cached: a few look-ups per comparison."""
        got = self._sounds.get(ch)
        if got is None:
            i = ord(ch) - _CJK_FIRST
            got = frozenset(int(r) for r in self.sounds[i] if r >= 0) if 0 <= i < len(self.sounds) else frozenset()
            self._sounds[ch] = got
        return got

    def homophones(self, x: str, y: str) -> bool:
        """Every character of ``x`` shares a reading with the one at its place in ``y``."""
        return len(x) == len(y) > 0 and all(self.sound(a) & self.sound(b) for a, b in zip(x, y))


_ARRAYS = ("mean", "scale", "w1", "b1", "w2", "b2")


def save_pair_model(path: Path, model: PairModel) -> None:
    chars = sorted(model.chars, key=model.chars.__getitem__)
    np.savez_compressed(
        path, names=np.array(model.names), **{k: getattr(model, k) for k in _ARRAYS},
        threshold=np.array([model.threshold]), chars=np.array(chars),
        vectors=model.vectors.astype(np.float16), idf=model.idf.astype(np.float16), sounds=model.sounds.astype(np.int16),
    )


def load_pair_model(path: Path = PAIR_MODEL_PATH) -> PairModel:
    with np.load(path, allow_pickle=False) as z:
        names = tuple(str(n) for n in z["names"])
        if names != FEATURES or "w1" not in z.files:
            raise ValueError(f"{path}: not this code's model of features {FEATURES}: retrain (hgj nlu train-pairs)")
        return PairModel(
            names, *(z[k].astype(np.float64) for k in _ARRAYS), float(z["threshold"][0]),
            {str(c): i for i, c in enumerate(z["chars"])}, z["vectors"].astype(np.float64),
            z["idf"].astype(np.float64), z["sounds"].astype(np.int16),
        )


_model: PairModel | None = None


def pair_model() -> PairModel:
    global _model
    if _model is None:
        _model = load_pair_model()
    return _model


def _cos(model: PairModel, x: str, y: str) -> float | None:
    vx, vy = model.vector(x), model.vector(y)
    return None if vx is None or vy is None else float(vx @ vy)


def _aligned(model: PairModel, ra: str, rb: str) -> float:
    """How well each differing segment of one side is matched by one of the other's (the least of
    the two sides' mean best cosine): a rewrite matches its parts, a swapped thing does not."""
    va = [v for seg in ra.split() if (v := model.vector(seg)) is not None]
    vb = [v for seg in rb.split() if (v := model.vector(seg)) is not None]
    if not va or not vb:
        return 1.0
    sims = np.array(va) @ np.array(vb).T  # a few segments a side
    return float(min(sims.max(axis=1).mean(), sims.max(axis=0).mean()))


_COMPASS = re.compile(r"[东西南北左右\s]+")


def only_directions_differ(a_text: str, b_text: str) -> bool:
    """The two texts differ in compass words alone (「地库东北角入口积水」 / 「地库西南角入口积水」,
    「左边那部电梯」 / 「右边那部电梯」): one message said of two places."""
    ra, rb, _ratio = _residuals(core(a_text), core(b_text))
    return bool(ra.strip() and rb.strip() and _COMPASS.fullmatch(ra) and _COMPASS.fullmatch(rb))


def only_impatience_added(a_text: str, b_text: str) -> bool:
    """One text is the other with something added that names no thing and no trouble beyond the
    handling (「4栋电梯坏了」 / 「4栋电梯坏了，怎么还没人来修」), or each adds a clause and one of them is
    such impatience while the other names nothing (「单元门坏了关不上，外人随便进出」 / 「单元门坏了关
    不上，怎么还没人来修」): the same report said again."""
    ra, rb, _ratio = _residuals(core(a_text), core(b_text))
    if not ra.strip() and not rb.strip():
        return False
    if not ra.strip() or not rb.strip():
        added = signature(ra or rb)
        return not added.objects and added.trouble_kinds <= {"service"}
    # the clauses each adds, whole: the residuals split them where a character happens to agree
    n = len(os.path.commonprefix([a_text, b_text]))
    if not signature(a_text[:n]).problems:
        return False  # what both say is no report (「物业管家」 / 说话难听, 从来不在岗): the clauses are it
    sa, sb = signature(a_text[n:]), signature(b_text[n:])

    def impatient(s: Signature) -> bool:
        return not s.objects and s.trouble_kinds == {"service"}

    def bare(s: Signature) -> bool:
        return not s.objects and not s.problems

    return (impatient(sa) and bare(sb)) or (impatient(sb) and bare(sa))


def read_slips(a_text: str, b_text: str, model: PairModel) -> str:
    """``b_text`` with its homophone slips of ``a_text``'s words written as there: a two-character
    word of ``b_text`` that ``a_text`` has with one character for a homophone (「十二栋的电题又趴窝
    了」 against 「电梯停在一楼不动了」 reads 电梯)."""
    words = {a_text[i : i + 2] for i in range(len(a_text) - 1)}
    firsts: dict[str, list[str]] = {}
    seconds: dict[str, list[str]] = {}
    for w in sorted(words):
        firsts.setdefault(w[0], []).append(w)
        seconds.setdefault(w[1], []).append(w)
    b = list(b_text)
    for i in range(len(b) - 1):
        x, y = b[i], b[i + 1]
        if x + y in words or not ("\u4e00" <= x <= "\u9fff" and "\u4e00" <= y <= "\u9fff"):
            continue
        for w in firsts.get(x, ()):
            if model.homophones(w[1], y):
                b[i + 1] = w[1]
                break
        else:
            for w in seconds.get(y, ()):
                if model.homophones(w[0], x):
                    b[i] = w[0]
                    break
    return "".join(b)


def topics(text: str) -> frozenset[str]:
    """The concepts (``concepts``) a text names that say what it concerns, not how it is said."""
    grams = [text[i : i + n] for n in range(3, 7) for i in range(len(text) - n + 1)]
    return frozenset(concepts_in(text, grams) - STYLE_CONCEPTS)


@lru_cache(maxsize=4096)  # the rules of ``same_issue`` and the features ask for the same pair
def _residuals(x: str, y: str) -> tuple[str, str, float]:
    """What each text says that the other does not (the characters outside their common blocks,
    as segments), and the texts' similarity ratio."""
    m = SequenceMatcher(None, x, y, autojunk=False)
    rx, ry, ix, iy = [], [], 0, 0
    for bx, by, size in m.get_matching_blocks():
        rx.append(x[ix:bx])
        ry.append(y[iy:by])
        ix, iy = bx + size, by + size
    return " ".join(filter(None, rx)), " ".join(filter(None, ry)), m.ratio()


def features(a_text: str, b_text: str, sa: Signature, sb: Signature, category_same: bool,
             both_issue: bool, urgent_differ: bool, place_agree: int, rule: tuple[bool, float],
             model: PairModel) -> np.ndarray:
    """The pair's features, in ``FEATURES`` order; symmetric in a and b."""
    ca, cb = core(a_text), core(b_text)
    oa, ob = sa.objects, sb.objects
    ka, kb = sa.trouble_kinds, sb.trouble_kinds
    ra, rb, ratio = _residuals(ca, cb)
    la, lb = len(ra.replace(" ", "")), len(rb.replace(" ", ""))
    res_a, res_b = signature(ra), signature(rb)
    new_a, new_b = res_a.objects - ob, res_b.objects - oa
    res_kinds_a, res_kinds_b = res_a.trouble_kinds - kb, res_b.trouble_kinds - ka
    res_troubles_a, res_troubles_b = res_a.problems - sb.problems, res_b.problems - sa.problems
    whole = _cos(model, ca, cb)
    residual = _cos(model, ra, rb)
    return np.array([
        float(rule[0]), rule[1],
        float(bool(oa and ob)), float(bool(oa & ob)), _jaccard(oa, ob), _jaccard(sa.items, sb.items),
        float(bool(oa and ob and not oa & ob)),
        _jaccard(sa.problems, sb.problems), _jaccard(ka, kb), float(bool(ka and kb and not ka & kb)),
        float(bool(ka) != bool(kb)),
        float(category_same), float(both_issue), float(urgent_differ),
        min(la, lb) / max(len(ca), len(cb), 1), max(la, lb) / max(len(ca), len(cb), 1),
        float(bool(new_a and new_b)), float(bool(res_kinds_a and res_kinds_b and not res_kinds_a & res_kinds_b)),
        float(bool(res_troubles_a and res_troubles_b)), float((la == 0) != (lb == 0)),
        whole if whole is not None else 0.0, residual if residual is not None else 1.0,
        _aligned(model, ra, rb),
        float(place_agree),
        # one place said in full by two people in their own words, not one message edited
        float(place_agree) * (1.0 - ratio),
        _jaccard(ta := topics(a_text), tb := topics(b_text)), float(bool(ta and tb and not ta & tb)),
    ])
