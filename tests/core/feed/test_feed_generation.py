"""What the feed assets decide, without Dagster: what ``encoded_inference_tensors`` writes for a
champion (or none), its manifest and metadata, and the ``feed_predictions`` settings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

import vrdndi_pipeline.core.feed.generation_inputs as generation_module
from vrdndi_pipeline.core.feed.candidates import CandidateSelection, context_at, select_candidates
from vrdndi_pipeline.core.feed.generation_inputs import (
    GenerationInputs,
    InferenceWindow,
    adapter_key,
    generation_inputs,
)
from vrdndi_pipeline.core.feed.inference_tensors import read_generation
from vrdndi_pipeline.core.feed.ranking import FeedOrder
from vrdndi_pipeline.core.feed.refresh import FeedRefresh, refresh_settings
from vrdndi_pipeline.core.model.context_features import ContextEvent
from vrdndi_pipeline.core.ranker.model import FAMILY as RANKER
from vrdndi_pipeline.core.ranker.model import MODEL_FILE
from vrdndi_pipeline.core.ranker.moment_features import context_from_json
from vrdndi_pipeline.core.records import AwEvent, Video
from vrdndi_pipeline.core.store.database import (
    open_database,
    read_transaction,
    write_transaction,
)
from vrdndi_pipeline.core.store.source_tables import write_aw_events, write_videos

NOW = datetime(2026, 11, 15, 14, tzinfo=UTC)
ZONE = "Europe/Berlin"
WINDOW = InferenceWindow(context_hours=6.0, candidate_days=7.0, timezone=ZONE)

MANIFEST_KEYS = [
    "moment",
    "timezone",
    "context_hours",
    "candidate_days",
    "context_events",
    "context_summary",
    "model_version",
    "model_family",
    "moment_context",
    "dagster_run_id",
]
METADATA_KEYS = [
    "generation",
    "path",
    "moment",
    "candidates",
    "published_in_window",
    "excluded",
    "context_events",
    "context",
    "model_version",
    "encoded",
    "family",
    "fusion",
    "bytes",
    "generations_removed",
    "seconds",
]


@dataclass(frozen=True)
class Champion:
    """What MLflow's ``ChampionInfo`` gives the feed."""

    version: str
    run_id: str | None
    family: str
    local_path: Path


class CountingEncoder:
    """A deterministic sentence encoder that counts the texts it embeds."""

    dim = 8

    def __init__(self) -> None:
        self.texts: list[str] = []

    def embed(self, texts):
        self.texts += list(texts)
        rows = [np.random.default_rng(sum(map(ord, t))).normal(size=self.dim) for t in texts]
        return np.asarray([r / np.linalg.norm(r) for r in rows], dtype=np.float32)


def _videos(n: int) -> list[Video]:
    return [
        Video(
            f"cand{i:07d}",
            f"Video {i}",
            f"UC{i % 3:022d}",
            f"Channel {i % 3}",
            "about it",
            60 * (i + 1),
            NOW - timedelta(hours=1 + i),
            "subscription",
        )
        for i in range(n)
    ]


def _events(n: int) -> list[ContextEvent]:
    return [
        ContextEvent(
            NOW - timedelta(minutes=10 * (n - j)), 590.0, "Code", f"main.rs {j % 2}", None,
            ("Work", "Programming"),
        )
        for j in range(n)
    ]  # fmt: skip


def _selection(videos: list[Video]) -> CandidateSelection:
    return CandidateSelection(videos, len(videos) + 2, {"feedback": 1, "hidden": 1})


def test_without_a_champion_only_the_manifest_is_written(tmp_path: Path) -> None:
    videos = _videos(4)
    inputs = generation_inputs(None, None, _selection(videos), _events(3), NOW, WINDOW, run_id="r1")  # type: ignore[arg-type]
    assert inputs.video_ids == [v.video_id for v in videos]
    assert (inputs.dataset, inputs.late, inputs.ranker, inputs.cache) == (None, None, None, {})
    assert not inputs.encoded and inputs.fusion == "early"
    assert list(inputs.manifest) == MANIFEST_KEYS
    assert inputs.manifest["context_summary"].startswith("0.5 h active in the last 6 h")
    assert (inputs.manifest["model_version"], inputs.manifest["dagster_run_id"]) == (None, "r1")

    folder = inputs.write(tmp_path, "g1")
    meta = inputs.metadata("g1", folder, ["g0"], 0.123)
    assert list(meta) == METADATA_KEYS
    assert meta["model_version"] == "none (cold start)" and meta["family"] == "none"
    assert (meta["candidates"], meta["published_in_window"], meta["context_events"]) == (4, 6, 3)
    assert meta["excluded"] == {"feedback": 1, "hidden": 1} and meta["encoded"] is False
    assert (meta["generations_removed"], meta["seconds"], meta["path"]) == (1, 0.12, str(folder))
    assert meta["bytes"] == sum(f.stat().st_size for f in folder.iterdir()) > 0
    stored = read_generation(tmp_path)
    assert stored.video_ids == inputs.video_ids and stored.dataset is None
    assert {k: stored.manifest[k] for k in MANIFEST_KEYS} == inputs.manifest


