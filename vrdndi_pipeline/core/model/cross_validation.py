"""Cross-validation: a fresh model per fold; mean ± std of each head's validation metrics.

Productive rows use expanding time windows, interest rows shuffled k-fold
(:func:`splits.cross_validation_folds`). Each fold's model is trained with the fold's
validation part choosing its checkpoint, so the numbers lean optimistic, as the seed's did.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vrdndi_pipeline.core.model.config import ModelConfig
from vrdndi_pipeline.core.model.evaluation import evaluate
from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.model.hybrid_model import HybridProductiveModel
from vrdndi_pipeline.core.model.metrics import HEADS, Evaluation
from vrdndi_pipeline.core.model.splits import cross_validation_folds
from vrdndi_pipeline.core.model.training import Trainer, TrainingResult

log = logging.getLogger(__name__)

SUMMARY_METRICS = ("precision", "recall", "f1", "roc_auc")


@dataclass(frozen=True, slots=True)
class MeanStd:
    mean: float
    std: float  # population std over the folds that had the metric
    folds: int


@dataclass(frozen=True, slots=True)
class CrossValidationResult:
    folds: list[Evaluation]
    training: list[TrainingResult]
    summary: dict[str, dict[str, MeanStd]]  # head -> metric -> mean ± std

    def flat(self) -> dict[str, float]:
        """``{"cv_productive_f1_mean": ..., "cv_productive_f1_std": ...}`` for metric logging."""
        out = {}
        for head, metrics in self.summary.items():
            for name, value in metrics.items():
                out[f"cv_{head}_{name}_mean"] = value.mean
                out[f"cv_{head}_{name}_std"] = value.std
        return out


def summarize(evaluations: Sequence[Evaluation]) -> dict[str, dict[str, MeanStd]]:
    """Mean ± std per head and metric over the folds where the head (and metric) exists."""
    summary: dict[str, dict[str, MeanStd]] = {}
    for head in HEADS:
        per_metric: dict[str, MeanStd] = {}
        for name in SUMMARY_METRICS:
            values = [
                float(v)
                for ev in evaluations
                if (m := getattr(ev, head)) is not None and (v := getattr(m, name)) is not None
            ]
            if values:
                per_metric[name] = MeanStd(
                    statistics.fmean(values), statistics.pstdev(values), len(values)
                )
        if per_metric:
            summary[head] = per_metric
    return summary


def cross_validate(
    config: ModelConfig,
    examples: Sequence[TrainingExample],
    folds: int = 5,
    *,
    model_factory: Callable[
        [ModelConfig], HybridProductiveModel
    ] = HybridProductiveModel.from_config,
) -> CrossValidationResult:
    """Train and evaluate one fresh model per fold; raises NotEnoughData for too few rows."""
    evaluations: list[Evaluation] = []
    results: list[TrainingResult] = []
    for k, (train, val) in enumerate(cross_validation_folds(examples, folds, config), start=1):
        log.info(
            "cross-validation fold %d/%d: %d train, %d val rows", k, folds, len(train), len(val)
        )
        model = model_factory(config)
        results.append(Trainer(config, model, train, val).fit())
        evaluations.append(evaluate(model, val))
    return CrossValidationResult(evaluations, results, summarize(evaluations))
