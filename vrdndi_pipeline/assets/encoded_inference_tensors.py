"""``encoded_inference_tensors``: the candidates and the context "now", encoded for the champion."""

import time

import dagster as dg
import torch
from pydantic import Field

from vrdndi_pipeline.asset_tags import OWNERS, asset_tags
from vrdndi_pipeline.assets.champion_model import champion_model
from vrdndi_pipeline.assets.feed_automation import refresh_on_new_champion
from vrdndi_pipeline.assets.raw_aw_events import raw_aw_events
from vrdndi_pipeline.assets.video_embeddings import video_embeddings
from vrdndi_pipeline.assets.youtube_videos import youtube_videos
from vrdndi_pipeline.core.feed.candidates import context_at, select_candidates, summarize_context
from vrdndi_pipeline.core.feed.inference_tensors import (
    new_generation,
    remove_old_generations,
    write_generation,
)
from vrdndi_pipeline.core.feed.ranker_inputs import ranker_refresh_inputs
from vrdndi_pipeline.core.model.context_encoder import shared_context_encoder
from vrdndi_pipeline.core.ranker.model import FAMILY as RANKER
from vrdndi_pipeline.core.ranker.model import ranker_encoder
from vrdndi_pipeline.core.ranker.moment_features import context_to_json
from vrdndi_pipeline.core.store.database import read_transaction
from vrdndi_pipeline.late_fusion_cache import adapter_fusion, late_fusion_tensors
from vrdndi_pipeline.resources.clock import Clock
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.inference_store import InferenceTensorStore
from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder


class InferenceTensorsConfig(dg.Config):
    context_hours: float = Field(
        default=6.0, gt=0, description="Hours of ActivityWatch events before now to read."
    )
    candidate_days: float = Field(
        default=7.0, gt=0, description="Videos published within this many days are candidates."
    )


@dg.asset(
    group_name="feed",
    owners=OWNERS,
    tags=asset_tags("serving"),
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
    watched or hidden) and the computer activity of the last hours, encoded for the champion,
    as `tensors.safetensors` + `manifest.json`. A ranker champion needs the videos' frozen
    embeddings and the context features of "now" (no backbone pass); a LoRA champion the
    tokenized texts and embedded events. Without a champion (cold start) only the manifest is
    written and the feed uses a fallback ranking."""
    started = time.perf_counter()
    now = clock.now()
    with read_transaction(database.engine()) as conn:
        selection = select_candidates(conn, now, config.candidate_days)
        events = context_at(conn, now, config.context_hours)
    champion = tracking.champion()
    candidates = selection.candidates
    dataset, late, ranker, cache = None, None, None, {}
    moment_json = None
    if champion is not None and champion.family == RANKER and candidates:
        encoder = ranker_encoder(champion.local_path)
        vectors, moment, cache = ranker_refresh_inputs(
            database.engine(),
            encoder,
            lambda: shared_context_encoder(encoder, text_encoder.device),
            candidates,
            events,
            now,
            user_timezone,
        )
        ranker, moment_json = {"video_vectors": torch.from_numpy(vectors)}, context_to_json(moment)
    elif champion is not None and candidates:
        from vrdndi_pipeline.core.model import encode_candidates

        dataset = encode_candidates(
            champion.local_path,
            [c.as_candidate_video() for c in candidates],
            now,
            events,
            user_timezone,
        )
        if adapter_fusion(champion.local_path) == "late":
            # the run id too: a reset MLflow store numbers versions from 1 again
            key = f"{champion.version}-{champion.run_id}" if champion.run_id else champion.version
            late, cache = late_fusion_tensors(
                champion.local_path, key, candidates, dataset, database, now
            )
            dataset = None
    generation = new_generation(now)
    manifest = {
        "moment": now.isoformat(),
        "timezone": user_timezone,
        "context_hours": config.context_hours,
        "candidate_days": config.candidate_days,
        "context_events": len(events),
        "context_summary": summarize_context(events, config.context_hours),
        "model_version": champion.version if champion else None,
        "model_family": champion.family if champion else None,
        "moment_context": moment_json,
        "dagster_run_id": context.run.run_id,
    }
    folder = write_generation(
        inference_store.path,
        generation,
        [c.video_id for c in candidates],
        dataset,
        manifest,
        late=late,
        ranker=ranker,
    )
    removed = remove_old_generations(inference_store.path, inference_store.keep)
    if champion is None:
        context.log.warning(
            "no champion adapter yet: %d candidates recorded without encoding; the feed will "
            "use a fallback ranking until train_job promotes a model",
            len(candidates),
        )
    context.log.info(
        "%d candidates, %d context events, generation %s", len(candidates), len(events), generation
    )
    size = sum(f.stat().st_size for f in folder.iterdir())
    return dg.MaterializeResult(
        metadata={
            "generation": generation,
            "path": dg.MetadataValue.path(str(folder)),
            "moment": now.isoformat(),
            "candidates": len(candidates),
            "published_in_window": selection.published_in_window,
            "excluded": dg.MetadataValue.json(selection.excluded),
            "context_events": len(events),
            "context": manifest["context_summary"],
            "model_version": champion.version if champion else "none (cold start)",
            "encoded": dataset is not None or late is not None or ranker is not None,
            "family": champion.family if champion else "none",
            "fusion": "late" if late is not None else "none" if ranker is not None else "early",
            **{f"cache_{k}" if ranker else f"video_cache_{k}": v for k, v in cache.items()},
            "bytes": size,
            "generations_removed": len(removed),
            "seconds": round(time.perf_counter() - started, 2),
        }
    )
