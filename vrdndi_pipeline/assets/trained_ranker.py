"""``trained_ranker``: the ranker on frozen features, evaluated on the rolling-origin folds,
trained on every row, tracked in MLflow and registered (``champion_model`` decides on it)."""

import tempfile
import time
from pathlib import Path

import dagster as dg
import pandas as pd

from vrdndi_pipeline.asset_tags import OWNERS, asset_tags
from vrdndi_pipeline.assets.candidate_runs import (
    CANDIDATE_KINDS,
    examples_and_folds,
    finish_candidate,
    load_ranker_rows,
)
from vrdndi_pipeline.assets.train_config import RankerTrainConfig
from vrdndi_pipeline.assets.video_embeddings import video_embeddings
from vrdndi_pipeline.core.model.config import ConfigError
from vrdndi_pipeline.core.ranker.model import FAMILY, fit_ranker
from vrdndi_pipeline.core.ranker.training import ranker_fit_predict
from vrdndi_pipeline.core.selection.heldout import held_out_predictions, recipe_id
from vrdndi_pipeline.resources.clock import Clock
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.evaluation_plan import EvaluationPlan
from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder


@dg.asset(
    group_name="training",
    owners=OWNERS,
    tags=asset_tags("training"),
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
        ranker_config = config.build_ranker_config()
    except ConfigError as error:
        raise dg.Failure(description=f"Invalid ranker config: {error}") from error
    examples, folds = examples_and_folds(interest_data, productive_data, evaluation)
    encoder = text_encoder.model_name
    rows = load_ranker_rows(interest_data, productive_data, database, text_encoder, clock)
    recipe = recipe_id(FAMILY, {**ranker_config.to_dict(), "encoder": encoder})
    params = {**ranker_config.to_dict(), "encoder": encoder, "recipe": recipe}
    with tracking.start_run(f"{FAMILY} · {recipe.split(':')[1]}", params) as run:
        started = time.perf_counter()
        fit_predict = ranker_fit_predict(ranker_config, rows)
        heldout = held_out_predictions(FAMILY, recipe, examples, folds, fit_predict)
        evaluation_s = time.perf_counter() - started
        started = time.perf_counter()
        model = fit_ranker(ranker_config, list(rows.values()))
        train_s = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as folder:
            saved = model.save(Path(folder) / FAMILY, extra={"encoder": encoder, "recipe": recipe})
            run.log_artifacts(saved, FAMILY)
        return finish_candidate(
            context,
            tracking,
            run,
            heldout,
            evaluation,
            family=FAMILY,
            recipe=recipe,
            artifact_path=FAMILY,
            metadata={
                "evaluation_seconds": round(evaluation_s, 2),
                "train_seconds": round(train_s, 2),
                "boosting_rounds": model.rounds,
                "features": len(model.spec.columns()) if model.spec else 0,
                "encoder": encoder,
            },
        )
