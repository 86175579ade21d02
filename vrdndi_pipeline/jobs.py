"""Jobs: named selections of assets that run together.

Every job runs its steps in one process (``in_process_executor``): on a personal machine with
a few cores and one SQLite database, a process per step costs ~10 s of imports each (torch,
transformers) and lets two torch steps fight over the same cores.
"""

from __future__ import annotations

import dagster as dg

from vrdndi_pipeline.assets.encoded_inference_tensors import encoded_inference_tensors
from vrdndi_pipeline.assets.feed_predictions import feed_predictions
from vrdndi_pipeline.assets.raw_aw_events import raw_aw_events
from vrdndi_pipeline.assets.trained_lora_adapter import trained_lora_adapter
from vrdndi_pipeline.assets.training_data import interest_data, productive_data
from vrdndi_pipeline.assets.youtube_videos import youtube_videos

INGEST_ASSETS = dg.AssetSelection.assets(raw_aw_events, youtube_videos)
TRAIN_ASSETS = dg.AssetSelection.assets(interest_data, productive_data, trained_lora_adapter)
FEED_ASSETS = dg.AssetSelection.assets(encoded_inference_tensors, feed_predictions)

INGEST_KEYS = [raw_aw_events.key, youtube_videos.key]
TRAIN_KEYS = [interest_data.key, productive_data.key, trained_lora_adapter.key]
FEED_KEYS = [encoded_inference_tensors.key, feed_predictions.key]

ingest_job = dg.define_asset_job(
    "ingest_job",
    executor_def=dg.in_process_executor,
    selection=INGEST_ASSETS,
    description="Fetch new ActivityWatch events and YouTube videos into the database.",
)

train_job = dg.define_asset_job(
    "train_job",
    executor_def=dg.in_process_executor,
    selection=TRAIN_ASSETS,
    description="Build the training tables, train an adapter, register it, promote it on merit.",
)

feed_refresh_job = dg.define_asset_job(
    "feed_refresh_job",
    executor_def=dg.in_process_executor,
    selection=dg.AssetSelection.assets(raw_aw_events) | FEED_ASSETS,
    description="Read the last hours of ActivityWatch, score the recent uploads with the "
    "champion adapter (or a cold-start fallback) and replace the feed in one transaction.",
)

daily_job = dg.define_asset_job(
    "daily_job",
    executor_def=dg.in_process_executor,
    selection=INGEST_ASSETS | TRAIN_ASSETS | FEED_ASSETS,
    description="Ingest videos, ratings, watch history and activity; train when enough new "
    "labels arrived (the daily schedule leaves training out otherwise); refresh the feed.",
)

all_jobs = [ingest_job, train_job, feed_refresh_job, daily_job]
