"""Message-understanding commands: ``hgj parse``, ``hgj similar`` and ``hgj nlu …``.

jieba, numpy and scikit-learn are imported inside the commands so ``hgj --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from .app import app, fail

nlu_app = typer.Typer(help="消息理解: 训练与评估 (train and evaluate message understanding).", no_args_is_help=True)
app.add_typer(nlu_app, name="nlu")



def _gazetteer(community: str | None):
    """Place names of a community from the database: compounds, their aliases, building aliases."""
    if not community:
        return None
    from sqlmodel import select

    from bot.cli.app import open_database
    from bot.nlu import Gazetteer
    from models.places import Building, Community, Compound, PlaceAlias

    db = open_database()
    with db.session() as session:
        row = session.exec(
            select(Community).where((Community.name == community) | (Community.code == _int_or(community)))
        ).first()
        if row is None:
            fail(f"找不到社区 {community}")
        compounds = {c.id: c.name for c in session.exec(select(Compound).where(Compound.community_id == row.id))}
        buildings = {b.id: b.number for b in session.exec(select(Building).where(Building.community_id == row.id))}
        aliases = session.exec(select(PlaceAlias).where(PlaceAlias.community_id == row.id)).all()
    compound_names = {name: name for name in compounds.values()}
    building_names: dict[str, str] = {}
    for a in aliases:
        if a.kind == "compound" and a.target_id in compounds:
            compound_names[a.alias] = compounds[a.target_id]
        elif a.kind == "building" and a.target_id in buildings:
            building_names[a.alias] = buildings[a.target_id]
    return Gazetteer(compounds=compound_names, buildings=building_names)


def _int_or(value: str) -> int:
    return int(value) if value.isdigit() else -1


def _echo_json(obj) -> None:
    typer.echo(json.dumps(obj, ensure_ascii=False))


def _default_confidence() -> float:
    """``nlu_confidence`` as shipped: ``action`` says what the bot does under default settings."""
    from bot.infra.config import Settings

    return Settings.model_fields["nlu_confidence"].default


def _parse_record(parser, text: str, gaz, confidence: float) -> dict:
    return _record(text, parser.parse(text, gaz), confidence)


def _record(text: str, result, confidence: float) -> dict:
    from bot.nlu.decision import decide

    return {"text": text, **result.to_dict(), "action": decide(result, text, confidence).action}


def _jsonl_message(raw: str, n: int) -> tuple[str | None, dict]:
    """A line of ``--jsonl`` input: ``{"text": …}`` (other keys such as an id are echoed back),
    or the raw line as the message when it is not a JSON object. ``(None, error record)`` for a
    JSON object without a text: its output line says so, and the lines around it go on."""
    line = raw.rstrip("\r\n")
    if line.lstrip().startswith("{"):
        try:
            obj = json.loads(line)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            text = obj.get("text")
            extra = {k: v for k, v in obj.items() if k != "text"}
            if not isinstance(text, str):
                return None, {**extra, "line": n, "error": f'第 {n} 行是 JSON 对象, 但没有字符串 "text"'}
            return text, extra
    return line, {}


@app.command()
def parse(
    text: str = typer.Argument(None, help="要理解的一条消息 (one message)."),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON (print JSON)."),
    jsonl: bool = typer.Option(
        False, "--jsonl",
        help='标准输入每行一条消息 (原文, 或 {"text": "…"} 以容纳多行消息), 每行输出一个 JSON '
             "(stdin lines in, raw or JSON objects; JSON lines out).",
    ),
    community: str = typer.Option(None, "--community", help="用数据库中该社区的地名 (community name or code)."),
) -> None:
    """理解消息: 意图、类别、紧急、地点, 以及机器人在群里会怎么做 (act / ask / ignore)."""
    from bot.nlu import get_parser

    gaz = _gazetteer(community)
    parser = get_parser()
    confidence = _default_confidence()
    if jsonl:
        batch: list[tuple[str | None, dict]] = []

        def flush() -> None:
            results = iter(parser.parse_many([t for t, _extra in batch if t is not None], gaz))
            for line, extra in batch:
                _echo_json(extra if line is None else {**extra, **_record(line, next(results), confidence)})
            batch.clear()

        for n, raw in enumerate(sys.stdin, 1):
            batch.append(_jsonl_message(raw, n))
            if len(batch) >= 512:
                flush()
        flush()
        return
    if text is None:
        fail("请给出消息, 或用 --jsonl 从标准输入读取")
    d = _parse_record(parser, text, gaz, confidence)
    if as_json:
        _echo_json(d)
        return
    place = " ".join(f"{k}={v}" for k, v in d["place"].items() if v) or "-"
    action = {"act": "处理", "ask": "询问", "ignore": "不理会"}[d["action"]]
    typer.echo(
        f"意图 {d['intent']}  类别 {d['category']}  紧急 {'是' if d['urgent'] else '否'}  "
        f"置信度 {d['confidence']:.2f}  地点 {place}  动作 {d['action']} ({action})"
    )


@app.command()
def similar(
    a: str = typer.Argument(None),
    b: str = typer.Argument(None),
    jsonl: bool = typer.Option(False, "--jsonl", help='标准输入每行 {"a": ..., "b": ...} (JSON lines in).'),
    community: str = typer.Option(None, "--community", help="用数据库中该社区的地名."),
) -> None:
    """两条反映是否同一问题 (are two reports the same issue?), JSON 输出."""
    from bot.nlu import get_parser, same_issue

    gaz = _gazetteer(community)
    parser = get_parser()
    if jsonl:
        for n, raw in enumerate(sys.stdin, 1):
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw)
                left, right = obj["a"], obj["b"]
            except (ValueError, KeyError, TypeError):
                fail(f"第 {n} 行不是 {{\"a\": ..., \"b\": ...}} 形式的 JSON")
            ra, rb = parser.parse_many([left, right], gaz)
            s = same_issue(ra, rb)
            _echo_json({"a": left, "b": right, "same": s.same, "score": s.score})
        return
    if a is None or b is None:
        fail("需要两条消息 A B, 或用 --jsonl")
    s = same_issue(a, b, gaz)
    _echo_json({"same": s.same, "score": s.score})


@nlu_app.command("train")
def nlu_train(
    corpus: Path = typer.Option(None, help="标注语料 CSV (default: bot/nlu/data/corpus.csv)."),
    chatter: Path = typer.Option(None, help="闲聊语料 CSV (default: ../shared/data/chatter/train.csv when present)."),
    out: Path = typer.Option(None, help="模型文件 (default: bot/nlu/data/intent_model.npz)."),
) -> None:
    """训练意图/类别模型 (build the shipped intent/category model: the corpus, the development sets'
    messages in tests/data/nlu, and the shared real lines when present)."""
    from bot.nlu.classifier import MODEL_PATH
    from bot.nlu.evaluate import development_rows
    from bot.nlu.train import CORPUS_PATH, load_chatter, load_citizen, load_corpus, train

    corpus = corpus or CORPUS_PATH
    if not corpus.exists():
        fail(f"找不到语料 {corpus}")
    from bot.nlu.devdata import shared_data_dir

    chatter = chatter or (shared_data_dir() / "chatter" / "train.csv")
    lines: list[str] = []
    if chatter.exists():
        lines, _held = load_chatter(chatter)
    else:
        typer.echo(f"提示: 没有闲聊语料 {chatter}, 只用项目语料训练", err=True)
    citizen_path = shared_data_dir() / "citizen-messages" / "train.csv"
    citizen: list[str] = []
    if citizen_path.exists():
        citizen, _held = load_citizen(citizen_path)
    else:
        typer.echo(f"提示: 没有群众来信 {citizen_path}, 意图模型不学它们", err=True)
    rows = load_corpus(corpus)
    _echo_json(train(rows, lines, out or MODEL_PATH, citizen, development_rows(rows)))


@nlu_app.command("eval")
def nlu_eval(
    corpus: Path = typer.Option(None, help="标注语料 CSV (default: bot/nlu/data/corpus.csv)."),
    shared: Path = typer.Option(None, help="共享真实数据目录 (default: ../shared/data)."),
    frozen: bool = typer.Option(False, "--frozen", help="也评估冻结的外部测试集 (only at the end: nothing is tuned on it)."),
) -> None:
    """评估: 留出语料、DEV、全部外部开发集 (tests/data/nlu)、真实数据 (quality figures as JSON)."""
    from bot.nlu import get_parser
    from bot.nlu.devdata import shared_data_dir
    from bot.nlu.evaluate import DEV_SETS, FROZEN, action_rates, evaluate_external
    from bot.nlu.train import CORPUS_PATH, DEV_PATH, evaluate_corpus, evaluate_shared, load_chatter, load_corpus

    parser = get_parser()
    shared = shared or shared_data_dir()
    rows = [r for r in load_corpus(corpus or CORPUS_PATH) if r.split == "test"]
    report = {"heldout": evaluate_corpus(parser, rows), "dev": evaluate_corpus(parser, load_corpus(DEV_PATH)),
              **{name: evaluate_external(parser, folder) for name, folder in DEV_SETS.items()}}
    report.update(evaluate_shared(parser, shared))
    chatter = shared / "chatter" / "train.csv"
    if chatter.exists():
        report["real_chatter_heldout"] = action_rates(parser, load_chatter(chatter)[1])
    if frozen:
        report["frozen"] = evaluate_external(parser, FROZEN)
    _echo_json(report)


@nlu_app.command("train-pairs")
def nlu_train_pairs(
    out: Path = typer.Option(None, help="模型文件 (default: bot/nlu/data/pair_model.npz)."),
) -> None:
    """训练重复判断模型 (build the learned comparison of same_issue from the corpus and the pair sets)."""
    from bot.nlu.pair_train import train_and_describe

    _echo_json(train_and_describe(out))


@nlu_app.command("eval-pairs")
def nlu_eval_pairs() -> None:
    """重复判断: 每个配对集的训练内与留一集外准确率 (in-sample and leave-one-set-out, as JSON)."""
    from bot.nlu.pair_train import evaluate

    _echo_json(evaluate())


def _read_labelled(csv_path: Path, text_col: str, label_col: str) -> tuple[list[str], list[str]]:
    import csv

    if not csv_path.exists():
        fail(f"找不到文件 {csv_path}")
    with csv_path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        for col in (text_col, label_col):
            if col not in cols:
                fail(f"{csv_path} 没有列 {col} (有: {', '.join(cols)})")
        rows = [(r[text_col], r[label_col]) for r in reader if r[text_col] and r[label_col]]
    if not rows:
        fail(f"{csv_path} 没有数据行")
    return [t for t, _ in rows], [lab for _, lab in rows]


def _holdout(texts, labels, fraction: float):
    from sklearn.model_selection import train_test_split

    return train_test_split(texts, labels, test_size=fraction, random_state=0, stratify=labels)


@nlu_app.command("train-routing")
def train_routing(
    csv_path: Path = typer.Option(..., "--csv", help="历史工单 CSV (past work orders)."),
    out: Path = typer.Option(..., "--out", help="模型文件 (.npz)."),
    text_col: str = typer.Option("text", "--text-col"),
    label_col: str = typer.Option("label", "--label-col"),
    holdout: float = typer.Option(0.0, "--holdout", help="留出比例 (e.g. 0.2): 分层留出, 不参与训练, 报告其成绩."),
    c: float = typer.Option(None, "--c", help="固定 C; 默认在训练部分交叉验证选取."),
) -> None:
    """学习派单: 用历史工单训练路由模型, 打印交叉验证 (learned routing)."""
    from bot.nlu import routing

    texts, labels = _read_labelled(csv_path, text_col, label_col)
    test_texts: list[str] = []
    test_labels: list[str] = []
    if holdout:
        if not 0 < holdout < 1:
            fail("--holdout 应在 0 和 1 之间")
        texts, test_texts, labels, test_labels = _holdout(texts, labels, holdout)
    try:
        model = routing.train(texts, labels, C=c)
    except ValueError as err:
        fail(str(err))
    routing.save(model, out)
    report = {"out": str(out), **model.info}
    if test_texts:
        report["holdout"] = routing.evaluate(model, test_texts, test_labels)
    _echo_json(report)


@nlu_app.command("eval-routing")
def eval_routing(
    model_path: Path = typer.Option(..., "--model", help="train-routing 写出的模型."),
    csv_path: Path = typer.Option(..., "--csv"),
    text_col: str = typer.Option("text", "--text-col"),
    label_col: str = typer.Option("label", "--label-col"),
    holdout: float = typer.Option(0.0, "--holdout", help="只评估与 train-routing 同样留出的部分."),
) -> None:
    """评估路由模型: accuracy, macro_f1, 各标签 (evaluate a routing model)."""
    from bot.nlu import routing

    if not model_path.exists():
        fail(f"找不到模型 {model_path}")
    texts, labels = _read_labelled(csv_path, text_col, label_col)
    if holdout:
        _train_t, texts, _train_l, labels = _holdout(texts, labels, holdout)
    try:
        model = routing.load(model_path)
    except (OSError, KeyError, ValueError) as err:
        fail(f"无法读取模型 {model_path}: {err}")
    _echo_json(routing.evaluate(model, texts, labels))
