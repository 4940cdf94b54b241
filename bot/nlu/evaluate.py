"""Figures of issue 10 on a labelled message set and its duplicate pairs (the external sets in
``tests/data/nlu``: ``messages.csv`` ``id,text,intent,category,urgent,kind``; ``pairs.csv``
``id,a,b,same,kind``), and the act/ask/ignore rates of real group chat.

Development tooling (``bench/nlu.py``, ``hgj nlu eval``); the bot never reads these files.
"""

from __future__ import annotations

import csv
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from .decision import ACTIONS, IGNORE, decide
from .parser import Parser
from .similar import same_issue
from .train import CORPUS_GAZETTEER, CorpusRow, stable_bucket, train

REPO = Path(__file__).resolve().parents[2]
NLU_DATA = REPO / "tests" / "data" / "nlu"
# The development sets, read and tuned on: round 1's external dev set, round 1's frozen set
# (evaluated once at the end of round 1, development data since), round 2's external dev set,
# round 2's frozen set (likewise development data since round 2 ended), round 3's dev set, round
# 3's frozen set (development data since round 3 ended), round 4's dev set, round 4's frozen set
# (development data since round 4 ended), round 5's dev set, round 5's frozen set (development data
# since round 5 ended), round 6's dev set, round 6's frozen set (development data since round 6
# ended), round 7's dev set, round 7's frozen set (development data since round 7 ended), round
# 8's dev set, round 8's frozen set (development data since round 8 ended), round 9's dev set,
# round 9's frozen set (development data since round 9 ended), round 10's dev set, round 10's
# frozen set (development data since round 10 ended), round 11's dev set, round 11's frozen set
# (development data since round 11 ended), round 12's dev set, round 12's frozen set (development data
# since round 12 ended), round 13's dev set, round 13's frozen set (development data since round 13
# ended), round 14's dev set, round 14's frozen set (development data since round 14 ended), round
# 15's dev set, round 15's frozen set (development data since round 15 ended), round 16's dev set,
# round 16's frozen set (development data since round 16 ended), round 17's dev set, round 17's frozen
# set (development data since round 17 ended), round 18's dev set, round 18's frozen set (development
# data since round 18 ended), round 19's dev set, round 19's frozen set (development data since round
# 19 ended), round 20's dev set, round 20's frozen set (development data since round 20 ended), round
# 21's dev set, round 21's frozen set (development data since round 21 ended), round 22's dev set,
# round 22's frozen set (development data since round 22 ended), round 23's dev set, round 23's
# frozen set (development data since round 23 ended) and round 24's dev set.
EXTERNAL_DEV = NLU_DATA / "external_dev"
DEV_R1 = NLU_DATA / "dev_r1"
EXTERNAL_DEV2 = NLU_DATA / "external_dev2"
DEV_R2 = NLU_DATA / "dev_r2"
DEV3 = NLU_DATA / "dev3"
DEV_R3 = NLU_DATA / "dev_r3"
DEV4 = NLU_DATA / "dev4"
DEV_R4 = NLU_DATA / "dev_r4"
DEV5 = NLU_DATA / "dev5"
DEV_R5 = NLU_DATA / "dev_r5"
DEV6 = NLU_DATA / "dev6"
DEV_R6 = NLU_DATA / "dev_r6"
DEV7 = NLU_DATA / "dev7"
DEV_R7 = NLU_DATA / "dev_r7"
DEV8 = NLU_DATA / "dev8"
DEV_R8 = NLU_DATA / "dev_r8"
DEV9 = NLU_DATA / "dev9"
DEV_R9 = NLU_DATA / "dev_r9"
DEV10 = NLU_DATA / "dev10"
DEV_R10 = NLU_DATA / "dev_r10"
DEV11 = NLU_DATA / "dev11"
DEV_R11 = NLU_DATA / "dev_r11"
DEV12 = NLU_DATA / "dev12"
DEV_R12 = NLU_DATA / "dev_r12"
DEV13 = NLU_DATA / "dev13"
DEV_R13 = NLU_DATA / "dev_r13"
DEV14 = NLU_DATA / "dev14"
DEV_R14 = NLU_DATA / "dev_r14"
DEV15 = NLU_DATA / "dev15"
DEV_R15 = NLU_DATA / "dev_r15"
DEV16 = NLU_DATA / "dev16"
DEV_R16 = NLU_DATA / "dev_r16"
DEV17 = NLU_DATA / "dev17"
DEV_R17 = NLU_DATA / "dev_r17"
DEV18 = NLU_DATA / "dev18"
DEV_R18 = NLU_DATA / "dev_r18"
DEV19 = NLU_DATA / "dev19"
DEV_R19 = NLU_DATA / "dev_r19"
DEV20 = NLU_DATA / "dev20"
DEV_R20 = NLU_DATA / "dev_r20"
DEV21 = NLU_DATA / "dev21"
DEV_R21 = NLU_DATA / "dev_r21"
DEV22 = NLU_DATA / "dev22"
DEV_R22 = NLU_DATA / "dev_r22"
DEV23 = NLU_DATA / "dev23"
DEV_R23 = NLU_DATA / "dev_r23"
DEV24 = NLU_DATA / "dev24"
DEV_SETS = {"external_dev": EXTERNAL_DEV, "dev_r1": DEV_R1, "external_dev2": EXTERNAL_DEV2, "dev_r2": DEV_R2,
            "dev3": DEV3, "dev_r3": DEV_R3, "dev4": DEV4, "dev_r4": DEV_R4, "dev5": DEV5,
            "dev_r5": DEV_R5, "dev6": DEV6, "dev_r6": DEV_R6, "dev7": DEV7,
            "dev_r7": DEV_R7, "dev8": DEV8, "dev_r8": DEV_R8, "dev9": DEV9,
            "dev_r9": DEV_R9, "dev10": DEV10,
            "dev_r10": DEV_R10, "dev11": DEV11, "dev_r11": DEV_R11, "dev12": DEV12,
            "dev_r12": DEV_R12, "dev13": DEV13, "dev_r13": DEV_R13, "dev14": DEV14,
            "dev_r14": DEV_R14, "dev15": DEV15, "dev_r15": DEV_R15, "dev16": DEV16,
            "dev_r16": DEV_R16, "dev17": DEV17, "dev_r17": DEV_R17, "dev18": DEV18,
            "dev_r18": DEV_R18, "dev19": DEV19, "dev_r19": DEV_R19, "dev20": DEV20,
            "dev_r20": DEV_R20, "dev21": DEV21, "dev_r21": DEV_R21, "dev22": DEV22,
            "dev_r22": DEV_R22, "dev23": DEV23, "dev_r23": DEV_R23, "dev24": DEV24}