def test_a_champion_without_candidates_encodes_nothing(tmp_path: Path) -> None:
    champion = Champion("7", "abc", "lora", tmp_path / "missing")  # never opened
    inputs = generation_inputs(None, champion, _selection([]), [], NOW, WINDOW)  # type: ignore[arg-type]
    assert not inputs.encoded and inputs.video_ids == []
    assert (inputs.manifest["model_version"], inputs.manifest["model_family"]) == ("7", "lora")
    assert inputs.manifest["context_summary"] == "no computer activity in the last 6 h"


def test_late_fusion_vectors_belong_to_the_version_and_its_run() -> None:
    assert adapter_key(Champion("3", "run9", "lora", Path("."))) == "3-run9"
    assert adapter_key(Champion("3", None, "lora", Path("."))) == "3"


def test_a_ranker_champion_gets_stored_embeddings_and_the_moment(
    tmp_path: Path, monkeypatch
) -> None:
    """The ranker's inputs: one vector per candidate (embedded once, then read back) and the
    context features of "now" in the manifest; its cache counts are named ``cache_*``."""
    engine = open_database(f"sqlite:///{tmp_path / 'vrdndi.db'}")
    videos = _videos(5)
    with write_transaction(engine) as conn:
        write_videos(conn, videos, NOW - timedelta(days=1))
        write_aw_events(
            conn,
            [
                AwEvent("w", j, "h", e.timestamp, e.duration_s, e.app, e.title, None, e.category)
                for j, e in enumerate(_events(4))
            ],
        )
    with read_transaction(engine) as conn:
        selection = select_candidates(conn, NOW, 7)
        events = context_at(conn, NOW, 6)
    assert [v.video_id for v in selection.candidates] == [v.video_id for v in videos]
    folder = tmp_path / "ranker"
    folder.mkdir()
    (folder / MODEL_FILE).write_text(json.dumps({"encoder": "counting"}))
    encoder = CountingEncoder()
    loads: list[tuple[str, str]] = []

    def load(name: str, device: str = "cpu") -> CountingEncoder:
        loads.append((name, device))
        return encoder

    monkeypatch.setattr(generation_module, "shared_context_encoder", load)
    champion = Champion("2", "run", RANKER, folder)

    def run() -> GenerationInputs:
        return generation_inputs(engine, champion, selection, events, NOW, WINDOW, device="cuda")

    first = run()
    assert set(loads) == {("counting", "cuda")}  # on the sentence encoder's device
    assert first.ranker is not None and first.ranker["video_vectors"].shape == (5, 8)
    assert first.encoded and first.fusion == "none" and first.dataset is first.late is None
    assert first.cache["videos_embedded"] == 5 and first.cache["event_texts_embedded"] == 2
    loaded = len(loads)
    moment = context_from_json(first.manifest["moment_context"])
    assert moment.values["current_app:Code"] == 1.0
    second = run()
    assert len(loads) == loaded  # every text is stored: no encoder is loaded
    assert second.cache["videos_reused"] == 5 and second.cache["videos_embedded"] == 0
    np.testing.assert_array_equal(second.ranker["video_vectors"], first.ranker["video_vectors"])

    written = second.write(tmp_path / "inference", "g2")
    meta = second.metadata("g2", written, [], 1.0)
    assert meta["cache_videos_reused"] == 5 and "video_cache_hits" not in meta
    assert (meta["family"], meta["fusion"], meta["encoded"]) == (RANKER, "none", True)
    assert read_generation(tmp_path / "inference").ranker is not None
    engine.dispose()


def test_feed_settings_come_from_the_asset_config_by_name() -> None:
    from vrdndi_pipeline.assets.feed_predictions import FeedConfig

    settings = refresh_settings(**FeedConfig().model_dump())
    assert settings.order == FeedOrder()  # the config's defaults are the ranking's
    assert (settings.interest_weight, settings.batch_size) == (0.5, 32)
    custom = refresh_settings(**FeedConfig(diversity="none", exploration_share=0.0).model_dump())
    assert (custom.order.diversity, custom.order.exploration_share) == ("none", 0.0)
    with pytest.raises(ValueError, match="unknown diversity rule 'random'"):
        refresh_settings(**FeedConfig(diversity="random").model_dump())


def test_the_refresh_metadata_ends_with_the_asset_time_and_the_top_rows() -> None:
    rows = [
        {"rank": 1, "title": "A | B", "channel_title": None, "combined_score": 0.5, "explored": 0}
    ]
    refresh = FeedRefresh("recency", "none", "g", NOW, rows, [], 2, 0, 0.0, 21)
    assert list(refresh.metadata())[-1] == "videos_per_second"
    meta = refresh.metadata(seconds=1.234)
    assert list(meta)[-2:] == ["seconds", "top"] and meta["seconds"] == 1.23
    assert meta["dropped_since_encoding"] == 1
    assert meta["top"].splitlines()[-1] == "| 1 | A / B |  | 0.500 |"
