"""Ingest benchmark: 100,000 ActivityWatch events and 10,000 videos into SQLite, then again.

Prints one JSON object: wall time, rows/s and rows changed for the first and the repeated
ingest, and the peak RSS of this process.
"""

from __future__ import annotations

import json
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from vrdndi_pipeline.core.records import AwEvent, Video
from vrdndi_pipeline.core.store.database import open_database, write_transaction
from vrdndi_pipeline.core.store.source_tables import write_aw_events, write_videos

EVENTS, VIDEOS = 100_000, 10_000
START = datetime(2026, 1, 1, tzinfo=UTC)
APPS = ["Code", "Firefox", "alacritty", "Slack", "Steam", "Spotify", "Zoom", "Thunderbird"]


def make_events(rng: random.Random) -> list[AwEvent]:
    at = START
    events = []
    for i in range(EVENTS):
        seconds = rng.uniform(5, 600)
        events.append(
            AwEvent(
                bucket_id="aw-watcher-window_bench",
                event_id=i,
                hostname="bench",
                timestamp=at,
                duration_s=round(seconds, 3),
                app=rng.choice(APPS),
                title=f"window title {rng.randrange(10_000)} — ünïcode 日本",
                url=None,
                category=("Work", "Programming"),
            )
        )
        at += timedelta(seconds=seconds + rng.uniform(0, 30))
    return events


def make_videos(rng: random.Random) -> list[Video]:
    return [
        Video(
            video_id=f"{i:011d}",
            title=f"Video {i}: something worth watching 🎬",
            channel_id=f"UC{rng.randrange(300):022d}",
            channel_title=f"Channel {rng.randrange(300)}",
            description="A description of moderate length. " * 8,
            duration_s=rng.randrange(30, 7200),
            published_at=START + timedelta(minutes=i * 13),
            source="subscription",
        )
        for i in range(VIDEOS)
    ]


def timed_ingest(engine, events, videos) -> dict[str, float]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    with write_transaction(engine) as conn:
        event_counts = write_aw_events(conn, events)
    events_s = time.perf_counter() - started
    started = time.perf_counter()
    with write_transaction(engine) as conn:
        video_counts = write_videos(conn, videos, START)
    videos_s = time.perf_counter() - started
    return {
        "events_wall_s": round(events_s, 3),
        "events_rows_per_s": round(len(events) / events_s),
        "events_rows_changed": event_counts.changed,
        "videos_wall_s": round(videos_s, 3),
        "videos_rows_per_s": round(len(videos) / videos_s),
        "videos_rows_changed": video_counts.changed,
    }


def main() -> None:
    rng = random.Random(7)
    events, videos = make_events(rng), make_videos(rng)
    with tempfile.TemporaryDirectory() as folder:
        engine = open_database(f"sqlite:///{Path(folder) / 'bench.db'}")
        first = timed_ingest(engine, events, videos)
        again = timed_ingest(engine, events, videos)
        size = (Path(folder) / "bench.db").stat().st_size
        engine.dispose()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    json.dump(
        {
            "events": EVENTS,
            "videos": VIDEOS,
            "first_ingest": first,
            "re_ingest": again,
            "database_bytes": size,
            "peak_rss_mib": round(peak_kib / 1024, 1),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