# Round 12 on: sets written only to train the model (``training/tw*``), each by an author who read
# nothing of the project but one brief (``training/BRIEF.md``), weighted to what is hardest to
# learn from the corpus (emergencies worded plainly, pleas, their look-alikes); round 15 on, ten more
# from a second brief (``training/BRIEF_CHAT.md``): everyday talk using words of trouble; round 16 on,
# eight from a third (``BRIEF_ASK.md``): questions and proposals to the community; round 17 on, eight
# from a fourth (``BRIEF_NEIGHBOUR.md``): neighbours' everyday asks beside real small needs. They train
# the shipped model with the development sets; nothing is tuned on them and no goal is read from them.
TRAINING = NLU_DATA / "training"
TRAINING_SETS = {folder.name: folder for folder in sorted(TRAINING.glob("tw*"), key=lambda f: int(f.name[2:]))}
# Round 24's frozen set: written apart from everything else and never tuned on; evaluated once,
# at the end.
FROZEN = NLU_DATA / "frozen24"


@dataclass(frozen=True)
class Message:
    id: str
    text: str
    intent: str
    category: str
    urgent: bool
    kind: str


def load_messages(folder: Path) -> list[Message]:
    with (folder / "messages.csv").open(encoding="utf-8", newline="") as fh:
        return [Message(r["id"], r["text"], r["intent"], r["category"], r["urgent"] == "true", r["kind"])
                for r in csv.DictReader(fh)]


def development_rows(corpus: list[CorpusRow], sets: dict[str, Path] | None = None) -> list[CorpusRow]:
    """The development sets' messages (round 11 on) and the training sets' (round 12 on) as
    training rows of the intent model: each text once, and none the corpus holds, so that its
    held-out rows stay unseen. Sets absent from the checkout are skipped."""
    seen = {r.text for r in corpus}
    rows = []
    for folder in ({**DEV_SETS, **TRAINING_SETS} if sets is None else sets).values():
        if not (folder / "messages.csv").exists():
            continue
        for m in load_messages(folder):
            if m.text not in seen:
                seen.add(m.text)
                rows.append(CorpusRow(m.text, m.intent, m.category, m.urgent, {}, "train", m.kind))
    return rows


