"""Every demo file's bytes, assembled from the parts, with the manifest; and writing them."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

from vrdndi_pipeline.demo import (
    AW_CATEGORIES_FILE,
    AW_EXPORT_FILE,
    FEEDBACK_FILE,
    INTEREST_LABELS_FILE,
    MANIFEST_FILE,
    TAKEOUT_WATCH_HISTORY_FILE,
    YOUTUBE_DIR,
)
from vrdndi_pipeline.demo.anchor import (
    ANCHOR_MS,
    AW_DAYS,
    DAY,
    DEFAULT_SEED,
    HOSTNAME,
    TAKEOUT_DAYS,
    TIMEZONE,
    UPLOAD_DAYS,
    part_rng,
)
from vrdndi_pipeline.demo.generator.activity_categories import category_rules
from vrdndi_pipeline.demo.generator.activity_export import aw_export
from vrdndi_pipeline.demo.generator.activity_timeline import render_activity
from vrdndi_pipeline.demo.generator.catalogue import make_catalogue
from vrdndi_pipeline.demo.generator.day_plan import plan_days
from vrdndi_pipeline.demo.generator.labels import DemoLabels, demo_labels
from vrdndi_pipeline.demo.generator.ratings import choose_ratings
from vrdndi_pipeline.demo.generator.records import Catalogue
from vrdndi_pipeline.demo.generator.takeout_export import (
    TakeoutHistoryDoc,
    takeout_history,
    takeout_json,
)
from vrdndi_pipeline.demo.generator.timestamps import iso_api
from vrdndi_pipeline.demo.generator.watch_sessions import (
    watch_sessions,
    watches_of,
    with_deleted_videos,
)
from vrdndi_pipeline.demo.generator.youtube_resources import youtube_documents


def _json_bytes(document: Any) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode()


def build_demo_data(seed: int = DEFAULT_SEED) -> dict[str, bytes]:
    """Every demo file's bytes, keyed by its path relative to the data folder."""
    aw_start, takeout_start = ANCHOR_MS - AW_DAYS * DAY, ANCHOR_MS - TAKEOUT_DAYS * DAY
    catalogue = make_catalogue(seed)
    segments = plan_days(takeout_start, ANCHOR_MS, seed)
    sessions = watch_sessions(segments, catalogue, seed)
    timeline = render_activity(segments, sessions, aw_start, ANCHOR_MS, seed)
    export = aw_export(timeline, aw_start, ANCHOR_MS, seed)

    rng = part_rng(seed, "history")
    watches = with_deleted_videos(
        watches_of(segments, sessions), catalogue, aw_start - 2 * DAY, rng
    )
    likes, dislikes = choose_ratings(watches, catalogue, takeout_start, rng)
    history = takeout_history(watches, catalogue, takeout_start, seed)
    deleted = {v.video_id for v in catalogue.deleted}
    referenced = [w.video for w in watches if w.video.video_id not in deleted]
    referenced += [*likes, *dislikes, *history.extra_videos]
    ratings = {"like": [v.video_id for v in likes], "dislike": [v.video_id for v in dislikes]}
    youtube = youtube_documents(catalogue, referenced, ratings, seed)

    files = {
        AW_EXPORT_FILE: gzip.compress(
            json.dumps(export, ensure_ascii=False, separators=(",", ":")).encode(),
            compresslevel=9,
            mtime=0,
        ),
        AW_CATEGORIES_FILE: _json_bytes(category_rules()),
        **{f"{YOUTUBE_DIR}/{name}": _json_bytes(doc) for name, doc in youtube.items()},
        TAKEOUT_WATCH_HISTORY_FILE: (takeout_json(history.entries) + "\n").encode(),
    }
    # after every other part, from their outputs only: the labels draw on streams of their own
    labels = demo_labels(
        export,
        category_rules(),
        youtube["videos.json"],
        history.entries,
        catalogue,
        aw_start,
        ANCHOR_MS,
        seed,
    )
    files[FEEDBACK_FILE] = _json_bytes(list(labels.feedback))
    files[INTEREST_LABELS_FILE] = _json_bytes(list(labels.interest_labels))
    manifest = make_manifest(
        seed, catalogue, export, youtube, history, sorted(deleted), labels, files
    )
    files[MANIFEST_FILE] = _json_bytes(manifest)
    return files


def make_manifest(
    seed: int,
    catalogue: Catalogue,
    export: dict[str, Any],
    youtube: dict[str, Any],
    history: TakeoutHistoryDoc,
    deleted_ids: list[str],
    labels: DemoLabels,
    files: dict[str, bytes],
) -> dict[str, Any]:
    buckets = export["buckets"]
    window = buckets[f"aw-watcher-window_{HOSTNAME}"]["events"]
    videos = youtube["videos.json"]
    return {
        "generator": "python -m vrdndi_pipeline.demo.generator.generate_demo_data",
        "anchor": iso_api(ANCHOR_MS),
        "seed": seed,
        "hostname": HOSTNAME,
        "timezone": TIMEZONE,
        "user_channel_id": catalogue.user_channel_id,
        "activitywatch": {
            "days": AW_DAYS,
            "first_event": window[-1]["timestamp"],
            "last_event": window[0]["timestamp"],
            "events": {bucket_id: len(bucket["events"]) for bucket_id, bucket in buckets.items()},
            "category_rules": len(category_rules()),
        },
        "youtube": {
            "subscriptions": len(youtube["subscriptions.json"]),
            "channels": len(youtube["channels.json"]),
            "uploads_playlists": len(youtube["playlist_items.json"]),
            "playlist_items": sum(len(items) for items in youtube["playlist_items.json"].values()),
            "upload_days": UPLOAD_DAYS,
            "videos": len(videos),
            "live_videos": sum(v["contentDetails"]["duration"] == "P0D" for v in videos),
            "likes": len(youtube["ratings.json"]["like"]),
            "dislikes": len(youtube["ratings.json"]["dislike"]),
        },
        "takeout": {"days": TAKEOUT_DAYS, **history.counts, "deleted_video_ids": deleted_ids},
        "labels": labels.summary,
        "files": {
            name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in sorted(files.items())
        },
    }


def write_demo_data(out: Path, seed: int = DEFAULT_SEED) -> dict[str, bytes]:
    files = build_demo_data(seed)
    for name, data in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files
