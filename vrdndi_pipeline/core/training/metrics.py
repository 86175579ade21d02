"""Validation metrics per head, the weighted F1 and the EMA that chooses the checkpoint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

HEADS = ("interest", "productive")


@dataclass(frozen=True, slots=True)
class HeadMetrics:
    """Binary metrics of one head (class 1 positive) over its labelled rows."""

    n: int
    positives: int
    accuracy: float
    precision: float
    recall: float
    f1: float
    roc_auc: float | None  # None when the rows hold one class only

    def to_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Metrics per head; a head without labelled rows is None."""

    interest: HeadMetrics | None
    productive: HeadMetrics | None

    def flat(self, prefix: str = "") -> dict[str, float]:
        """``{"<prefix>productive_f1": ..., ...}`` for metric logging (None values left out)."""
        out: dict[str, float] = {}
        for head in HEADS:
            metrics = getattr(self, head)
            for key, value in (metrics.to_dict() if metrics else {}).items():
                if value is not None:
                    out[f"{prefix}{head}_{key}"] = float(value)
        return out


def head_metrics(
    labels: Sequence[int] | np.ndarray,
    prob_positive: Sequence[float] | np.ndarray,
    predictions: Sequence[int] | np.ndarray,
) -> HeadMetrics | None:
    """Metrics from labels (0/1), P(class 1) and predicted classes; None for no rows."""
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support, roc_auc_score

    y = np.asarray(labels, dtype=int)
    if y.size == 0:
        return None
    pred = (np.asarray(predictions) == 1).astype(int)  # a class > 1 counts as negative
    precision, recall, f1, _ = precision_recall_fscore_support(
        y, pred, average="binary", pos_label=1, zero_division=0
    )
    auc = float(roc_auc_score(y, np.asarray(prob_positive))) if len(set(y.tolist())) == 2 else None
    return HeadMetrics(
        n=int(y.size),
        positives=int(y.sum()),
        accuracy=float(accuracy_score(y, pred)),
        precision=float(precision),
        recall=float(recall),
        f1=float(f1),
        roc_auc=auc,
    )


def weighted_f1(evaluation: Evaluation, productive_weight: float) -> float | None:
    """``w·F1_productive + (1−w)·F1_interest``; the one head present alone; None for neither."""
    p, i = evaluation.productive, evaluation.interest
    if p is not None and i is not None:
        return productive_weight * p.f1 + (1 - productive_weight) * i.f1
    if p is not None:
        return p.f1
    return i.f1 if i is not None else None


class EmaTracker:
    """EMA of a score across epochs; remembers the epoch where the EMA was highest.

    ``ema_1 = s_1``; ``ema_t = alpha·s_t + (1 − alpha)·ema_{t−1}``. Only a strictly higher EMA
    is an improvement, so a later, worse epoch never replaces the best one.
    """

    def __init__(self, alpha: float) -> None:
        self.alpha = alpha
        self.value: float | None = None
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.epochs_since_best = 0

    def update(self, epoch: int, score: float) -> bool:
        """Add an epoch's score; True when its EMA is the best so far."""
        self.value = (
            score if self.value is None else self.alpha * score + (1 - self.alpha) * self.value
        )
        if self.best is None or self.value > self.best:
            self.best, self.best_epoch, self.epochs_since_best = self.value, epoch, 0
            return True
        self.epochs_since_best += 1
        return False


def choose_epoch(scores: Sequence[float], alpha: float) -> tuple[int, list[float]]:
    """The 1-based epoch with the best EMA of ``scores``, and the EMA after every epoch."""
    tracker = EmaTracker(alpha)
    emas = []
    for epoch, score in enumerate(scores, start=1):
        tracker.update(epoch, score)
        assert tracker.value is not None
        emas.append(tracker.value)
    if tracker.best_epoch is None:
        raise ValueError("no scores to choose from")
    return tracker.best_epoch, emas
