"""Evaluation plots of a candidate's held-out predictions, as PNG bytes (pure: frames in, bytes
out; matplotlib's Agg backend, no display).

Each plot has one panel per head ("good time now", "interest") that has held-out rows of both
classes. ROC and precision-recall curves draw the candidate and the baseline on the same rows
(matched by fold and row key); the confusion matrix is at :data:`THRESHOLD`, the threshold the
F1 of :mod:`.scorecard` uses; the calibration plot is a reliability diagram in equal-width bins.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from vrdndi_pipeline.core.selection.scorecard import HEADS
from vrdndi_pipeline.core.vocabulary import metric_key

THRESHOLD = 0.5
BINS = 10
DPI = 80
PLOT_FILES = ("roc.png", "precision_recall.png", "confusion_matrix.png", "calibration.png")


def _head_title(head: str) -> str:
    return metric_key(head).replace("_", " ")


def _paired(candidate: pd.DataFrame, baseline: pd.DataFrame | None, head: str) -> pd.DataFrame:
    """The head's rows: ``label``, ``probability`` and (where it has the row) ``baseline``."""
    rows = candidate.loc[candidate["kind"] == head, ["fold", "row_key", "label", "probability"]]
    if baseline is None:
        return rows.assign(baseline=np.nan)
    base = baseline.loc[baseline["kind"] == head, ["fold", "row_key", "probability"]]
    base = base.rename(columns={"probability": "baseline"})
    return rows.merge(base, on=["fold", "row_key"], how="left")


def _heads(
    candidate: pd.DataFrame, baseline: pd.DataFrame | None
) -> list[tuple[str, pd.DataFrame]]:
    out = []
    for head in HEADS:
        rows = _paired(candidate, baseline, head)
        if rows["label"].nunique() == 2:
            out.append((head, rows))
    return out


