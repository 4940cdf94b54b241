"""Quality floors on data the model never trained on, and the shipped model's provenance.

The floors sit a little under the figures measured when the model was built (see
bot/nlu/README.md and the README's "Benchmarks"), so a change that makes understanding worse
fails here. The frozen external set is never evaluated here: only its files are checked.
"""

import hashlib
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.nlu import get_parser
from bot.nlu.classifier import MODEL_PATH
from bot.nlu.devdata import shared_data_dir
from bot.nlu.evaluate import DEV_R1, EXTERNAL_DEV, FROZEN, action_rates, evaluate_external
from bot.nlu.train import DEV_PATH, evaluate_corpus, evaluate_shared, load_chatter, load_corpus, train

SHARED = shared_data_dir()
KINDS = {"emergency", "plea", "not_emergency", "remit_vent", "short_title", "report", "wish", "group_chat", "notice"}


def test_corpus_is_large_labelled_and_split():
    rows = load_corpus()
    assert len(rows) >= 10000
    assert {r.split for r in rows} == {"train", "test"}
    assert {r.intent for r in rows} == {"issue", "wish", "chatter"}
    assert sum(r.urgent for r in rows) >= 600
    assert sum(any(r.place.values()) for r in rows) >= 300
    assert {r.kind for r in rows} == KINDS | {""}
    # every urgent row is an issue of category safety (urgency decides before intent)
    assert {(r.intent, r.category) for r in rows if r.urgent} == {("issue", "safety")}


def test_heldout_corpus_quality():
    # measured (2,012 rows, the 1,553 of earlier rounds and 459 of issue 10's): intent 0.9359,
    # category 0.8837, place 0.9985, urgent recall 0.8387, precision 0.8176 (the held-out rows of
    # issue 10 are emergencies without the rules' words and look-alikes written to sit next to them)
    figures = evaluate_corpus(get_parser(), [r for r in load_corpus() if r.split == "test"])
    assert figures["intent_accuracy"] >= 0.93
    assert figures["category_accuracy"] >= 0.875
    assert figures["place_exact"] >= 0.98
    assert figures["urgent_recall"] >= 0.82
    assert figures["urgent_precision"] >= 0.8


def test_dev_set_is_apart_from_the_corpus():
    dev = load_corpus(DEV_PATH)
    assert len(dev) >= 300 and {r.split for r in dev} == {"dev"}
    assert not {r.text for r in dev} & {r.text for r in load_corpus()}


def test_dev_set_quality():
    # measured: intent 0.9592, category 0.9342, place 1.0, urgent recall 1.0, precision 0.9524
    figures = evaluate_corpus(get_parser(), load_corpus(DEV_PATH))
    assert figures["intent_accuracy"] >= 0.95
    assert figures["category_accuracy"] >= 0.92
    assert figures["place_exact"] >= 0.98
    assert figures["urgent_recall"] >= 0.95
    assert figures["urgent_precision"] >= 0.9


def test_external_dev_set_goals():
    """Issue 10's goals on the external development set (tuned on, so these are regressions
    guards, not estimates: the frozen set's figures are in the README)."""
    figures = evaluate_external(get_parser(), EXTERNAL_DEV)
    m = figures["messages"]
    assert m["rows"] == 857 and figures["pairs"]["pairs"] == 120
    # measured: urgent recall 0.9548, false urgent 0.0100, group chat act 0.006 / ask 0.030,
    # remit venting ignored 0.9135, short titles ignored 0.0096, notices ignored 1.0, pairs 1.0
    assert m["urgent_recall"] >= 0.94 and m["false_urgent_rate"] <= 0.02
    assert m["group_chat_act"] <= 0.02 and m["group_chat_ask"] <= 0.04
    assert m["remit_vent_ignored"] >= 0.88
    assert m["short_title_ignored"] <= 0.03
    assert m["notice_ignored"] >= 0.95
    assert figures["pairs"]["accuracy"] >= 0.95
    assert m["intent_accuracy"] >= 0.95 and m["category_accuracy"] >= 0.9


