"""One complete training run for the pipeline: split, train, evaluate, compare with the baseline;
and the LoRA model as a candidate run (:class:`LoraRecipe`, :class:`EpochLog`)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vrdndi_pipeline.core.model.adapter_files import save_adapter
from vrdndi_pipeline.core.model.config import ModelConfig
from vrdndi_pipeline.core.model.context_encoder import EventTextEncoder
from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.model.hybrid_model import HybridProductiveModel
from vrdndi_pipeline.core.selection.candidate import Candidate, SavedModel
from vrdndi_pipeline.core.selection.heldout import recipe_id
from vrdndi_pipeline.core.training.baseline import evaluate_baseline, train_baseline
from vrdndi_pipeline.core.training.evaluation import evaluate
from vrdndi_pipeline.core.training.metrics import Evaluation
from vrdndi_pipeline.core.training.splits import DataSplit, split_examples
from vrdndi_pipeline.core.training.trainer import EpochReport, Trainer, TrainingResult

log = logging.getLogger(__name__)

LORA = "lora"
FOLD_STEPS = 1000  # metric steps per fold: fold n's epoch e is step n * 1000 + e


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
    from vrdndi_pipeline.core.model.prediction import predict

    fold_config = replace(config, holdout_fraction=0.0)

    def fit_predict(train: list[TrainingExample], test: list[TrainingExample]) -> tuple[Any, Any]:
        split = split_examples(train, fold_config)
        model = HybridProductiveModel.from_config(fold_config, event_encoder=event_encoder)
        Trainer(fold_config, model, split.train, split.val, callbacks=callbacks).fit()
        predictions = predict(model, model.encode(test), fold_config.batch_size)
        return predictions.interest_prob.numpy(), predictions.productive_prob.numpy()

    return fit_predict


class EpochLog:
    """The epochs of a LoRA candidate run, as one metric history and as log lines.

    ``fold`` is the model being trained: 1, 2, ... for the evaluation folds, 0 for the final
    model. Fold n's epoch e is logged at step ``n * 1000 + e`` (the final model's at ``e``), and
    each epoch is a line ``fold 2 epoch 1/3: weighted F1 ...`` or ``final model epoch 1/3: ...``
    (the CLI's progress lines parse that start, ``cli_jobs.EPOCH_MESSAGE``).
    """

    def __init__(
        self,
        log_metrics: Callable[[Mapping[str, float | None], int], None],
        log: logging.Logger,
        total_epoch: int,
    ) -> None:
        self.fold = 0
        self._log_metrics = log_metrics
        self._log = log
        self._total_epoch = total_epoch

    def __call__(self, report: EpochReport) -> None:
        self._log_metrics(report.metrics(), self.fold * FOLD_STEPS + report.epoch)
        self._log.info(
            "%s epoch %d/%d: weighted F1 %.3f, EMA %.3f%s (%.0f s)",
            f"fold {self.fold}" if self.fold else "final model",
            report.epoch,
            self._total_epoch,
            report.weighted_f1,
            report.ema,
            " (best)" if report.is_best else "",
            report.seconds,
        )


@dataclass(frozen=True, slots=True)
class LoraRecipe:
    """The LoRA model as a candidate run. Its configuration has no holdout: the folds test it,
    and the final model trains on every row (its newest part choosing the epoch)."""

    config: ModelConfig
    preset: str
    layers: dict[str, Any] = field(default_factory=dict)  # `LayeredConfig.describe()`

    @classmethod
    def from_config(
        cls, config: ModelConfig, preset: str, layers: dict[str, Any] | None = None
    ) -> LoraRecipe:
        """Raises :class:`~vrdndi_pipeline.core.model.config.ConfigError` for an invalid one."""
        return cls(replace(config, holdout_fraction=0.0), preset, layers or {})

    @property
    def id(self) -> str:
        return recipe_id(LORA, self.config.to_dict())

    @property
    def run_name(self) -> str:
        """``lora · cpu-small · early fusion`` until the version is known."""
        return f"{LORA} · {self.preset} · {self.config.fusion} fusion"

    @property
    def params(self) -> dict[str, Any]:
        return {**self.config.tracking_params(), "preset": self.preset, "recipe": self.id}

    def candidate(self, examples: Sequence[TrainingExample], epochs: EpochLog) -> Candidate:
        """Evaluated on fresh models per fold, then trained on every one of ``examples`` and
        saved as an adapter folder; ``epochs`` receives every epoch of them all.

        Raises :class:`splits.NotEnoughData` when a model has too few rows to train."""
        fit_predict = lora_fit_predict(self.config, callbacks=[epochs])

        def per_fold(train: list[TrainingExample], test: list[TrainingExample]) -> Any:
            epochs.fold += 1
            return fit_predict(train, test)

        def train_and_save(folder: Path, run_id: str) -> SavedModel:
            epochs.fold = 0
            training = run_training(self.config, examples, callbacks=[epochs])
            metadata = {
                "mlflow_run_id": run_id,
                "preset": self.preset,
                "config_layers": self.layers,
            }
            adapter = save_adapter(
                training.model,
                folder / "adapter",
                metrics=training.metrics(),
                extra_metadata=metadata,
            )
            shown = {
                "best_epoch": training.result.best_epoch,
                "device": training.result.device,
                "fusion": self.config.fusion,
                "probe_epochs": self.config.probe_epochs,
                "rows": training.split.counts(),
            }
            return SavedModel(adapter, training.result.seconds, shown)

        return Candidate(
            family=LORA,
            recipe=self.id,
            artifact_path="adapter",
            fit_predict=per_fold,
            train_and_save=train_and_save,
        )
