"""Whether a newly trained adapter should become the ``champion`` the feed is served from.

Pure: the scores come from the holdout evaluation, the decision goes to the model registry.
A candidate is promoted only when it beats the context-free baseline (the same video scored
without ActivityWatch context and time of day) *and* the current champion, each by more than
``min_gain``. Beating the baseline is required even without a champion: an adapter that does no
better than ignoring the context would only add noise to the timing of the feed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Literal

from vrdndi_pipeline.core.model.metrics import Evaluation

PrimaryMetric = Literal["productive_roc_auc", "productive_f1"]

_METRIC_LABELS: dict[PrimaryMetric, str] = {
    "productive_roc_auc": "productive ROC-AUC",
    "productive_f1": "productive F1",
}


def _check_unit(name: str, value: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and 0.0 <= value <= 1.0):
        raise ValueError(f"{name}={value!r}: a holdout score must be a number in [0, 1]")


@dataclass(frozen=True, slots=True)
class HoldoutScore:
    """One model's scores on the holdout set (or the baseline's, on the same rows).

    A ROC-AUC is ``None`` when the holdout holds a single class, where it is undefined
    (scikit-learn then returns NaN with a warning; NaN is stored as ``None`` here).
    """

    productive_roc_auc: float | None
    productive_f1: float
    interest_roc_auc: float | None
    interest_f1: float

    def __post_init__(self) -> None:
        for name in ("productive_roc_auc", "interest_roc_auc"):
            value = getattr(self, name)
            if isinstance(value, float) and math.isnan(value):
                object.__setattr__(self, name, None)
            elif value is not None:
                _check_unit(name, value)
        _check_unit("productive_f1", self.productive_f1)
        _check_unit("interest_f1", self.interest_f1)

    @property
    def primary_metric(self) -> PrimaryMetric:
        """The metric :attr:`primary` reads: ROC-AUC when defined, else F1."""
        return "productive_f1" if self.productive_roc_auc is None else "productive_roc_auc"

    @property
    def primary(self) -> float:
        """The number promotion compares: the productive ROC-AUC, else the productive F1.

        Productive, because the registered adapter exists to time the feed (interest alone is
        what the context-free baseline already does). ROC-AUC, because the feed *ranks* videos
        by the productive probability: ROC-AUC measures exactly that ordering, needs no
        threshold and does not move with the share of positives in a small holdout, where F1
        depends on the 0.5 cut-off. F1 is the fallback when ROC-AUC is undefined (one class).
        """
        return self.productive_f1 if self.productive_roc_auc is None else self.productive_roc_auc

    def value(self, metric: PrimaryMetric) -> float | None:
        return self.productive_roc_auc if metric == "productive_roc_auc" else self.productive_f1

    def to_metrics(self, prefix: str = "holdout.") -> dict[str, float | None]:
        """The scores as MLflow metric names (``holdout.productive_f1``); ``None`` kept."""
        return {f"{prefix}{f.name}": getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_metrics(
        cls, metrics: Mapping[str, float], prefix: str = "holdout."
    ) -> HoldoutScore | None:
        """The inverse of :meth:`to_metrics`; ``None`` when an F1 is missing."""
        f1s = (metrics.get(f"{prefix}productive_f1"), metrics.get(f"{prefix}interest_f1"))
        if f1s[0] is None or f1s[1] is None:
            return None
        return cls(
            productive_roc_auc=metrics.get(f"{prefix}productive_roc_auc"),
            productive_f1=f1s[0],
            interest_roc_auc=metrics.get(f"{prefix}interest_roc_auc"),
            interest_f1=f1s[1],
        )


@dataclass(frozen=True, slots=True)
class PromotionDecision:
    """Whether to move the ``champion`` alias to the candidate, and why, in one sentence."""

    promote: bool
    reason: str
    metric: PrimaryMetric
    candidate_primary: float
    champion_primary: float | None
    baseline_primary: float


def comparable_metric(*scores: HoldoutScore) -> PrimaryMetric:
    """ROC-AUC when every score has one, else F1 for all: never ROC-AUC against an F1."""
    if all(s.productive_roc_auc is not None for s in scores):
        return "productive_roc_auc"
    return "productive_f1"


# Gains this small are float noise (0.69 + 0.02 != 0.71), so they count as ties.
_TIE_TOLERANCE = 1e-9


def _beats(candidate: float, other: float, min_gain: float) -> bool:
    return candidate - other > min_gain + _TIE_TOLERANCE


def _versus(name: str, candidate: float, other: float, min_gain: float) -> str:
    gain = f" + {min_gain:.3f}" if min_gain > 0 else ""
    sign = ">" if _beats(candidate, other, min_gain) else "<="
    return f"{name} ({candidate:.3f} {sign} {other:.3f}{gain})"


def decide_promotion(
    candidate: HoldoutScore,
    champion: HoldoutScore | None,
    baseline: HoldoutScore,
    *,
    min_gain: float = 0.0,
    champion_version: str | None = None,
) -> PromotionDecision:
    """Promote ``candidate`` iff it beats ``baseline`` and ``champion`` by more than ``min_gain``.

    All three are compared on one metric (:func:`comparable_metric`). Strictly greater: a tie
    keeps the current champion, so retraining on the same data does not churn the alias.
    ``champion`` is ``None`` when nothing has been promoted yet. Scores should come from the
    same holdout rows; a champion scored on an older holdout is only roughly comparable.
    """
    if not (math.isfinite(min_gain) and min_gain >= 0.0):
        raise ValueError(f"min_gain={min_gain!r}: must be a finite number >= 0")
    present = [s for s in (candidate, champion, baseline) if s is not None]
    metric = comparable_metric(*present)
    label = _METRIC_LABELS[metric]
    cand = candidate.value(metric)
    base = baseline.value(metric)
    champ = champion.value(metric) if champion is not None else None
    assert cand is not None and base is not None  # comparable_metric guarantees it

    def decision(promote: bool, reason: str) -> PromotionDecision:
        return PromotionDecision(promote, f"{reason} on {label}", metric, cand, champ, base)

    champion_name = f"champion v{champion_version}" if champion_version else "the champion"
    beats_baseline = _beats(cand, base, min_gain)
    baseline_part = _versus("the baseline", cand, base, min_gain)
    if not beats_baseline:
        return decision(False, f"does not beat {baseline_part}")
    if champ is None:
        return decision(True, f"no champion yet and beats {baseline_part}")
    champion_part = _versus(champion_name, cand, champ, min_gain)
    if _beats(cand, champ, min_gain):
        return decision(True, f"beats {baseline_part} and {champion_part}")
    return decision(False, f"does not beat {champion_part}, though it beats {baseline_part}")


__all__ = [
    "HoldoutScore",
    "PrimaryMetric",
    "PromotionDecision",
    "comparable_metric",
    "decide_promotion",
]


def holdout_score(evaluation: Evaluation | None) -> HoldoutScore | None:
    """The promotion view of an evaluation; ``None`` when a head has no holdout rows."""
    if evaluation is None or evaluation.productive is None or evaluation.interest is None:
        return None
    return HoldoutScore(
        productive_roc_auc=evaluation.productive.roc_auc,
        productive_f1=evaluation.productive.f1,
        interest_roc_auc=evaluation.interest.roc_auc,
        interest_f1=evaluation.interest.f1,
    )
