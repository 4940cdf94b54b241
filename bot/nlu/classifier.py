"""Linear intent, category and urgency models, run with numpy alone.

Training (``train.py``) uses scikit-learn; what inference needs (vocabulary, idf,
coefficients, intercepts) is exported to ``data/intent_model.npz``, so a new scikit-learn
never breaks a shipped model and loading costs a few milliseconds.

A message's vector: binary text features weighted by idf and scaled to unit length, then the
length features (``features.length_features``) with a fixed weight, outside that scaling.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_PATH = Path(__file__).resolve().parent / "data" / "intent_model.npz"


@dataclass(frozen=True)
class LinearHead:
    classes: tuple[str, ...]
    coef: np.ndarray  # (n_text_features + 1, n_classes); the last row is the padding slot
    meta_coef: np.ndarray  # (n_meta, n_classes)
    intercept: np.ndarray  # (n_classes,)


class FeatureSpace:
    """Vocabulary, idf and meta keys shared by the heads."""

    def __init__(self, vocab: list[str], idf: np.ndarray, meta_keys: list[str], meta_weight: float):
        self.index = {f: i for i, f in enumerate(vocab)}
        self.pad = len(vocab)  # every message gets this zero-weight slot: no empty rows
        self.idf = np.append(idf.astype(np.float64), 0.0)
        self.meta_index = {k: i for i, k in enumerate(meta_keys)}
        self.meta_weight = float(meta_weight)

    def encode(self, batch: list[tuple[list[str], list[str]]]):
        """Flattened sparse rows: (feature ids, values, row starts, meta matrix)."""
        index = self.index
        ids: list[int] = []
        starts = np.empty(len(batch), dtype=np.int64)
        meta = np.zeros((len(batch), len(self.meta_index)))
        for row, (text_feats, meta_feats) in enumerate(batch):
            starts[row] = len(ids)
            ids.append(self.pad)
            ids.extend([i for f in text_feats if (i := index.get(f)) is not None])
            for k in meta_feats:
                j = self.meta_index.get(k)
                if j is not None:
                    meta[row, j] = self.meta_weight
        flat = np.asarray(ids, dtype=np.int64)
        values = self.idf[flat]
        norms = np.sqrt(np.add.reduceat(values * values, starts))
        norms[norms == 0.0] = 1.0
        row_of = np.repeat(np.arange(len(batch)), np.diff(np.append(starts, len(flat))))
        values = values / norms[row_of]
        return flat, values, starts, meta

    def to_matrix(self, batch):
        """The same vectors as a scipy matrix, for training."""
        import scipy.sparse as sp  # training only: predicting needs numpy alone (start-up time)

        flat, values, starts, meta = self.encode(batch)
        indptr = np.append(starts, len(flat))
        text = sp.csr_matrix((values, flat, indptr), shape=(len(batch), self.pad + 1))
        return sp.hstack([text, sp.csr_matrix(meta)]).tocsr()


def head_probabilities(head: LinearHead, encoded) -> np.ndarray:
    flat, values, starts, meta = encoded
    contrib = head.coef[flat] * values[:, None]
    scores = np.add.reduceat(contrib, starts, axis=0) + meta @ head.meta_coef + head.intercept
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


@dataclass(frozen=True)
class IntentModel:
    space: FeatureSpace
    intent: LinearHead
    category: LinearHead  # trained on issues and wishes only; classes are "intent/category"
    urgent: LinearHead | None = None  # classes ("no", "yes"): an emergency happening now

    def predict(self, batch):
        """(intent probabilities, category probabilities, probability of an emergency) for
        encoded feature pairs; the last is zeros for a model without the urgency head."""
        encoded = self.space.encode(batch)
        if self.urgent is None:
            urgent = np.zeros(len(batch))
        else:
            urgent = head_probabilities(self.urgent, encoded)[:, self.urgent.classes.index("yes")]
        return head_probabilities(self.intent, encoded), head_probabilities(self.category, encoded), urgent


def save_model(path: Path, space_arrays: dict, heads: dict[str, LinearHead]) -> None:
    arrays = dict(space_arrays)
    for name, head in heads.items():
        arrays[f"{name}_classes"] = np.array(head.classes)
        # half precision (drop the padding row): round 12's fifteen training sets took the model to 4.7 MB
        # against its 5 MB bound; as float16 it is 2.6 MB, and not one decision of 53,917 corpus,
        # development, training, chatter and citizen texts changes (probabilities move ≤ 5e-4)
        arrays[f"{name}_coef"] = head.coef[:-1].astype(np.float16)
        arrays[f"{name}_meta_coef"] = head.meta_coef.astype(np.float32)
        arrays[f"{name}_intercept"] = head.intercept.astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def load_model(path: Path = MODEL_PATH) -> IntentModel:
    with np.load(path, allow_pickle=False) as z:
        space = FeatureSpace(
            [str(v) for v in z["vocab"]], z["idf"], [str(k) for k in z["meta_keys"]], float(z["meta_weight"])
        )

        def head(name: str) -> LinearHead:
            coef = z[f"{name}_coef"].astype(np.float64)
            coef = np.vstack([coef, np.zeros((1, coef.shape[1]))])
            return LinearHead(
                tuple(str(c) for c in z[f"{name}_classes"]),
                coef,
                z[f"{name}_meta_coef"].astype(np.float64),
                z[f"{name}_intercept"].astype(np.float64),
            )

        return IntentModel(space, head("intent"), head("category"), head("urgent") if "urgent_coef" in z else None)
