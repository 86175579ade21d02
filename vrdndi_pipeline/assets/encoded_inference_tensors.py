"""``encoded_inference_tensors``: the candidates and the context "now", encoded for the champion."""

import time

import dagster as dg
from pydantic import Field

from vrdndi_pipeline.assets.asset_tags import asset_catalog
from vrdndi_pipeline.assets.champion_model import champion_model
from vrdndi_pipeline.assets.feed_automation import refresh_on_new_champion
from vrdndi_pipeline.assets.raw_aw_events import raw_aw_events
from vrdndi_pipeline.assets.video_embeddings import video_embeddings
from vrdndi_pipeline.assets.youtube_videos import youtube_videos
from vrdndi_pipeline.core.feed.candidates import context_at, select_candidates
from vrdndi_pipeline.core.feed.generation_inputs import (
    NO_CHAMPION_WARNING,
    InferenceWindow,
    generation_inputs,
)
from vrdndi_pipeline.core.feed.inference_tensors import new_generation, remove_old_generations
from vrdndi_pipeline.core.model.config import DEFAULT_CONTEXT_HOURS
from vrdndi_pipeline.core.store.database import read_transaction
from vrdndi_pipeline.resources.clock import Clock
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.inference_store import InferenceTensorStore
from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder


class InferenceTensorsConfig(dg.Config):
    context_hours: float = Field(
        default=DEFAULT_CONTEXT_HOURS,
        gt=0,
        description="Hours of ActivityWatch events before now to read.",
    )
    candidate_days: float = Field(
        default=7.0, gt=0, description="Videos published within this many days are candidates."
    )


@dg.asset(
    **asset_catalog("serving", group="feed"),
    kinds={"pytorch", "safetensors"},
    deps=[raw_aw_events, youtube_videos, video_embeddings, champion_model],
    automation_condition=refresh_on_new_champion(champion_model.key),
)
def encoded_inference_tensors(
    context: dg.AssetExecutionContext,
    config: InferenceTensorsConfig,
    database: AppDatabase,
    tracking: MlflowTracking,
    inference_store: InferenceTensorStore,
    clock: Clock,
    text_encoder: SentenceEncoder,
    user_timezone: dg.ResourceParam[str],
) -> dg.MaterializeResult:
    """One generation folder: the candidate videos (recent uploads the user has not judged,
    watched or hidden) and the computer activity of the last hours, encoded for the champion
    as `tensors.safetensors` + `manifest.json`. Without a champion (cold start) only the
    manifest is written and the feed uses a fallback ranking."""
    started, now, engine = time.perf_counter(), clock.now(), database.engine()
    with read_transaction(engine) as conn:
        selection = select_candidates(conn, now, config.candidate_days)
        events = context_at(conn, now, config.context_hours)
    champion = tracking.champion()
    inputs = generation_inputs(
        engine,
        champion,
        selection,
        events,
        now,
        InferenceWindow(config.context_hours, config.candidate_days, user_timezone),
        device=text_encoder.device,
        run_id=context.run.run_id,
    )
    generation = new_generation(now)
    folder = inputs.write(inference_store.path, generation)
    removed = remove_old_generations(inference_store.path, inference_store.keep)
    if champion is None:
        context.log.warning(NO_CHAMPION_WARNING, len(inputs.video_ids))
    context.log.info(inputs.log_line(generation))
    meta = inputs.metadata(generation, folder, removed, time.perf_counter() - started)
    path, excluded = dg.MetadataValue.path(meta["path"]), dg.MetadataValue.json(meta["excluded"])
    return dg.MaterializeResult(metadata={**meta, "path": path, "excluded": excluded})
