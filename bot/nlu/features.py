"""What the intent/category model sees of a message; shared by training and inference so
the two can never drift apart."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d+")
# Message length says a lot: 「收到」 is chatter, a 200-character letter is a complaint.
_LENGTH_BUCKETS = (2, 4, 8, 14, 24, 40, 70, 120, 250)


def length_bucket(n: int) -> str:
    for i, edge in enumerate(_LENGTH_BUCKETS):
        if n <= edge:
            return f"len:{i}"
    return f"len:{len(_LENGTH_BUCKETS)}"


def message_features(s: str, tokens: list[str]) -> set[str]:
    """Binary features of normalised text ``s`` and its jieba ``tokens``.

    Words (digits folded to 0, so 3栋 and 12栋 share a feature), character bigrams (robust to
    typos, dialect spellings and words jieba splits oddly) and a length bucket.
    """
    feats = {"w:" + ("0" if t.isdigit() else t) for t in tokens if not t.isspace()}
    folded = _DIGITS.sub("0", s)
    feats.update(["b:" + folded[i : i + 2] for i in range(len(folded) - 1)])
    feats.add(length_bucket(len(s)))
    return feats
