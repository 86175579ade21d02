"""Jobs: named selections of assets that run together."""

from __future__ import annotations

import dagster as dg

from vrdndi_pipeline.assets.raw_aw_events import raw_aw_events
from vrdndi_pipeline.assets.trained_lora_adapter import trained_lora_adapter
from vrdndi_pipeline.assets.training_data import interest_data, productive_data
from vrdndi_pipeline.assets.youtube_videos import youtube_videos

ingest_job = dg.define_asset_job(
    "ingest_job",
    selection=dg.AssetSelection.assets(raw_aw_events, youtube_videos),
    description="Fetch new ActivityWatch events and YouTube videos into the database.",
)

train_job = dg.define_asset_job(
    "train_job",
    selection=dg.AssetSelection.assets(interest_data, productive_data, trained_lora_adapter),
    description="Build the training tables, train an adapter, register it, promote it on merit.",
)

all_jobs = [ingest_job, train_job]