def load_pairs(folder: Path, name: str = "pairs.csv") -> list[dict]:
    with (folder / name).open(encoding="utf-8", newline="") as fh:
        return [{**r, "same": r["same"] == "true"} for r in csv.DictReader(fh)]


def _rate(n: int, d: int) -> float | None:
    return round(n / d, 4) if d else None


def action_rates(parser, texts: list[str], gazetteer=None) -> dict:
    """Share of ``texts`` the bot would act on, ask about, ignore (default settings)."""
    results = parser.parse_many(texts, gazetteer)
    counts = Counter(decide(r, t).action for r, t in zip(results, texts))
    return {"rows": len(texts), **{a: _rate(counts[a], len(texts)) for a in ACTIONS}}


def messages_of(rows) -> list[Message]:
    """Corpus rows (``train.CorpusRow``) as labelled messages, their kind '' before issue 10."""
    return [Message(str(i), r.text, r.intent, r.category, r.urgent, r.kind or "earlier") for i, r in enumerate(rows)]


def evaluate_messages(parser, messages: list[Message], gazetteer=None) -> dict:
    """Intent, category and urgency figures, and per kind the share acted on / asked / ignored."""
    return evaluate_results(parser.parse_many([m.text for m in messages], gazetteer), messages)


def evaluate_results(results, messages: list[Message]) -> dict:
    """``evaluate_messages`` for parses already made (cross-validation makes them fold by fold)."""
    actions = [decide(r, m.text).action for r, m in zip(results, messages)]
    n = len(messages)
    urgent = [(r, m) for r, m in zip(results, messages) if m.urgent]
    calm = [(r, m) for r, m in zip(results, messages) if not m.urgent]
    by_kind: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(messages):
        by_kind[m.kind].append(i)
    kinds = {}
    for kind, idx in sorted(by_kind.items()):
        counts = Counter(actions[i] for i in idx)
        kinds[kind] = {
            "rows": len(idx),
            "intent_accuracy": _rate(sum(results[i].intent == messages[i].intent for i in idx), len(idx)),
            **{a: _rate(counts[a], len(idx)) for a in ACTIONS},
            "urgent_said": _rate(sum(results[i].urgent for i in idx), len(idx)),
        }
    said_urgent = [m for r, m in zip(results, messages) if r.urgent]

    def kind_rate(kind: str, action: str):
        return kinds.get(kind, {}).get(action)

    return {
        "rows": n,
        "intent_accuracy": _rate(sum(r.intent == m.intent for r, m in zip(results, messages)), n),
        "category_accuracy": _rate(
            sum(r.intent == m.intent and r.category == m.category for r, m in zip(results, messages)), n),
        "urgent_rows": len(urgent),
        "urgent_recall": _rate(sum(r.urgent for r, _m in urgent), len(urgent)),
        "false_urgent_rate": _rate(sum(r.urgent for r, _m in calm), len(calm)),
        "urgent_precision": _rate(sum(m.urgent for m in said_urgent), len(said_urgent)),
        # the goals of issue 10, by kind of message
        "group_chat_act": kind_rate("group_chat", "act"),
        "group_chat_ask": kind_rate("group_chat", "ask"),
        "remit_vent_ignored": kind_rate("remit_vent", IGNORE),
        "short_title_ignored": kind_rate("short_title", IGNORE),
        "notice_ignored": kind_rate("notice", IGNORE),
        "not_emergency_false_urgent": kinds.get("not_emergency", {}).get("urgent_said"),
        "kinds": kinds,
    }


def evaluate_pairs(pairs: list[dict], parser, gazetteer=None) -> dict:
    """Share of pairs ``same_issue`` judges as labelled, overall and per kind."""
    texts = [t for p in pairs for t in (p["a"], p["b"])]
    parsed = parser.parse_many(texts, gazetteer)
    right: dict[str, list[bool]] = defaultdict(list)
    for i, p in enumerate(pairs):
        got = same_issue(parsed[2 * i], parsed[2 * i + 1], gazetteer).same
        right[p["kind"]].append(got == p["same"])
    every = [ok for oks in right.values() for ok in oks]
    return {"pairs": len(every), "accuracy": _rate(sum(every), len(every)),
            **{f"{kind}_accuracy": _rate(sum(oks), len(oks)) for kind, oks in sorted(right.items())}}