def _figure(
    panels: list[tuple[str, pd.DataFrame]],
    draw: Callable[[Any, pd.DataFrame], None],
    title: str,
) -> bytes:
    from matplotlib.figure import Figure  # the object API: no pyplot, no global state

    count = max(len(panels), 1)
    figure = Figure(figsize=(4.2 * count, 4.0), dpi=DPI, layout="constrained")
    axes = figure.subplots(1, count, squeeze=False)[0]
    if not panels:
        axes[0].text(0.5, 0.5, "no head with both classes", ha="center", va="center")
        axes[0].set_axis_off()
    for ax, (head, rows) in zip(axes, panels, strict=False):
        draw(ax, rows)
        ax.set_title(f"{_head_title(head)} ({len(rows)} rows)")
    figure.suptitle(title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def roc_points(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False and true positive rates at every distinct score, from (0, 0) to (1, 1)."""
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(labels, scores)
    return fpr, tpr


def _curves(
    ax: Any, rows: pd.DataFrame, name: str, curve: Callable[[np.ndarray, np.ndarray], Any]
) -> None:
    labels = rows["label"].to_numpy()
    for column, label, style in (("probability", name, "-"), ("baseline", "baseline", "--")):
        scores = rows[column].to_numpy(dtype=float)
        keep = ~np.isnan(scores)
        if keep.sum() and len(np.unique(labels[keep])) == 2:
            x, y, score = curve(labels[keep], scores[keep])
            ax.plot(x, y, style, label=f"{label} ({score:.3f})")
    ax.legend(loc="lower right" if curve is _roc else "lower left", fontsize="small")


def _roc(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    from sklearn.metrics import roc_auc_score

    fpr, tpr = roc_points(labels, scores)
    return fpr, tpr, float(roc_auc_score(labels, scores))


def _pr(labels: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    from sklearn.metrics import average_precision_score, precision_recall_curve

    precision, recall, _ = precision_recall_curve(labels, scores)
    return recall, precision, float(average_precision_score(labels, scores))


def roc_png(candidate: pd.DataFrame, baseline: pd.DataFrame | None, name: str) -> bytes:
    """ROC curves of ``candidate`` and ``baseline`` (held-out frames) on the same rows."""

    def draw(ax: Any, rows: pd.DataFrame) -> None:
        ax.plot([0, 1], [0, 1], ":", color="grey")
        _curves(ax, rows, name, _roc)
        ax.set_xlabel("false positive rate")
        ax.set_ylabel("true positive rate")

    return _figure(_heads(candidate, baseline), draw, f"ROC: {name} vs baseline (AUC)")


def precision_recall_png(
    candidate: pd.DataFrame, baseline: pd.DataFrame | None, name: str
) -> bytes:
    """Precision-recall curves of ``candidate`` and ``baseline`` on the same rows."""

    def draw(ax: Any, rows: pd.DataFrame) -> None:
        ax.axhline(rows["label"].mean(), linestyle=":", color="grey")  # a random ranking
        _curves(ax, rows, name, _pr)
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
        ax.set_ylim(0, 1.02)

    title = f"Precision-recall: {name} vs baseline (average precision)"
    return _figure(_heads(candidate, baseline), draw, title)


def confusion_counts(labels: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """``[[TN, FP], [FN, TP]]`` at :data:`THRESHOLD` (rows: true label, columns: predicted)."""
    predicted = (probabilities >= THRESHOLD).astype(int)
    out = np.zeros((2, 2), dtype=int)
    np.add.at(out, (labels.astype(int), predicted), 1)
    return out


def confusion_png(candidate: pd.DataFrame, name: str) -> bytes:
    """The confusion matrix of ``candidate`` at the decision threshold, per head."""

    def draw(ax: Any, rows: pd.DataFrame) -> None:
        counts = confusion_counts(rows["label"].to_numpy(), rows["probability"].to_numpy())
        ax.imshow(counts, cmap="Blues")
        for (i, j), count in np.ndenumerate(counts):
            color = "white" if count > counts.max() / 2 else "black"
            ax.text(j, i, str(count), ha="center", va="center", color=color, fontsize="large")
        ax.set_xticks([0, 1], ["no", "yes"])
        ax.set_yticks([0, 1], ["no", "yes"])
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")

    title = f"Confusion matrix: {name} at threshold {THRESHOLD}"
    return _figure(_heads(candidate, None), draw, title)


def reliability(
    labels: np.ndarray, probabilities: np.ndarray, bins: int = BINS
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per non-empty equal-width bin: mean predicted probability, observed share, row count."""
    index = np.clip((probabilities * bins).astype(int), 0, bins - 1)
    counts = np.bincount(index, minlength=bins)
    predicted = np.bincount(index, weights=probabilities, minlength=bins)
    observed = np.bincount(index, weights=labels.astype(float), minlength=bins)
    used = counts > 0
    return predicted[used] / counts[used], observed[used] / counts[used], counts[used]


def calibration_png(candidate: pd.DataFrame, baseline: pd.DataFrame | None, name: str) -> bytes:
    """Reliability diagram: observed share of positives against the mean predicted
    probability, per bin, for ``candidate`` and ``baseline``."""

    def draw(ax: Any, rows: pd.DataFrame) -> None:
        ax.plot([0, 1], [0, 1], ":", color="grey", label="perfectly calibrated")
        labels = rows["label"].to_numpy()
        for column, label, marker in (("probability", name, "o-"), ("baseline", "baseline", "s--")):
            scores = rows[column].to_numpy(dtype=float)
            keep = ~np.isnan(scores)
            if keep.sum():
                predicted, observed, _ = reliability(labels[keep], scores[keep])
                ax.plot(predicted, observed, marker, label=label)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("mean predicted probability")
        ax.set_ylabel("observed share of yes")
        ax.legend(loc="upper left", fontsize="small")

    title = f"Calibration: {name} vs baseline ({BINS} bins)"
    return _figure(_heads(candidate, baseline), draw, title)


def candidate_plots(
    candidate: pd.DataFrame, baseline: pd.DataFrame | None, name: str
) -> dict[str, bytes]:
    """The file name → PNG bytes of every plot in :data:`PLOT_FILES`."""
    pngs = (
        roc_png(candidate, baseline, name),
        precision_recall_png(candidate, baseline, name),
        confusion_png(candidate, name),
        calibration_png(candidate, baseline, name),
    )
    return dict(zip(PLOT_FILES, pngs, strict=True))


__all__ = [
    "PLOT_FILES",
    "THRESHOLD",
    "calibration_png",
    "candidate_plots",
    "confusion_counts",
    "confusion_png",
    "precision_recall_png",
    "reliability",
    "roc_png",
]
