"""Jobs: named selections of assets that run together.

Every job runs its steps in one process (``in_process_executor``): on a personal machine with
a few cores and one SQLite database, a process per step costs ~10 s of imports each (torch,
transformers) and lets two torch steps fight over the same cores.
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

_INGEST = [raw_aw_events, youtube_videos, video_embeddings]
_TRAIN = [interest_data, productive_data, trained_ranker, trained_lora_adapter, champion_model]
_FEED = [encoded_inference_tensors, feed_predictions]
INGEST_ASSETS = dg.AssetSelection.assets(*_INGEST)
TRAIN_ASSETS = dg.AssetSelection.assets(*_TRAIN)
FEED_ASSETS = dg.AssetSelection.assets(*_FEED)

INGEST_KEYS = [a.key for a in _INGEST]
TRAIN_KEYS = [a.key for a in _TRAIN]
FEED_KEYS = [a.key for a in _FEED]

ingest_job = dg.define_asset_job(
    "ingest_job",
    executor_def=dg.in_process_executor,
    selection=INGEST_ASSETS,
    description="Fetch new ActivityWatch events and YouTube videos into the database and "
    "embed the new videos' texts.",
)

train_job = dg.define_asset_job(
    "train_job",
    executor_def=dg.in_process_executor,
    selection=TRAIN_ASSETS,
    description="Build the training tables, train the ranker and the LoRA model, evaluate "
    "them and the baseline on the same time-ordered folds, promote the best on merit.",
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
