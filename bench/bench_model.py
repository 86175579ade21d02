"""Model benchmark on the demo data, default CPU preset: training throughput and scoring speed.

Prints one JSON object: rows, seconds per epoch, training samples/s, holdout metrics of the
model and the context-free baseline (after ``EPOCHS`` epochs), scoring videos/s (with and
without the separate context-free interest pass), and the peak RSS of this process.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from vrdndi_pipeline.core.model.context_features import parse_context_events
from vrdndi_pipeline.core.model.examples import examples_from_frames
from vrdndi_pipeline.core.model.inference import score_videos
from vrdndi_pipeline.core.model.presets import build_config
from vrdndi_pipeline.core.records import VideoRating
from vrdndi_pipeline.core.store.database import (
    open_database,
    read_transaction,
    write_transaction,
)
from vrdndi_pipeline.core.store.schema import videos
from vrdndi_pipeline.core.store.source_tables import write_aw_events, write_ratings, write_videos
from vrdndi_pipeline.core.store.video_rows import video_from_row
from vrdndi_pipeline.core.training.lora_run import run_training
from vrdndi_pipeline.core.training.training_data import interest_rows, productive_rows
from vrdndi_pipeline.demo import DEMO_DATA_DIR
from vrdndi_pipeline.demo.seed_labels import seed_demo_labels
from vrdndi_pipeline.resources.activitywatch import ActivityWatchExport
from vrdndi_pipeline.resources.youtube.source import YouTubeSnapshot

EPOCHS = 2
SCORED_VIDEOS = 500


def demo_database(folder: Path, data_dir: Path = DEMO_DATA_DIR):  # type: ignore[no-untyped-def]
    """The demo's tables (of the demo data in ``data_dir``), filled through the same resources
    the demo job uses."""
    engine = open_database(f"sqlite:///{folder / 'bench.db'}")
    aw = ActivityWatchExport(
        path=str(data_dir / "activitywatch-export.json.gz"),
        categories_file=str(data_dir / "aw-categories.json"),
    )
    activity = aw.fetch_window_activity(aw.resolve_host(), None)
    youtube = YouTubeSnapshot(snapshot_dir=str(data_dir / "youtube"))
    found = [*youtube.subscription_uploads({}).videos]
    liked, disliked = youtube.rated_videos("like").videos, youtube.rated_videos("dislike").videos
    with write_transaction(engine) as conn:
        write_aw_events(conn, activity.events)
        write_videos(conn, [*found, *liked, *disliked], activity.events[0].timestamp)
        ratings = [VideoRating(v.video_id, "like") for v in liked]
        write_ratings(
            conn,
            ratings + [VideoRating(v.video_id, "dislike") for v in disliked],
            activity.events[0].timestamp,
        )
    seed_demo_labels(engine, data_dir)
    return engine


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = demo_database(Path(folder))
        with read_transaction(engine) as conn:
            interest, _ = interest_rows(conn)
            productive, _ = productive_rows(conn, 6.0)
            candidates = [
                video_from_row(r._mapping)
                for r in conn.execute(
                    select(videos).order_by(videos.c.published_at.desc()).limit(SCORED_VIDEOS)
                )
            ]
        engine.dispose()
    examples = examples_from_frames(interest, productive)
    config = build_config("cpu-small", {"total_epoch": EPOCHS, "early_stopping_patience": None})
    started = time.perf_counter()
    run = run_training(config, examples)
    total_s = time.perf_counter() - started
    epoch_s = [report.seconds for report in run.result.history]
    train_rows = len(run.split.train)

    last = productive.sort_values("feedback_at").iloc[-1]
    moment, context = (
        last["feedback_at"].to_pydatetime(),
        parse_context_events(last["context_events"]),
    )
    scoring = {}
    for separate_interest in (True, False):
        score_videos(run.model, candidates[:16], moment, context, "Europe/Berlin")  # warm-up
        started = time.perf_counter()
        score_videos(
            run.model,
            candidates,
            moment + timedelta(seconds=1),
            context,
            "Europe/Berlin",
            interest_without_context=separate_interest,
        )
        seconds = time.perf_counter() - started
        key = "two_passes" if separate_interest else "one_pass"
        scoring[key] = {
            "videos": len(candidates),
            "seconds": round(seconds, 2),
            "videos_per_s": round(len(candidates) / seconds, 1),
        }

    def pick(evaluation, head):  # type: ignore[no-untyped-def]
        metrics = getattr(evaluation, head) if evaluation else None
        return (
            {
                "f1": round(metrics.f1, 3),
                "roc_auc": None if metrics.roc_auc is None else round(metrics.roc_auc, 3),
            }
            if metrics
            else None
        )

    json.dump(
        {
            "preset": "cpu-small",
            "rows": run.split.counts(),
            "epochs": len(epoch_s),
            "seconds_per_epoch": [round(s, 1) for s in epoch_s],
            "train_samples_per_s": round(train_rows * len(epoch_s) / sum(epoch_s), 2),
            "run_training_total_s": round(total_s, 1),
            "holdout_after_epochs": {
                head: {
                    "model": pick(run.holdout, head),
                    "baseline": pick(run.baseline_holdout, head),
                }
                for head in ("productive", "interest")
            },
            "scoring": scoring,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