def evaluate_external(parser, folder: Path) -> dict:
    """Both files of one external set; ``{"skipped": …}`` when it is absent."""
    if not (folder / "messages.csv").exists():
        return {"skipped": f"no {folder}/messages.csv"}
    out = {"messages": evaluate_messages(parser, load_messages(folder))}
    if (folder / "pairs.csv").exists():
        out["pairs"] = evaluate_pairs(load_pairs(folder), parser)
    return out


def cv_fold(text: str, folds: int) -> int:
    """The cross-validation fold of a training row or a real chatter line: a hash of its text."""
    return stable_bucket("cv" + text, folds)


def cross_validation(corpus, chatter: list[str], folds: int = 5, workdir: Path | None = None,
                     citizen: list[str] = (), development: list[CorpusRow] = ()) -> dict:
    """The whole model, rebuilt ``folds`` times: the corpus' training rows and the real chatter
    lines are cut into folds by a hash of their text, each fold parsed by a model trained on the
    others. Figures as ``evaluate_messages`` on every training row, and the act/ask/ignore rates
    of the real chatter lines. The thresholds (urgency, asking) stay as shipped; ``citizen``
    messages train every fold, as they train the shipped model (they are judged elsewhere), and so
    do the ``development`` rows (``development_rows``; judged by ``held_out_sets``)."""
    rows = sorted((r for r in corpus if r.split == "train"), key=lambda r: r.text)
    fold_of = lambda text: cv_fold(text, folds)  # noqa: E731
    workdir = Path(workdir or tempfile.mkdtemp(prefix="hgj-nlu-cv-"))
    results: dict[str, object] = {}
    chatter_results: dict[str, object] = {}
    for k in range(folds):
        model_path = workdir / f"fold{k}.npz"
        train([replace(r, split="test" if fold_of(r.text) == k else "train") for r in rows],
              [t for t in chatter if fold_of(t) != k], model_path, citizen, development)
        parser = Parser(model_path)
        held = [r for r in rows if fold_of(r.text) == k]
        results.update(zip((r.text for r in held), parser.parse_many([r.text for r in held], CORPUS_GAZETTEER)))
        lines = [t for t in chatter if fold_of(t) == k]
        chatter_results.update(zip(lines, parser.parse_many(lines)))
    messages = messages_of(rows)
    counts = Counter(decide(chatter_results[t], t).action for t in chatter)
    return {
        "folds": folds,
        "messages": evaluate_results([results[m.text] for m in messages], messages),
        "real_chatter": {"rows": len(chatter), **{a: _rate(counts[a], len(chatter)) for a in ACTIONS}},
    }


# Since round 11 the development sets' messages train the shipped model, so its figures on them
# are in-sample. What they say of messages from authors no training row came from: a model trained
# without the newest HELD_OUT_SETS sets, judged on those (each set one author's).
HELD_OUT_SETS = 4


def held_out_sets(corpus, chatter: list[str], citizen: list[str] = (), n: int = HELD_OUT_SETS,
                  workdir: Path | None = None) -> dict:
    """The newest ``n`` development sets, judged by a model trained on everything else."""
    names = list(DEV_SETS)[-n:]
    model_path = Path(workdir or tempfile.mkdtemp(prefix="hgj-nlu-held-")) / "model.npz"
    kept = {name: folder for name, folder in DEV_SETS.items() if name not in names} | TRAINING_SETS
    train(corpus, chatter, model_path, citizen, development_rows(corpus, kept))
    by_set = {name: load_messages(DEV_SETS[name]) for name in names}
    messages = [m for name in names for m in by_set[name]]
    results = Parser(model_path).parse_many([m.text for m in messages])
    out, start = {"sets": names, "messages": evaluate_results(results, messages)}, 0
    for name in names:  # each set's figures from the same parses, in order
        end = start + len(by_set[name])
        out[name] = evaluate_results(results[start:end], by_set[name])
        start = end
    return out
