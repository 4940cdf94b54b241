"""Message understanding judged only on text no model trained on: the development sets and the
real group chat, each parsed by a model built without it.

Since round 11 every development set trains the shipped model, so its figures on them are
in-sample and a rule change cannot be judged by them. Here the development sets are dealt into
six groups (set *i* into group *i* % 6) and each group is parsed by a model trained on the other
five; the real chatter's training lines are cut into five folds (``evaluate.cv_fold``, as
``evaluate.cross_validation`` cuts them), each parsed by a model trained without it, and its
never-trained third is parsed by the shipped model. Rules and thresholds are the checkout's, so
a change to them is measured in seconds once the eleven models are built (``--build``, about
25 minutes on two cores; rebuild when the corpus, the sets or the features change — the figures
say when the shipped model has changed since the build).

    python bench/unseen.py --build            # build the eleven models into bench/out/unseen
    python bench/unseen.py [--tsv OUT.tsv] [--set urgency.URGENT_SURE=0.4]

``--tsv`` writes one line per message (source, set, id, kind, labelled intent and urgency, the
bot's action, intent and urgency, confidence, the chatter probability, the text) for comparing
two runs line by line; ``--set module.NAME=value`` patches a constant of ``bot.nlu.<module>`` for
this run only, to try a threshold before changing it. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

GROUPS, FOLDS = 6, 5
DEFAULT_DIR = REPO / "bench" / "out" / "unseen"


def _fold(text: str) -> int:
    from bot.nlu.evaluate import cv_fold

    return cv_fold(text, FOLDS)


def _real_lines():
    from bot.nlu.devdata import shared_data_dir
    from bot.nlu.train import load_chatter, load_citizen

    shared = shared_data_dir()
    chatter, citizen = shared / "chatter" / "train.csv", shared / "citizen-messages" / "train.csv"
    if not chatter.exists() or not citizen.exists():
        sys.exit(f"needs the shared real lines ({chatter}, {citizen})")
    return load_chatter(chatter), load_citizen(citizen)[0]


def _group_sets(group: int) -> dict:
    from bot.nlu.evaluate import DEV_SETS

    return {name: folder for i, (name, folder) in enumerate(DEV_SETS.items()) if i % GROUPS == group}


def build_one(kind: str, k: int, out: Path) -> None:
    """One model, in this (fresh) process: the tokenizer's words must be training's alone."""
    from bot.nlu.evaluate import DEV_SETS, TRAINING_SETS, development_rows
    from bot.nlu.train import load_corpus, train

    corpus = load_corpus()
    (chatter, _held), citizen = _real_lines()
    if kind == "group":
        left_out = _group_sets(k)
        kept = {n: f for n, f in DEV_SETS.items() if n not in left_out} | TRAINING_SETS
        train(corpus, chatter, out, citizen, development_rows(corpus, kept))
    else:
        train(corpus, [t for t in chatter if _fold(t) != k], out, citizen, development_rows(corpus))


def _shipped_md5() -> str:
    from bot.nlu.classifier import MODEL_PATH

    return hashlib.md5(MODEL_PATH.read_bytes()).hexdigest()


def build(models: Path) -> None:
    from bot.nlu.evaluate import DEV_SETS

    models.mkdir(parents=True, exist_ok=True)
    jobs = [("group", g) for g in range(GROUPS)] + [("chat", k) for k in range(FOLDS)]

    def run(job):
        kind, k = job
        subprocess.run([sys.executable, __file__, "--build-one", kind, str(k), "--models", str(models)],
                       check=True, cwd=REPO)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(run, jobs))
    manifest = {"shipped_model_md5": _shipped_md5(), "sets": list(DEV_SETS)}
    (models / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def _patch(assignments: list[str]) -> None:
    for item in assignments:
        target, value = item.split("=", 1)
        module, name = target.rsplit(".", 1)
        mod = importlib.import_module(f"bot.nlu.{module}")
        if not hasattr(mod, name):
            sys.exit(f"bot.nlu.{module} has no {name}")
        setattr(mod, name, type(getattr(mod, name))(value))


def measure(models: Path, tsv: Path | None) -> dict:
    from bot.nlu import get_parser
    from bot.nlu.decision import decide
    from bot.nlu.evaluate import DEV_SETS, evaluate_results, load_messages
    from bot.nlu.parser import Parser

    manifest = json.loads((models / "manifest.json").read_text(encoding="utf-8"))
    lines: list[tuple] = []
    results, messages = [], []
    for g in range(GROUPS):
        parser = Parser(models / f"group{g}.npz")
        for name, folder in _group_sets(g).items():
            msgs = load_messages(folder)
            parsed = parser.parse_many([m.text for m in msgs])
            results += parsed
            messages += msgs
            unseen = "" if name in manifest["sets"] else "+"  # joined after the build: no model saw it
            lines += [("dev" + unseen, name, m.id, m.kind, m.intent, m.urgent, m.text, r) for m, r in zip(msgs, parsed)]
    figures = {"sets": len(DEV_SETS), "messages": evaluate_results(results, messages)}

    (chatter, held), _citizen = _real_lines()
    chat_results = {}
    for k in range(FOLDS):
        fold = [t for t in chatter if _fold(t) == k]
        chat_results.update(zip(fold, Parser(models / f"chat{k}.npz").parse_many(fold)))
    held_results = dict(zip(held, get_parser().parse_many(held)))
    for source, texts, parsed in (("chatter_cv", chatter, chat_results), ("chatter_held", held, held_results)):
        actions = [decide(parsed[t], t).action for t in texts]
        figures[source] = {"rows": len(texts), **{a: round(actions.count(a) / len(texts), 4) for a in ("act", "ask")}}
        lines += [(source, "", str(i), "group_chat", "chatter", False, t, parsed[t]) for i, t in enumerate(texts)]
    figures["model_changed_since_build"] = manifest["shipped_model_md5"] != _shipped_md5()

    if tsv:
        with tsv.open("w", encoding="utf-8") as fh:
            for src, name, mid, kind, intent, urgent, text, r in lines:
                fh.write("\t".join([src, name, mid, kind, intent, str(int(urgent)), "|", decide(r, text).action,
                                    r.intent, str(int(r.urgent)), f"{r.confidence:.2f}", f"{r.chatter_p:.2f}",
                                    f"{r.urgent_p:.2f}", " ".join(text.split())]) + "\n")
    return figures


def _summary(figures: dict) -> dict:
    m = figures["messages"]
    kinds = m["kinds"]
    keep = ("rows", "urgent_rows", "urgent_recall", "false_urgent_rate", "group_chat_act", "group_chat_ask",
            "remit_vent_ignored", "short_title_ignored", "notice_ignored", "intent_accuracy", "category_accuracy")
    return {
        "sets": figures["sets"], **{k: m[k] for k in keep},
        "report_ignored": kinds.get("report", {}).get("ignore"),
        "wish_ignored": kinds.get("wish", {}).get("ignore"), "wish_asked": kinds.get("wish", {}).get("ask"),
        "real_chatter_cv": figures["chatter_cv"], "real_chatter_held": figures["chatter_held"],
        "model_changed_since_build": figures["model_changed_since_build"],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--build", action="store_true", help="build the eleven models first")
    ap.add_argument("--build-one", nargs=2, metavar=("KIND", "K"), help=argparse.SUPPRESS)
    ap.add_argument("--tsv", type=Path, help="one line per message, for comparing runs")
    ap.add_argument("--set", action="append", default=[], metavar="MODULE.NAME=VALUE")
    args = ap.parse_args()
    if args.build_one:
        kind, k = args.build_one
        build_one(kind, int(k), args.models / f"{kind}{k}.npz")
        return
    if args.build:
        build(args.models)
    if not (args.models / "manifest.json").exists():
        sys.exit(f"no models in {args.models}: run with --build first (about 25 minutes on two cores)")
    _patch(args.set)
    print(json.dumps(_summary(measure(args.models, args.tsv)), ensure_ascii=False))


if __name__ == "__main__":
    main()
