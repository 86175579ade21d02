"""One complete training run for the pipeline: split, train, evaluate, compare with the baseline."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from vrdndi_pipeline.core.model.baseline import evaluate_baseline, train_baseline
from vrdndi_pipeline.core.model.config import ModelConfig
from vrdndi_pipeline.core.model.context_encoder import EventTextEncoder
from vrdndi_pipeline.core.model.evaluation import evaluate
from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.model.hybrid_model import HybridProductiveModel
from vrdndi_pipeline.core.model.metrics import Evaluation
from vrdndi_pipeline.core.model.splits import DataSplit, split_examples
from vrdndi_pipeline.core.model.training import EpochReport, Trainer, TrainingResult

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TrainingRun:
    """A trained model (eval mode, best epoch) with everything measured on its split."""

    model: HybridProductiveModel
    split: DataSplit
    result: TrainingResult
    holdout: Evaluation | None  # None when the split has no holdout rows
    baseline_val: Evaluation
    baseline_holdout: Evaluation | None

    def metrics(self) -> dict[str, float]:
        """Flat final metrics: ``val_*`` (best epoch), ``holdout_*``, ``baseline_*``."""
        out = {"best_epoch": float(self.result.best_epoch), "best_ema": self.result.best_ema}
        out.update(self.result.best_val.flat("val_"))
        out.update(self.baseline_val.flat("baseline_val_"))
        if self.holdout is not None:
            out.update(self.holdout.flat("holdout_"))
        if self.baseline_holdout is not None:
            out.update(self.baseline_holdout.flat("baseline_holdout_"))
        out.update({f"rows_{k}": float(v) for k, v in self.split.counts().items()})
        return out


def run_training(
    config: ModelConfig,
    examples: Sequence[TrainingExample],
    *,
    callbacks: Sequence[Callable[[EpochReport], None]] = (),
    event_encoder: EventTextEncoder | None = None,
) -> TrainingRun:
    """Split ``examples``, train a fresh model, evaluate it and the baseline on val and holdout.

    Raises :class:`splits.NotEnoughData` (with the row counts) before loading any model.
    """
    split = split_examples(examples, config)
    log.info("split: %s", split.counts())
    model = HybridProductiveModel.from_config(config, event_encoder=event_encoder)
    result = Trainer(config, model, split.train, split.val, callbacks=callbacks).fit()
    baseline = train_baseline(split.train, seed=config.seed)
    return TrainingRun(
        model=model,
        split=split,
        result=result,
        holdout=evaluate(model, split.holdout) if split.holdout else None,
        baseline_val=evaluate_baseline(baseline, split.val),
        baseline_holdout=evaluate_baseline(baseline, split.holdout) if split.holdout else None,
    )


def lora_fit_predict(
    config: ModelConfig,
    *,
    callbacks: Sequence[Callable[[EpochReport], None]] = (),
    event_encoder: EventTextEncoder | None = None,
) -> Callable[[list[TrainingExample], list[TrainingExample]], tuple[Any, Any]]:
    """The HybridProductiveModel as a family of the rolling-origin evaluation: a fresh model
    per fold, trained on the fold's training rows (its newest part chooses the epoch, as in
    :func:`run_training`), returning P(interested) and P(good time now) for the test rows."""
    from dataclasses import replace

    from vrdndi_pipeline.core.model.prediction import predict

    fold_config = replace(config, holdout_fraction=0.0)

    def fit_predict(train: list[TrainingExample], test: list[TrainingExample]) -> tuple[Any, Any]:
        split = split_examples(train, fold_config)
        model = HybridProductiveModel.from_config(fold_config, event_encoder=event_encoder)
        Trainer(fold_config, model, split.train, split.val, callbacks=callbacks).fit()
        predictions = predict(model, model.encode(test), fold_config.batch_size)
        return predictions.interest_prob.numpy(), predictions.productive_prob.numpy()

    return fit_predict
