"""What the candidate training assets share: their examples and folds, the ranker's rows, and
the candidate's run (evaluated, trained, logged and registered) as the asset's output."""

import dagster as dg
import pandas as pd

from vrdndi_pipeline.core.embeddings.cached import video_vectors
from vrdndi_pipeline.core.embeddings.vector_store import video_texts
from vrdndi_pipeline.core.model.examples import TrainingExample, examples_from_frames
from vrdndi_pipeline.core.ranker.model import RankerRow
from vrdndi_pipeline.core.ranker.training import ranker_rows
from vrdndi_pipeline.core.selection.candidate import Candidate, train_candidate
from vrdndi_pipeline.core.selection.folds import Fold
from vrdndi_pipeline.core.store.database import read_transaction
from vrdndi_pipeline.core.training.splits import NotEnoughData
from vrdndi_pipeline.resources.clock import Clock
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.evaluation_plan import EvaluationPlan
from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking, RunHandle
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


def train_and_register(
    context: dg.AssetExecutionContext,
    tracking: MlflowTracking,
    run: RunHandle,
    candidate: Candidate,
    examples: list[TrainingExample],
    folds: list[Fold],
    plan: EvaluationPlan,
) -> pd.DataFrame:
    """The candidate evaluated on the folds, trained, logged and registered in ``run``
    (:func:`~vrdndi_pipeline.core.selection.candidate.train_candidate`): its held-out
    predictions with the version they belong to; the asset's metadata says the rest."""
    try:
        result = train_candidate(
            candidate, examples, folds, run, tracking, resamples=plan.resamples, seed=plan.seed
        )
    except NotEnoughData as error:
        raise dg.Failure(
            description=f"Too little labelled data to train: {error}. Label more videos "
            "in the labeller or give feedback in the feed site, then train again."
        ) from error
    context.log.info(result.summary())
    context.add_output_metadata(result.metadata())
    return result.heldout
