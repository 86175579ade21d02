"""What the candidate training assets share: their examples and folds, and how a trained
candidate is scored, logged and registered."""

from collections.abc import Mapping
from typing import Any

import dagster as dg
import pandas as pd

from vrdndi_pipeline.core.embeddings.cached import video_vectors
from vrdndi_pipeline.core.embeddings.vector_store import video_texts
from vrdndi_pipeline.core.model.examples import TrainingExample, examples_from_frames
from vrdndi_pipeline.core.model.splits import NotEnoughData
from vrdndi_pipeline.core.ranker.model import RankerRow
from vrdndi_pipeline.core.ranker.training import ranker_rows
from vrdndi_pipeline.core.selection.folds import Fold
from vrdndi_pipeline.core.selection.scorecard import scorecard
from vrdndi_pipeline.core.store.database import read_transaction
from vrdndi_pipeline.resources.clock import Clock
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.evaluation_plan import EvaluationPlan
from vrdndi_pipeline.resources.mlflow_tracking import (
    FAMILY_TAG,
    RECIPE_TAG,
    MlflowTracking,
    RunHandle,
)
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder

CANDIDATE_KINDS = {"mlflow"}


def examples_and_folds(
    interest_frame: pd.DataFrame, productive_frame: pd.DataFrame, plan: EvaluationPlan
) -> tuple[list[TrainingExample], list[Fold]]:
    """The labelled examples and the rolling-origin folds; too few clicks fail the run with
    the counts and what to do."""
    examples = examples_from_frames(interest_frame, productive_frame)
    try:
        return examples, plan.folds_for(examples)
    except NotEnoughData as error:
        raise dg.Failure(
            description=f"Too little labelled data to evaluate a model: {error}. Give "
            "'Good time now' / 'Not now' feedback in the feed site, then train again."
        ) from error


def load_ranker_rows(
    interest_frame: pd.DataFrame,
    productive_frame: pd.DataFrame,
    database: AppDatabase,
    text_encoder: SentenceEncoder,
    clock: Clock,
) -> dict[str, RankerRow]:
    """The ranker's rows of the training tables, with the videos' embeddings (embedding any
    labelled video that has none yet)."""
    engine = database.engine()
    ids = [*interest_frame["video_id"], *productive_frame["video_id"]]
    with read_transaction(engine) as conn:
        texts = video_texts(conn, ids)
    vectors, _ = video_vectors(
        engine, text_encoder.model_name, texts, text_encoder.load, clock.now()
    )
    return ranker_rows(interest_frame, productive_frame, vectors)


def finish_candidate(
    context: dg.AssetExecutionContext,
    tracking: MlflowTracking,
    run: RunHandle,
    heldout: pd.DataFrame,
    plan: EvaluationPlan,
    *,
    family: str,
    recipe: str,
    artifact_path: str,
    metadata: Mapping[str, Any],
) -> pd.DataFrame:
    """Log the candidate's held-out metrics, register its logged model folder, and return its
    held-out predictions with the version they belong to."""
    card = scorecard(heldout, family, resamples=plan.resamples, seed=plan.seed)
    run.log_metrics(card.metrics(), step=0)
    version = tracking.register_version(
        run.run_id, artifact_path, tags={FAMILY_TAG: family, RECIPE_TAG: recipe}
    )
    run_name = tracking.name_run(run.run_id, version, family)  # the version is known now
    productive = card.productive.roc_auc if card.productive else None
    context.log.info(
        "%s v%s: productive ROC-AUC %s on %d held-out clicks",
        family,
        version,
        productive.text() if productive else "n/a",
        card.productive.rows if card.productive else 0,
    )
    context.add_output_metadata(
        {
            "model_version": version,
            "mlflow_run_id": run.run_id,
            "mlflow_run_name": run_name,
            "family": family,
            "recipe": recipe,
            "heldout": dg.MetadataValue.json(card.to_dict()),
            **metadata,
        }
    )
    return heldout.assign(model_version=version, mlflow_run_id=run.run_id)