DEV_R1_MD5 = {
    "messages.csv": "8c9bfa432a4446367511c8fe864604d2",
    "pairs.csv": "5e27810d76e96edc35c00cabc0ecc41b",
}


FROZEN2_MD5 = {
    "README.md": "14ba0c28acc9384b77829e7b6443e6bb",
    "messages.csv": "7b406f76607667444f19a436a774a3da",
    "pairs.csv": "0309993f5c005d78e5bd6c601fcc4f53",
}


def test_frozen_set_is_in_the_repository_as_written():
    # round 2's frozen set, compared as bytes, never parsed: nothing here may read (let alone
    # tune on) its texts
    for name, md5 in FROZEN2_MD5.items():
        assert hashlib.md5((FROZEN / name).read_bytes()).hexdigest() == md5, name


def test_round_one_frozen_set_became_development_data_unchanged():
    # its rows are as their author wrote them (only the README gained a line on why it is dev now)
    for name, md5 in DEV_R1_MD5.items():
        assert hashlib.md5((DEV_R1 / name).read_bytes()).hexdigest() == md5, name


def test_real_messages_from_shared_data():
    if not (SHARED / "citizen-messages" / "train.csv").exists() or not (SHARED / "chatter" / "train.csv").exists():
        pytest.skip("../shared/data (citizen messages, chatter) is not beside this checkout")
    parser = get_parser()
    figures = evaluate_shared(parser, SHARED)
    assert figures["citizen_issue_or_wish"] >= 0.975  # measured 0.9854
    assert figures["chatter_heldout_as_chatter"] >= 0.97  # measured 0.9784
    rates = action_rates(parser, load_chatter(SHARED / "chatter" / "train.csv")[1])
    assert rates["act"] <= 0.01 and rates["ask"] <= 0.02  # measured 0.0059 / 0.0157


def test_shipped_model_is_what_training_writes(tmp_path):
    chatter = SHARED / "chatter" / "train.csv"
    if not chatter.exists():
        pytest.skip("the shipped model is trained with ../shared/data/chatter/train.csv, absent here")
    lines, _held = load_chatter(chatter)
    out = tmp_path / "model.npz"
    train(load_corpus(), lines, out)
    with np.load(out) as built, np.load(MODEL_PATH) as shipped:
        assert set(built.files) == set(shipped.files)
        for key in built.files:
            if built[key].dtype.kind in "fc":
                assert np.allclose(built[key], shipped[key], atol=1e-3), key  # BLAS rounding
            else:
                assert (built[key] == shipped[key]).all(), key


def test_shipped_model_is_small():
    assert MODEL_PATH.stat().st_size < 5_000_000


def test_parse_jsonl_keeps_order_and_adds_text():
    lines = ["3栋2单元楼道灯坏了", "收到", "阳光花园三号楼二单元"]
    r = CliRunner().invoke(app, ["parse", "--jsonl"], input="\n".join(lines) + "\n")
    assert r.exit_code == 0, r.output
    out = [json.loads(x) for x in r.output.strip().splitlines()]
    assert [o["text"] for o in out] == lines
    assert out[0]["intent"] == "issue" and out[0]["place"]["building"] == "3"
    assert set(out[1]) == {"text", "intent", "category", "urgent", "confidence", "place", "action"}


def test_similar_cli():
    r = CliRunner().invoke(app, ["similar", "5栋门口垃圾好多", "五幢楼下垃圾堆成山了没人管"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["same"] is True
    r = CliRunner().invoke(app, ["similar", "--jsonl"], input=json.dumps({"a": "3栋电梯坏了", "b": "6栋电梯坏了"}) + "\n")
    got = json.loads(r.output)
    assert got["same"] is False and set(got) == {"a", "b", "same", "score"}
