"""The Dagster code location: assembles the definitions, nothing else.

Settings are read when Dagster loads the definitions, not at import.
"""

from __future__ import annotations

import dagster as dg

from vrdndi_pipeline.assets.champion_model import champion_model
from vrdndi_pipeline.assets.encoded_inference_tensors import encoded_inference_tensors
from vrdndi_pipeline.assets.feed_predictions import feed_predictions
from vrdndi_pipeline.assets.raw_aw_events import raw_aw_events
from vrdndi_pipeline.assets.trained_lora_adapter import trained_lora_adapter
from vrdndi_pipeline.assets.trained_ranker import trained_ranker
from vrdndi_pipeline.assets.training_data import interest_data, productive_data
from vrdndi_pipeline.assets.video_embeddings import video_embeddings
from vrdndi_pipeline.assets.youtube_videos import youtube_videos
from vrdndi_pipeline.checks import source_checks
from vrdndi_pipeline.core.private_files import private_dir
from vrdndi_pipeline.core.settings import Settings, load_settings
from vrdndi_pipeline.jobs import all_jobs
from vrdndi_pipeline.resources.for_settings import resources_for
from vrdndi_pipeline.schedules import build_schedules
from vrdndi_pipeline.sensors import build_sensors


def build_definitions(settings: Settings) -> dg.Definitions:
    return dg.Definitions(
        assets=[
            raw_aw_events,
            youtube_videos,
            video_embeddings,
            interest_data,
            productive_data,
            trained_ranker,
            trained_lora_adapter,
            champion_model,
            encoded_inference_tensors,
            feed_predictions,
        ],
        asset_checks=source_checks,
        jobs=all_jobs,
        schedules=build_schedules(settings),
        sensors=build_sensors(settings),
        resources=resources_for(settings),
        # runs of no named job (those Declarative Automation launches) execute in one process,
        # like every job in jobs.py
        executor=dg.in_process_executor,
    )


@dg.definitions
def defs() -> dg.Definitions:
    settings = load_settings()
    private_dir(settings.data_dir)  # a person's watch history: only they may open the folder
    return build_definitions(settings)
