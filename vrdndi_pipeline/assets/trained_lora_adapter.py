"""``trained_lora_adapter``: the seed's HybridProductiveModel (LoRA), evaluated on the
rolling-origin folds, trained on every row, tracked in MLflow and registered."""

import dagster as dg
import pandas as pd

from vrdndi_pipeline.assets.asset_tags import asset_catalog
from vrdndi_pipeline.assets.candidate_runs import (
    CANDIDATE_KINDS,
    examples_and_folds,
    train_and_register,
)
from vrdndi_pipeline.assets.train_config import TrainConfig
from vrdndi_pipeline.core.model.config import ConfigError
from vrdndi_pipeline.core.training.lora_run import EpochLog, LoraRecipe
from vrdndi_pipeline.resources.evaluation_plan import EvaluationPlan
from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking


@dg.asset(
    **asset_catalog("training"),
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
        recipe = LoraRecipe.from_config(layered.config, config.preset, layered.describe())
    except ConfigError as error:
        raise dg.Failure(description=f"Invalid training config: {error}") from error
    examples, folds = examples_and_folds(interest_data, productive_data, evaluation)
    tags = {"dagster_run_id": context.run.run_id}
    with tracking.start_run(recipe.run_name, recipe.params, tags=tags) as run:
        epochs = EpochLog(run.log_metrics, context.log, recipe.config.total_epoch)
        candidate = recipe.candidate(examples, epochs)
        return train_and_register(context, tracking, run, candidate, examples, folds, evaluation)
