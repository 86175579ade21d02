"""``trained_ranker``: the ranker on frozen features, evaluated on the rolling-origin folds,
trained on every row, tracked in MLflow and registered (``champion_model`` decides on it)."""

import dagster as dg
import pandas as pd

from vrdndi_pipeline.assets.asset_tags import asset_catalog
from vrdndi_pipeline.assets.candidate_runs import (
    CANDIDATE_KINDS,
    examples_and_folds,
    load_ranker_rows,
    train_and_register,
)
from vrdndi_pipeline.assets.train_config import RankerTrainConfig
from vrdndi_pipeline.assets.video_embeddings import video_embeddings
from vrdndi_pipeline.core.model.config import ConfigError
from vrdndi_pipeline.core.ranker.training import RankerRecipe
from vrdndi_pipeline.resources.clock import Clock
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.evaluation_plan import EvaluationPlan
from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder


@dg.asset(
    **asset_catalog("training"),
    deps=[video_embeddings],
    kinds=CANDIDATE_KINDS | {"lightgbm"},
)
def trained_ranker(
    context: dg.AssetExecutionContext,
    config: RankerTrainConfig,
    interest_data: pd.DataFrame,
    productive_data: pd.DataFrame,
    database: AppDatabase,
    tracking: MlflowTracking,
    text_encoder: SentenceEncoder,
    evaluation: EvaluationPlan,
    clock: Clock,
) -> pd.DataFrame:
    """One row per held-out prediction of the ranker on the rolling-origin folds (fold, row,
    label, probability, model version). The ranker trained on every row is an MLflow run and a
    registered version of `vrdndi-productive` tagged `family=ranker`."""
    try:
        recipe = RankerRecipe(config.build_ranker_config(), text_encoder.model_name)
    except ConfigError as error:
        raise dg.Failure(description=f"Invalid ranker config: {error}") from error
    examples, folds = examples_and_folds(interest_data, productive_data, evaluation)
    rows = load_ranker_rows(interest_data, productive_data, database, text_encoder, clock)
    with tracking.start_run(recipe.run_name, recipe.params) as run:
        candidate = recipe.candidate(rows)
        return train_and_register(context, tracking, run, candidate, examples, folds, evaluation)
