"""Learned routing (智能派单): a community teaches the bot its own categories — departments,
handlers — from past work orders, and new reports are routed the same way.

    model = train(texts, labels)            # NB-SVM; C and label offsets from cross-validation
    save(model, "routing.npz"); model = load("routing.npz")
    model.predict(["楼下垃圾没人清"])          # -> ["环卫所"]
    evaluate(model, texts, labels)           # accuracy, macro-F1, per-label figures

Features: jieba words and character 1–2-grams of the whole text, plus the same two views of
the title (a work order's or letter's first line says what it is about, and its words are
worth more than those of a long body). Each view is TF-IDF (sublinear tf) scaled to unit length
and weighted. One linear SVM per label (balanced class weights) over the features scaled by
their naive-Bayes log-count ratio for that label (NB-SVM); ``C`` is the best of ``C_GRID`` in
5-fold cross-validation on the training rows, and the out-of-fold decision values of that
cross-validation also give one offset per label (``fit_offsets``) that lifts macro-F1 by
letting small labels win close calls. The saved file holds vocabularies, idf, coefficients and intercepts only
(``.npz``, no pickles), so any scikit-learn version — or none — can load it.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .lexicon import get_tokenizer
from .text import normalize

TITLE_WEIGHT = 0.7
NB_ALPHA = 0.02
C_GRID = (0.3, 0.5, 1.0)
OFFSET_GRID = tuple(np.round(np.linspace(-0.5, 0.5, 21), 2))
CV_FOLDS = 5
_GREETING = re.compile(r"尊敬的|您好|你好|各位领导|领导[：:，,]")
_DIGITS = re.compile(r"\d+")


def title_of(text: str) -> str:
    """The first line of a message. Letters often repeat their subject at the start of the
    body (「X问题X问题您好…」); otherwise the subject ends where the greeting starts."""
    head = text[:6]
    repeat = text.find(head, 6) if len(head) == 6 else -1
    if 6 <= repeat <= 80:
        return text[:repeat]
    m = _GREETING.search(text, 4)
    if m and m.start() < 80:
        return text[: m.start()]
    return text[:30]


def _words(text: str) -> list[str]:
    return [("0" if w.isdigit() else w) for w in get_tokenizer().lcut(text) if w.strip()]


def _chars(text: str) -> list[str]:
    text = _DIGITS.sub("0", text)
    return list(text) + [text[i : i + 2] for i in range(len(text) - 1)]


# (name, analyser, weight, min_df)
VIEWS = (
    ("words", lambda t: _words(t), 1.0, 1),
    ("chars", lambda t: _chars(t), 1.0, 2),
    ("title_words", lambda t: _words(title_of(t)), TITLE_WEIGHT, 1),
    ("title_chars", lambda t: _chars(title_of(t)), TITLE_WEIGHT, 1),
)


@dataclass
class _View:
    vocab: dict[str, int]
    idf: np.ndarray
    weight: float


def _fit_view(docs: list[list[str]], weight: float, min_df: int) -> _View:
    df = Counter(term for doc in docs for term in set(doc))
    terms = sorted(t for t, n in df.items() if n >= min_df)
    n = len(docs)
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in terms])
    return _View({t: i for i, t in enumerate(terms)}, idf, weight)


def _transform(view: _View, docs: list[list[str]]):
    rows, cols, vals = [], [], []
    for r, doc in enumerate(docs):
        counts = Counter(view.vocab[t] for t in doc if t in view.vocab)
        if not counts:
            continue
        ids = np.fromiter(counts.keys(), dtype=np.int64)
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64))
        v = tf * view.idf[ids]
        v *= view.weight / np.linalg.norm(v)
        rows.extend([r] * len(ids))
        cols.extend(ids.tolist())
        vals.extend(v.tolist())
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(view.vocab)))


def _analyse(texts: list[str]) -> list[list[list[str]]]:
    """Per view, the analysed documents."""
    norm = [normalize(t) for t in texts]
    return [[analyser(t) for t in norm] for _name, analyser, _w, _m in VIEWS]


@dataclass
class RoutingModel:
    views: list[_View]
    classes: list[str]
    coef: np.ndarray  # (n_features, n_classes)
    intercept: np.ndarray
    info: dict

    def _matrix(self, analysed):
        return sp.hstack([_transform(v, docs) for v, docs in zip(self.views, analysed)]).tocsr()

    def decision(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._matrix(_analyse(texts)) @ self.coef) + self.intercept

    def predict(self, texts: list[str]) -> list[str]:
        if not texts:
            return []
        return [self.classes[i] for i in self.decision(texts).argmax(axis=1)]


def _fit(analysed, labels: list[str], C: float) -> RoutingModel:
    """One-vs-rest NB-SVM: for each label, the features are scaled by their log-ratio of weight in
    that label's messages against the others' (smoothed by ``NB_ALPHA``) and a linear SVM with
    balanced class weights is fitted on them; the scaling folds into that label's coefficients,
    so the model stays one linear map."""
    from sklearn.svm import LinearSVC  # training only: scikit-learn takes ~1 s to import

    views = [_fit_view(docs, w, min_df) for docs, (_n, _a, w, min_df) in zip(analysed, VIEWS)]
    X = sp.hstack([_transform(v, docs) for v, docs in zip(views, analysed)]).tocsr()
    y = np.array(labels)
    classes = sorted(set(labels))
    coef, intercept = [], []
    for label in classes:
        mine = np.asarray(X[y == label].sum(axis=0)).ravel() + NB_ALPHA
        rest = np.asarray(X[y != label].sum(axis=0)).ravel() + NB_ALPHA
        ratio = np.log((mine / mine.sum()) / (rest / rest.sum()))
        clf = LinearSVC(C=C, class_weight="balanced", random_state=0, max_iter=5000)
        clf.fit(X.multiply(ratio).tocsr(), (y == label).astype(int))
        coef.append(clf.coef_[0] * ratio)
        intercept.append(clf.intercept_[0])
    return RoutingModel(views, classes, np.array(coef).T.copy(), np.array(intercept), {"C": C})


def _subset(analysed, idx):
    return [[docs[i] for i in idx] for docs in analysed]


def _macro_f1(truth: list[str], pred: list[str]) -> float:
    from sklearn.metrics import f1_score  # training only: scikit-learn takes ~1 s to import

    return float(f1_score(truth, pred, average="macro", zero_division=0))


def cross_validate(
    texts: list[str], labels: list[str], C: float, folds: int = CV_FOLDS, analysed=None, scores_out=None
) -> dict:
    """Stratified k-fold on the training data: mean and per-fold macro-F1 and accuracy.

    With ``scores_out`` (a dict), its ``"scores"`` is set to the out-of-fold decision values
    (rows as ``texts``, columns as the sorted labels), from which ``train`` learns the offsets.
    """
    from sklearn.model_selection import StratifiedKFold  # training only: scikit-learn takes ~1 s to import

    analysed = analysed or _analyse(texts)
    labels_arr = np.array(labels)
    classes = sorted(set(labels))
    oof = np.zeros((len(labels), len(classes)))
    f1s, accs = [], []
    skf = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for train_idx, test_idx in skf.split(np.zeros(len(labels)), labels_arr):
        model = _fit(_subset(analysed, train_idx), labels_arr[train_idx].tolist(), C)
        X = model._matrix(_subset(analysed, test_idx))
        scores = np.asarray(X @ model.coef) + model.intercept
        cols = [model.classes.index(c) if c in model.classes else None for c in classes]
        oof[test_idx] = np.column_stack([scores[:, j] if j is not None else np.full(len(test_idx), -1e9) for j in cols])
        pred = [model.classes[i] for i in scores.argmax(axis=1)]
        truth = labels_arr[test_idx].tolist()
        f1s.append(_macro_f1(truth, pred))
        accs.append(sum(a == b for a, b in zip(truth, pred)) / len(truth))
    if scores_out is not None:
        scores_out["scores"] = oof
    return {
        "folds": folds,
        "C": C,
        "macro_f1_mean": round(float(np.mean(f1s)), 4),
        "macro_f1_folds": [round(f, 4) for f in f1s],
        "accuracy_mean": round(float(np.mean(accs)), 4),
    }


def _fast_macro_f1(truth: np.ndarray, pred: np.ndarray, k: int) -> float:
    """Macro-F1 over label indices 0..k-1 that occur in ``truth`` or ``pred``."""
    tp = np.bincount(truth[truth == pred], minlength=k)
    n_true = np.bincount(truth, minlength=k)
    n_pred = np.bincount(pred, minlength=k)
    seen = (n_true + n_pred) > 0
    f1 = np.divide(2 * tp, n_true + n_pred, out=np.zeros(k), where=seen)
    return float(f1[seen].mean())


def fit_offsets(scores: np.ndarray, truth: np.ndarray, grid=OFFSET_GRID, rounds: int = 2) -> np.ndarray:
    """Per-label offsets added to the decision values that maximise macro-F1 on out-of-fold
    scores (coordinate ascent over ``grid``; a change must strictly improve, so ties keep 0).

    A linear SVM with balanced class weights still favours the big labels at the margin: a
    small label such as 交通运输 is rarely predicted wrongly but often missed. Learning the
    offsets on held-back folds of the training data corrects that without touching held-out data.
    """
    k = scores.shape[1]
    offsets = np.zeros(k)
    best = _fast_macro_f1(truth, (scores + offsets).argmax(axis=1), k)
    for _ in range(rounds):
        for j in range(k):
            for g in grid:
                trial = offsets.copy()
                trial[j] = g
                f = _fast_macro_f1(truth, (scores + trial).argmax(axis=1), k)
                if f > best + 1e-12:
                    best, offsets = f, trial
    return offsets


def train(texts: list[str], labels: list[str], *, C: float | None = None, cv: bool = True) -> RoutingModel:
    """Fit on all of ``texts``. Without ``C``, each value of ``C_GRID`` is cross-validated on
    these texts and the best is kept (the held-out data never takes part)."""
    if len(set(labels)) < 2:
        raise ValueError("routing needs at least two labels")
    order = sorted(range(len(texts)), key=lambda i: (labels[i], texts[i]))  # input order must not matter
    texts = [texts[i] for i in order]
    labels = [labels[i] for i in order]
    analysed = _analyse(texts)
    folds = min(CV_FOLDS, min(Counter(labels).values()))
    cv_runs = []
    oof: dict[float, np.ndarray] = {}
    if (C is None or cv) and folds >= 2:
        grid = C_GRID if C is None else (C,)
        for c in grid:
            out: dict = {}
            cv_runs.append(cross_validate(texts, labels, c, folds, analysed, scores_out=out))
            oof[c] = out["scores"]
        if C is None:
            C = max(cv_runs, key=lambda r: r["macro_f1_mean"])["C"]
    model = _fit(analysed, labels, C if C is not None else 0.5)
    offsets = np.zeros(len(model.classes))
    if C in oof:
        index = {c: i for i, c in enumerate(sorted(set(labels)))}
        offsets = fit_offsets(oof[C], np.array([index[label] for label in labels]))
        model.intercept = model.intercept + offsets  # model.classes is sorted like ``index``
    model.info = {
        "C": model.info["C"],
        "offsets": {c: round(float(o), 3) for c, o in zip(model.classes, offsets)},
        "train_rows": len(texts),
        "labels": dict(sorted(Counter(labels).items())),
        "cross_validation": cv_runs,
    }
    return model


def evaluate(model: RoutingModel, texts: list[str], labels: list[str]) -> dict:
    from sklearn.metrics import precision_recall_fscore_support  # training only: scikit-learn takes ~1 s to import

    pred = model.predict(texts)
    names = sorted(set(labels) | set(pred))
    p, r, f, n = precision_recall_fscore_support(labels, pred, labels=names, zero_division=0)
    return {
        "rows": len(texts),
        "accuracy": round(sum(a == b for a, b in zip(labels, pred)) / max(len(labels), 1), 4),
        "macro_f1": round(_macro_f1(labels, pred), 4),
        "per_label": {
            name: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4),
                   "f1": round(float(f[i]), 4), "support": int(n[i])}
            for i, name in enumerate(names)
        },
    }


def save(model: RoutingModel, path: str | Path) -> None:
    arrays = {
        "classes": np.array(model.classes),
        "coef": model.coef.astype(np.float32),
        "intercept": model.intercept.astype(np.float32),
        "info": np.array(json.dumps(model.info, ensure_ascii=False)),
    }
    for i, view in enumerate(model.views):
        terms = sorted(view.vocab, key=view.vocab.__getitem__)
        arrays[f"view{i}_terms"] = np.array(terms)
        arrays[f"view{i}_idf"] = view.idf.astype(np.float32)
        arrays[f"view{i}_weight"] = np.array(view.weight)
    path = Path(path)
    with path.open("wb") as fh:  # file handle: numpy would otherwise append .npz to the name
        np.savez_compressed(fh, **arrays)


def load(path: str | Path) -> RoutingModel:
    with np.load(Path(path), allow_pickle=False) as z:
        views = []
        for i in range(len(VIEWS)):
            terms = [str(t) for t in z[f"view{i}_terms"]]
            views.append(_View({t: j for j, t in enumerate(terms)}, z[f"view{i}_idf"].astype(np.float64),
                               float(z[f"view{i}_weight"])))
        return RoutingModel(
            views,
            [str(c) for c in z["classes"]],
            z["coef"].astype(np.float64),
            z["intercept"].astype(np.float64),
            json.loads(str(z["info"])),
        )
