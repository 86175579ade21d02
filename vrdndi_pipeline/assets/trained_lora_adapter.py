"""``trained_lora_adapter``: the seed's HybridProductiveModel (LoRA), evaluated on the
rolling-origin folds, trained on every row, tracked in MLflow and registered."""

import tempfile
import time
from dataclasses import replace
from pathlib import Path

import dagster as dg
import pandas as pd

from vrdndi_pipeline.asset_tags import OWNERS, asset_tags
from vrdndi_pipeline.assets.candidate_runs import (
    CANDIDATE_KINDS,
    examples_and_folds,
    finish_candidate,
)
from vrdndi_pipeline.assets.train_config import TrainConfig
from vrdndi_pipeline.core.model import ConfigError, NotEnoughData, run_training, save_adapter
from vrdndi_pipeline.core.model.training_run import lora_fit_predict
from vrdndi_pipeline.core.selection.heldout import held_out_predictions, recipe_id
from vrdndi_pipeline.resources.evaluation_plan import EvaluationPlan
from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking

FAMILY = "lora"


@dg.asset(
    group_name="training",
    owners=OWNERS,
    tags=asset_tags("training"),
    kinds=CANDIDATE_KINDS | {"pytorch"},
)
def trained_lora_adapter(
    context: dg.AssetExecutionContext,
    config: TrainConfig,
    interest_data: pd.DataFrame,
    productive_data: pd.DataFrame,
    tracking: MlflowTracking,
    evaluation: EvaluationPlan,
) -> pd.DataFrame:
    """One row per held-out prediction of the LoRA model on the rolling-origin folds (a fresh
    model per fold). The adapter trained on every row (its newest part choosing the epoch) is
    an MLflow run and a registered version of `vrdndi-productive` tagged `family=lora`."""
    try:
        layered = config.build_layered_config()
        model_config = replace(layered.config, holdout_fraction=0.0)
    except ConfigError as error:
        raise dg.Failure(description=f"Invalid training config: {error}") from error
    examples, folds = examples_and_folds(interest_data, productive_data, evaluation)
    recipe = recipe_id(FAMILY, model_config.to_dict())
    params = {**model_config.tracking_params(), "preset": config.preset, "recipe": recipe}
    name = f"{FAMILY} · {config.preset} · {model_config.fusion} fusion"
    with tracking.start_run(name, params, tags={"dagster_run_id": context.run.run_id}) as run:
        fold_step = {"n": 0}

        def log_epoch(report) -> None:  # type: ignore[no-untyped-def]
            run.log_metrics(report.metrics(), step=fold_step["n"] * 1000 + report.epoch)
            context.log.info(
                "%s epoch %d/%d: weighted F1 %.3f, EMA %.3f%s (%.0f s)",
                f"fold {fold_step['n']}" if fold_step["n"] else "final model",
                report.epoch,
                model_config.total_epoch,
                report.weighted_f1,
                report.ema,
                " (best)" if report.is_best else "",
                report.seconds,
            )

        fit_predict = lora_fit_predict(model_config, callbacks=[log_epoch])

        def per_fold(train, test):  # type: ignore[no-untyped-def]
            fold_step["n"] += 1
            return fit_predict(train, test)

        started = time.perf_counter()
        try:
            heldout = held_out_predictions(FAMILY, recipe, examples, folds, per_fold)
            evaluation_s = time.perf_counter() - started
            fold_step["n"] = 0
            training = run_training(model_config, examples, callbacks=[log_epoch])
        except NotEnoughData as error:
            raise dg.Failure(
                description=f"Too little labelled data to train: {error}. Label more videos "
                "in the labeller or give feedback in the feed site, then train again."
            ) from error
        with tempfile.TemporaryDirectory() as folder:
            adapter = save_adapter(
                training.model,
                Path(folder) / "adapter",
                metrics=training.metrics(),
                extra_metadata={
                    "mlflow_run_id": run.run_id,
                    "preset": config.preset,
                    "config_layers": layered.describe(),
                },
            )
            run.log_artifacts(adapter, "adapter")
        return finish_candidate(
            context,
            tracking,
            run,
            heldout,
            evaluation,
            family=FAMILY,
            recipe=recipe,
            artifact_path="adapter",
            metadata={
                "evaluation_seconds": round(evaluation_s, 1),
                "train_seconds": round(training.result.seconds, 1),
                "best_epoch": training.result.best_epoch,
                "device": training.result.device,
                "fusion": model_config.fusion,
                "probe_epochs": model_config.probe_epochs,
                "rows": dg.MetadataValue.json(training.split.counts()),
            },
        )
