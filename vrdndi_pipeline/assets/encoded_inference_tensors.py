"""``encoded_inference_tensors``: the candidates and the context "now", encoded for the champion."""

import time

import dagster as dg
from pydantic import Field

from vrdndi_pipeline.assets.raw_aw_events import raw_aw_events
from vrdndi_pipeline.assets.trained_lora_adapter import trained_lora_adapter
from vrdndi_pipeline.assets.youtube_videos import youtube_videos
from vrdndi_pipeline.core.feed.candidates import context_at, select_candidates, summarize_context
from vrdndi_pipeline.core.feed.inference_tensors import (
    new_generation,
    remove_old_generations,
    write_generation,
)
from vrdndi_pipeline.core.store.database import read_transaction
from vrdndi_pipeline.late_fusion_cache import adapter_fusion, late_fusion_tensors
from vrdndi_pipeline.resources.clock import Clock
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.inference_store import InferenceTensorStore
from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking


class InferenceTensorsConfig(dg.Config):
    context_hours: float = Field(
        default=6.0, gt=0, description="Hours of ActivityWatch events before now to read."
    )
    candidate_days: float = Field(
        default=7.0, gt=0, description="Videos published within this many days are candidates."
    )


@dg.asset(
    group_name="feed",
    kinds={"pytorch", "safetensors"},
    deps=[raw_aw_events, youtube_videos, trained_lora_adapter],
)
def encoded_inference_tensors(
    context: dg.AssetExecutionContext,
    config: InferenceTensorsConfig,
    database: AppDatabase,
    tracking: MlflowTracking,
    inference_store: InferenceTensorStore,
    clock: Clock,
    user_timezone: dg.ResourceParam[str],
) -> dg.MaterializeResult:
    """One generation folder: the candidate videos (recent uploads the user has not judged,
    watched or hidden) and the computer activity of the last hours, tokenized and embedded for
    the champion adapter, as ``tensors.safetensors`` + ``manifest.json``. Without a champion
    (cold start) only the manifest is written and the feed uses a fallback ranking."""
    started = time.perf_counter()
    now = clock.now()
    with read_transaction(database.engine()) as conn:
        selection = select_candidates(conn, now, config.candidate_days)
        events = context_at(conn, now, config.context_hours)
    champion = tracking.champion()
    candidates = selection.candidates
    dataset, late, cache = None, None, {}
    if champion is not None and candidates:
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
        "dagster_run_id": context.run.run_id,
    }
    folder = write_generation(
        inference_store.path,
        generation,
        [c.video_id for c in candidates],
        dataset,
        manifest,
        late=late,
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
            "encoded": dataset is not None or late is not None,
            "fusion": "late" if late is not None else "early",
            **{f"video_cache_{k}": v for k, v in cache.items()},
            "bytes": size,
            "generations_removed": len(removed),
            "seconds": round(time.perf_counter() - started, 2),
        }
    )
