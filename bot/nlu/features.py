"""What the intent/category model sees of a message; shared by training and inference so
the two can never drift apart."""

from __future__ import annotations

import re

from .concepts import concepts_in

# The model reads the head of a message: the first sentences say what it is about, a long
# letter's later paragraphs add detail but mostly general words, and jieba's cost grows with
# length. The full length still counts, as its own feature. jieba runs without its HMM:
# new-word discovery adds a third to the cost, and character bigrams already cover unknown words.
MODEL_CHARS = 80

_DIGITS = re.compile(r"\d+")


_LENGTH_STEPS = (3, 6, 10, 16, 25, 40, 60, 90)


def length_features(n: int) -> list[str]:
    """Thermometer code of the length: every step the message reaches is one feature, so a
    600-character letter shares 「longer than 90」 with the 120-character ones of the corpus
    instead of landing in a bucket no training message filled."""
    return [f"len>{step}" for step in _LENGTH_STEPS if n > step]


def message_features(
    head: str, tokens: list[str], full_length: int
) -> tuple[list[str], list[str], set[str]]:
    """(text features, meta features) of a message.

    ``head`` is the normalised text cut to ``MODEL_CHARS``, ``tokens`` its jieba tokens.
    Text features: words (digits folded to 0, so 3栋 and 12栋 share one), character bigrams
    (robust to typos, dialect spellings and words jieba splits oddly) and concepts. Meta
    features (length) are kept apart so that the TF-IDF length normalisation of a long text
    does not drown them. The concepts are returned too (duplicate detection uses them).
    """
    folded = _DIGITS.sub("0", head)
    bigrams = [folded[i : i + 2] for i in range(len(folded) - 1)]
    feats = {"w:" + ("0" if t.isdigit() else t) for t in tokens if not t.isspace()}
    feats.update(["b:" + b for b in bigrams])
    concepts = concepts_in(head, tokens, bigrams)
    feats.update(["k:" + c for c in concepts])
    return list(feats), length_features(full_length), concepts


def analyse(s: str, tokenizer) -> tuple[list[str], list[str], set[str]]:
    """Features of normalised text ``s``: the one path used by training and by the parser."""
    head = s[:MODEL_CHARS]
    return message_features(head, tokenizer.lcut(head, HMM=False), len(s))
