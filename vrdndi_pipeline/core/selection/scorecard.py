"""Held-out predictions → metrics with bootstrap 95 % intervals, per family and head.

A family's held-out predictions are one row per (fold, test row): ``family, fold, kind,
row_key, label, probability``. ROC-AUC is computed on all folds' rows together; its interval
comes from resampling rows with replacement *within each fold* (the folds keep their sizes),
and a gain of one family over another resamples the same rows for both (paired), so the
interval of the difference is much narrower than the two intervals side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

HELDOUT_COLUMNS = ["family", "recipe", "fold", "kind", "row_key", "label", "probability"]
HEADS = ("productive", "interest")
RESAMPLES = 1000


@dataclass(frozen=True, slots=True)
class Estimate:
    value: float
    low: float
    high: float

    def text(self, signed: bool = False) -> str:
        fmt = "{:+.3f}" if signed else "{:.3f}"
        return f"{fmt.format(self.value)} [{fmt.format(self.low)}, {fmt.format(self.high)}]"


@dataclass(frozen=True, slots=True)
class HeadScore:
    rows: int
    positives: int
    roc_auc: Estimate | None  # None with one class only
    f1: float
    brier: float


@dataclass(frozen=True, slots=True)
class Scorecard:
    family: str
    productive: HeadScore | None
    interest: HeadScore | None
    fold_roc_auc: tuple[float | None, ...]  # productive ROC-AUC per fold

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def metrics(self, prefix: str = "heldout.") -> dict[str, float]:
        """Flat metric names for MLflow: ``heldout.productive_roc_auc`` (+ ``_low``/``_high``),
        ``heldout.productive_f1``, ``heldout.productive_brier``, the same for interest, and
        ``heldout.fold<k>.productive_roc_auc``."""
        out: dict[str, float] = {}
        for head in HEADS:
            score: HeadScore | None = getattr(self, head)
            if score is None:
                continue
            out[f"{prefix}{head}_rows"] = float(score.rows)
            out[f"{prefix}{head}_f1"] = score.f1
            out[f"{prefix}{head}_brier"] = score.brier
            if score.roc_auc is not None:
                out[f"{prefix}{head}_roc_auc"] = score.roc_auc.value
                out[f"{prefix}{head}_roc_auc_low"] = score.roc_auc.low
                out[f"{prefix}{head}_roc_auc_high"] = score.roc_auc.high
        for k, auc in enumerate(self.fold_roc_auc, start=1):
            if auc is not None:
                out[f"{prefix}fold{k}.productive_roc_auc"] = auc
        return out


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float | None:
    """Mann–Whitney ROC-AUC (ties count half); ``None`` when one class is missing."""
    values = _auc_rows(np.asarray(labels)[None, :], np.asarray(scores, dtype=float)[None, :])
    return None if np.isnan(values[0]) else float(values[0])


def _auc_rows(labels: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """ROC-AUC of every row of ``(B, n)`` labels and scores; NaN where a row has one class."""
    from scipy.stats import rankdata

    ranks = rankdata(scores, axis=1)  # (B, n), ties averaged
    positives = labels.sum(axis=1).astype(float)
    negatives = labels.shape[1] - positives
    rank_sum = (ranks * labels).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)
    return np.where((positives > 0) & (negatives > 0), auc, np.nan)


def f1_score(labels: np.ndarray, probabilities: np.ndarray, threshold: float = 0.5) -> float:
    predicted = np.asarray(probabilities) >= threshold
    truth = np.asarray(labels) == 1
    tp = float(np.sum(predicted & truth))
    denominator = float(np.sum(predicted) + np.sum(truth))
    return 2 * tp / denominator if denominator else 0.0


def brier_score(labels: np.ndarray, probabilities: np.ndarray) -> float:
    y, p = np.asarray(labels, dtype=float), np.asarray(probabilities, dtype=float)
    return float(np.mean((p - y) ** 2)) if len(y) else float("nan")


def resample_indices(folds: np.ndarray, resamples: int, seed: int) -> np.ndarray:
    """``(resamples, n)`` row indices drawn with replacement within each fold."""
    rng = np.random.default_rng(seed)
    out = np.empty((resamples, len(folds)), dtype=np.int64)
    for fold in np.unique(folds):
        rows = np.nonzero(folds == fold)[0]
        out[:, rows] = rows[rng.integers(0, len(rows), size=(resamples, len(rows)))]
    return out


def _interval(value: float, samples: np.ndarray) -> Estimate:
    samples = samples[~np.isnan(samples)]
    if not len(samples):
        return Estimate(value, value, value)
    low, high = np.percentile(samples, [2.5, 97.5])
    return Estimate(float(value), float(low), float(high))


def _head_rows(frame: pd.DataFrame, head: str) -> pd.DataFrame:
    return frame[frame["kind"] == head].sort_values(["fold", "row_key"])


def head_score(rows: pd.DataFrame, resamples: int, seed: int) -> HeadScore | None:
    if rows.empty:
        return None
    y = rows["label"].to_numpy(dtype=int)
    p = rows["probability"].to_numpy(dtype=float)
    auc = roc_auc(y, p)
    estimate = None
    if auc is not None:
        index = resample_indices(rows["fold"].to_numpy(), resamples, seed)
        estimate = _interval(auc, _auc_rows(y[index], p[index]))
    return HeadScore(int(len(y)), int(y.sum()), estimate, f1_score(y, p), brier_score(y, p))


def scorecard(
    frame: pd.DataFrame, family: str, *, resamples: int = RESAMPLES, seed: int = 42
) -> Scorecard:
    """Metrics of ``family``'s held-out predictions in ``frame`` (see the module doc)."""
    rows = frame[frame["family"] == family]
    productive = _head_rows(rows, "productive")
    per_fold = tuple(
        roc_auc(g["label"].to_numpy(dtype=int), g["probability"].to_numpy(dtype=float))
        for _, g in productive.groupby("fold", sort=True)
    )
    return Scorecard(
        family=family,
        productive=head_score(productive, resamples, seed),
        interest=head_score(_head_rows(rows, "interest"), resamples, seed),
        fold_roc_auc=per_fold,
    )


def paired_gain(
    frame: pd.DataFrame,
    family: str,
    other: str,
    *,
    head: str = "productive",
    resamples: int = RESAMPLES,
    seed: int = 42,
) -> Estimate | None:
    """ROC-AUC of ``family`` minus ``other`` on the rows both predicted, paired bootstrap."""
    a = _head_rows(frame[frame["family"] == family], head).set_index(["fold", "row_key"])
    b = _head_rows(frame[frame["family"] == other], head).set_index(["fold", "row_key"])
    common = a.index.intersection(b.index).sort_values()
    if common.empty:
        return None
    a, b = a.loc[common], b.loc[common]
    y = a["label"].to_numpy(dtype=int)
    pa, pb = a["probability"].to_numpy(dtype=float), b["probability"].to_numpy(dtype=float)
    auc_a, auc_b = roc_auc(y, pa), roc_auc(y, pb)
    if auc_a is None or auc_b is None:
        return None
    index = resample_indices(common.get_level_values("fold").to_numpy(), resamples, seed)
    gains = _auc_rows(y[index], pa[index]) - _auc_rows(y[index], pb[index])
    return _interval(auc_a - auc_b, gains)


def same_rows(frames: Sequence[pd.DataFrame]) -> bool:
    """Whether every frame predicted the same (fold, row) pairs."""
    keys = [set(zip(f["fold"], f["row_key"], strict=True)) for f in frames]
    return all(k == keys[0] for k in keys[1:])
