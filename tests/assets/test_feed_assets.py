"""encoded_inference_tensors → feed_predictions on a real database and a real MLflow registry."""

import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import numpy as np
import pytest
import torch
from sqlalchemy import select

from tests.harness.model_support import GAME, TECH, WORK_EVENTS, tiny_config
from vrdndi_pipeline.assets.encoded_inference_tensors import encoded_inference_tensors
from vrdndi_pipeline.assets.feed_predictions import feed_predictions
from vrdndi_pipeline.core.feed.candidates import context_at, select_candidates
from vrdndi_pipeline.core.feed.inference_tensors import TENSORS_FILE, read_generation
from vrdndi_pipeline.core.model.adapter_files import load_adapter, save_adapter
from vrdndi_pipeline.core.model.hybrid_model import HybridProductiveModel
from vrdndi_pipeline.core.model.inference import score_videos
from vrdndi_pipeline.core.records import AwEvent, Video, VideoRating, WatchEntry
from vrdndi_pipeline.core.store.database import (
    make_engine,
    open_database,
    read_transaction,
    write_transaction,
)
from vrdndi_pipeline.core.store.feed_tables import current_generation, read_feed_page
from vrdndi_pipeline.core.store.people_tables import (
    FeedbackClick,
    VisibilityChange,
    insert_feedback,
    record_visibility,
    upsert_interest_labels,
)
from vrdndi_pipeline.core.store.schema import feed_predictions as feed_table
from vrdndi_pipeline.core.store.schema import video_encodings
from vrdndi_pipeline.core.store.schema import videos as videos_table
from vrdndi_pipeline.core.store.source_tables import (
    write_aw_events,
    write_ratings,
    write_videos,
    write_watch_history,
)
from vrdndi_pipeline.resources.clock import FixedClock
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.inference_store import InferenceTensorStore
from vrdndi_pipeline.resources.mlflow_tracking import FAMILY_TAG, MlflowTracking
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder

NOW = datetime(2026, 11, 15, 14, tzinfo=UTC)
ZONE = "Europe/Berlin"


def _video(i: int, *, age_hours: float, channel: int) -> Video:
    title, channel_title = (TECH if i % 2 else GAME)[i % 5]
    return Video(
        f"cand{i:07d}",
        f"{title} #{i}",
        f"UC{channel:022d}",
        channel_title,
        "about it",
        300 + 60 * i,
        NOW - timedelta(hours=age_hours),
        "subscription",
    )


def _seed(url: str, *, n: int = 40, labels: int = 0, crowded: int = 0) -> dict[str, str]:
    """``n`` recent uploads (12 channels; the newest ``crowded`` all from channel 0), 1 too old,
    1 from the future, 4 the user already judged in some way; 3 h of programming context before
    NOW. Returns excluded ids by reason."""
    engine = open_database(url)
    videos = [
        _video(i, age_hours=2 + i * 3, channel=0 if i < crowded else i % 12) for i in range(n)
    ]
    old = _video(900, age_hours=24 * 8, channel=1)
    future = _video(901, age_hours=-1, channel=1)
    excluded = {
        "feedback": videos[0].video_id,
        "hidden": videos[1].video_id,
        "watched": videos[2].video_id,
        "rated": videos[3].video_id,
        "too_old": old.video_id,
        "future": future.video_id,
    }
    events, at = [], NOW - timedelta(hours=3)
    for j in range(18):
        app, window, category = WORK_EVENTS[j % len(WORK_EVENTS)]
        events.append(AwEvent("w", j, "h", at, 590.0, app, window, None, category))
        at += timedelta(minutes=10)
    with write_transaction(engine) as conn:
        write_videos(conn, [*videos, old, future], NOW - timedelta(days=10))
        write_aw_events(conn, events)
        insert_feedback(
            conn,
            [FeedbackClick("c-0", videos[0].video_id, "interest", 1, NOW, ZONE)],
        )
        _hide(conn, videos[1].video_id)
        write_watch_history(
            conn, [WatchEntry(videos[2].video_id, NOW - timedelta(hours=1), "t", "c", None)]
        )
        write_ratings(conn, [VideoRating(videos[3].video_id, "like")], NOW)
        upsert_interest_labels(
            conn,
            [
                {"video_id": f"lab{i:08d}", "label": i % 2, "labelled_at": NOW}
                for i in range(labels)
            ],
        )
        # the labelled videos need text for the interest baseline
        write_videos(
            conn,
            [
                Video(
                    f"lab{i:08d}",
                    (TECH if i % 2 else GAME)[i % 5][0],
                    "UCx",
                    "ch",
                    None,
                    600,
                    NOW - timedelta(days=30),
                    "takeout",
                )
                for i in range(labels)
            ],
            NOW,
        )
    engine.dispose()
    return excluded


def _hide(conn, video_id: str, hidden: bool = True) -> None:
    record_visibility(
        conn, VisibilityChange(f"{video_id}-{hidden}", "video", video_id, None, hidden, NOW)
    )


def _register_untrained_champion(
    tracking: MlflowTracking, **overrides: object
) -> HybridProductiveModel:
    """A tiny model (untrained heads: arbitrary but fixed scores) registered as champion."""
    model = HybridProductiveModel.from_config(tiny_config(max_context_events=16, **overrides))
    with tempfile.TemporaryDirectory() as folder:
        adapter = save_adapter(model, Path(folder) / "adapter")
        with tracking.start_run("test", {}) as run:
            run.log_artifacts(adapter, "adapter")
    version = tracking.register_version(run.run_id, "adapter")
    tracking.set_champion(version)
    return model


def _resources(tmp_path: Path, url: str, keep: int = 3) -> dict:
    return {
        "database": AppDatabase(url=url),
        "tracking": MlflowTracking(
            tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}",
            artifact_location=str(tmp_path / "mlartifacts"),
        ),
        "inference_store": InferenceTensorStore(root=str(tmp_path / "inference"), keep=keep),
        "clock": FixedClock(moment=NOW.isoformat()),
        "user_timezone": ZONE,
        "text_encoder": SentenceEncoder(),
    }


def _refresh(resources: dict, **feed_config) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [encoded_inference_tensors, feed_predictions],
        resources=resources,
        run_config={"ops": {"feed_predictions": {"config": feed_config}}} if feed_config else None,
        raise_on_error=False,
    )


def _metadata(result, node: str) -> dict:
    [materialization] = result.asset_materializations_for_node(node)
    return {k: v.value for k, v in materialization.metadata.items()}


def _feed(url: str):
    with read_transaction(make_engine(url)) as conn:
        return read_feed_page(conn, 0, 1000)


@pytest.mark.slow
def test_champion_feed_scores_equal_scoring_from_scratch(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    excluded = _seed(url, n=40)
    resources = _resources(tmp_path, url)
    _register_untrained_champion(resources["tracking"])

    result = _refresh(resources)
    assert result.success
    tensors = _metadata(result, "encoded_inference_tensors")
    assert tensors["model_version"] == "1" and tensors["encoded"] is True
    assert tensors["candidates"] == 36 and tensors["context_events"] == 18
    assert tensors["excluded"] == {
        "feedback": 1,
        "hidden": 1,
        "watched": 1,
        "rated": 1,
        "channel_blocked": 0,
    }
    generation = read_generation(tmp_path / "inference")
    assert (generation.folder / TENSORS_FILE).is_file()
    assert not list(generation.folder.glob("*.pt")) and not list(generation.folder.glob("*.pkl"))

    feed = _feed(url)
    assert len(feed) == 36 and [r.rank for r in feed] == list(range(1, 37))
    ids = {r.video.video_id for r in feed}
    assert not ids & set(excluded.values())
    assert {r.ranking for r in feed} == {"champion"} and {r.model_version for r in feed} == {"1"}
    assert {r.generation for r in feed} == {generation.generation}
    assert all(
        r.video.title.endswith(f"#{int(r.video.video_id[4:])}") for r in feed
    )  # original case kept
    # every card says how long it is; the LoRA model's context reason when the moment helps
    assert all(any(x.kind == "video" for x in r.reasons) for r in feed)
    assert all(0 < len(r.reasons) <= 3 for r in feed)

    # Scores computed from the stored tensors equal scoring the same videos from scratch.
    champion = load_adapter(resources["tracking"].champion().local_path, compile_model=False)
    engine = make_engine(url)
    with read_transaction(engine) as conn:
        events = context_at(conn, NOW, 6)
    by_id = {r.video.video_id: r for r in feed}
    videos = [replace(r.video, description="about it") for r in feed]
    fresh = score_videos(champion, videos, NOW, events, ZONE)
    for score in fresh:
        row = by_id[score.video_id]
        assert row.productive_score == pytest.approx(score.productive, abs=1e-5)
        assert row.interest_score == pytest.approx(score.interest, abs=1e-5)
    assert len({round(r.productive_score, 6) for r in feed}) > 5  # really per video
    # ranked by the combined score within the channel cap
    page = feed[:21]
    assert (
        max(sum(r.video.channel_id == c for r in page) for c in {r.video.channel_id for r in page})
        <= 3
    )


@pytest.mark.slow
def test_cold_start_uses_the_interest_baseline_and_says_so(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed(url, n=30, labels=40)
    result = _refresh(_resources(tmp_path, url))
    assert result.success
    meta = _metadata(result, "feed_predictions")
    assert meta["ranking"] == "interest-baseline" and meta["model_version"] == "none"
    assert _metadata(result, "encoded_inference_tensors")["encoded"] is False
    feed = _feed(url)
    assert len(feed) == 26 and {r.ranking for r in feed} == {"interest-baseline"}
    assert all(r.productive_score is None and r.interest_score is not None for r in feed)
    # the baseline's reasons are the words that raised each video, and they differ by video
    words = [x.text for r in feed for x in r.reasons if x.kind == "words"]
    assert len(words) >= len(feed) // 2 and len(set(words)) > 3
    assert all("“" in w for w in words)
    # the baseline learnt the labels: tech titles (label 1) above game titles (label 0)
    tech = [r.interest_score for r in feed if any(r.video.title.startswith(t) for t, _ in TECH)]
    game = [r.interest_score for r in feed if any(r.video.title.startswith(t) for t, _ in GAME)]
    assert min(tech) > max(game)


@pytest.mark.slow
def test_without_labels_the_feed_is_newest_first(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed(url, n=12)
    result = _refresh(_resources(tmp_path, url), diversity="none", exploration_share=0.0)
    assert result.success and _metadata(result, "feed_predictions")["ranking"] == "recency"
    feed = _feed(url)
    assert [r.video.published_at for r in feed] == sorted(
        (r.video.published_at for r in feed), reverse=True
    )


@pytest.mark.slow
def test_one_channel_cannot_fill_the_page(tmp_path):
    """The newest uploads all come from one channel: newest first would give it the top 8."""
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed(url, n=30, crowded=10)

    def top_page_of_channel_0(**config) -> int:
        result = _refresh(_resources(tmp_path, url), exploration_share=0.0, **config)
        assert result.success and _metadata(result, "feed_predictions")["ranking"] == "recency"
        return sum(r.video.channel_id == f"UC{0:022d}" for r in _feed(url)[:21])

    assert top_page_of_channel_0(diversity="none") == 8
    assert top_page_of_channel_0() == 3  # the default cap
    assert top_page_of_channel_0(max_per_channel=5) == 5
    assert len(_feed(url)) == 26  # the cap reorders, it never drops a video


@pytest.mark.slow
def test_feedback_given_after_encoding_keeps_the_video_out(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed(url, n=12)
    resources = _resources(tmp_path, url)
    assert dg.materialize([encoded_inference_tensors], resources=resources).success
    engine = make_engine(url)
    with write_transaction(engine) as conn:
        _hide(conn, "cand0000005")
    result = dg.materialize(
        [feed_predictions], resources=resources, selection=[feed_predictions.key]
    )
    assert result.success
    assert _metadata(result, "feed_predictions")["dropped_since_encoding"] == 1
    assert "cand0000005" not in {r.video.video_id for r in _feed(url)}


@pytest.mark.slow
def test_old_generations_are_removed_by_the_retention_setting(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed(url, n=5)
    resources = _resources(tmp_path, url, keep=2)
    for _ in range(4):
        assert dg.materialize([encoded_inference_tensors], resources=resources).success
    folders = [p for p in (tmp_path / "inference").iterdir() if p.is_dir()]
    assert len(folders) == 2


@pytest.mark.slow
def test_missing_encoded_inputs_fail_with_the_fix_and_keep_the_feed(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed(url, n=8)
    resources = _resources(tmp_path, url)
    assert _refresh(resources).success
    before = _feed(url)
    resources["inference_store"] = InferenceTensorStore(root=str(tmp_path / "elsewhere"))
    result = dg.materialize(
        [feed_predictions],
        resources=resources,
        selection=[feed_predictions.key],
        raise_on_error=False,
    )
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "materialize encoded_inference_tensors first" in failure.step_failure_data.error.message
    assert _feed(url) == before
    with read_transaction(make_engine(url)) as conn:
        assert current_generation(conn).videos == len(before)
        assert conn.execute(select(feed_table.c.video_id)).all()


@pytest.mark.slow
def test_a_champion_without_new_uploads_writes_an_empty_champion_feed(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed(url, n=5)
    resources = _resources(tmp_path, url)
    _register_untrained_champion(resources["tracking"])
    resources["clock"] = FixedClock(moment=(NOW + timedelta(days=30)).isoformat())
    result = _refresh(resources)
    assert result.success
    assert _metadata(result, "encoded_inference_tensors")["candidates"] == 0
    meta = _metadata(result, "feed_predictions")
    assert meta["ranking"] == "champion" and meta["videos"] == 0
    assert _feed(url) == []
    with read_transaction(make_engine(url)) as conn:
        written = current_generation(conn)
    assert written is not None  # the site says "no new videos", not "no feed yet"
    assert (written.generation, written.ranking, written.videos) == (
        meta["generation"],
        "champion",
        0,
    )


@pytest.mark.slow
def test_late_fusion_reuses_cached_video_vectors_and_invalidates_them(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed(url, n=20)
    resources = _resources(tmp_path, url)
    model = _register_untrained_champion(resources["tracking"], fusion="late", seed=7)
    with torch.no_grad():  # make the fusion network matter (it starts at zero)
        for p in model.fusion.parameters():
            p.normal_(0, 0.2)
    # re-register the perturbed model as version 2
    with tempfile.TemporaryDirectory() as folder:
        adapter = save_adapter(model, Path(folder) / "adapter")
        with resources["tracking"].start_run("late", {}) as run:
            run.log_artifacts(adapter, "adapter")
    resources["tracking"].set_champion(
        resources["tracking"].register_version(run.run_id, "adapter")
    )

    def cache_counts(result):
        meta = _metadata(result, "encoded_inference_tensors")
        assert meta["fusion"] == "late"
        return meta["video_cache_hits"], meta["video_cache_misses"]

    first = _refresh(resources)
    assert first.success and cache_counts(first) == (0, 16)
    feed = _feed(url)
    second = _refresh(resources)
    assert second.success and cache_counts(second) == (16, 0)  # warm: no backbone pass
    # the same scores (the order may differ: each refresh draws its own exploration slots)
    assert {r.video.video_id: r.productive_score for r in _feed(url)} == {
        r.video.video_id: r.productive_score for r in feed
    }

    # scores from cached vectors equal scoring the same videos from scratch
    champion = load_adapter(resources["tracking"].champion().local_path, compile_model=False)
    with read_transaction(make_engine(url)) as conn:
        events = context_at(conn, NOW, 6)
    videos = [replace(r.video, description="about it") for r in feed]
    fresh = {s.video_id: s for s in score_videos(champion, videos, NOW, events, ZONE)}
    for row in feed:
        assert row.productive_score == pytest.approx(fresh[row.video.video_id].productive, abs=1e-5)
        assert row.interest_score == pytest.approx(fresh[row.video.video_id].interest, abs=1e-5)

    # a changed title is a miss for that video only
    engine = make_engine(url)
    with write_transaction(engine) as conn:
        conn.execute(
            videos_table.update()
            .where(videos_table.c.video_id == feed[0].video.video_id)
            .values(title="A new title")
        )
    assert cache_counts(_refresh(resources)) == (15, 1)

    # a new champion version encodes everything again and drops the old version's vectors
    _register_untrained_champion(resources["tracking"], fusion="late", seed=8)
    result = _refresh(resources)
    assert cache_counts(result) == (0, 16)
    assert _metadata(result, "encoded_inference_tensors")["video_cache_dropped"] == 16
    with read_transaction(engine) as conn:
        versions = set(conn.execute(select(video_encodings.c.adapter_version)).scalars())
    [key] = versions
    assert key.startswith("3-") and key.endswith(resources["tracking"].champion().run_id)


@pytest.mark.slow
def test_a_click_given_while_the_feed_is_scored_keeps_the_video_out(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed(url, n=12)
    resources = _resources(tmp_path, url)
    import vrdndi_pipeline.core.feed.refresh as feed_module

    real = feed_module.fallback_scores

    def scoring_while_the_user_clicks(candidates, *args, **kwargs):
        with write_transaction(make_engine(url)) as conn:  # the feed site, meanwhile
            insert_feedback(
                conn, [FeedbackClick("late-click", "cand0000007", "productive", 0, NOW, ZONE)]
            )
        return real(candidates, *args, **kwargs)

    monkeypatch.setattr(feed_module, "fallback_scores", scoring_while_the_user_clicks)
    result = _refresh(resources)
    assert result.success
    feed = _feed(url)
    assert "cand0000007" not in {r.video.video_id for r in feed}
    assert [r.rank for r in feed] == list(range(1, len(feed) + 1)) and len(feed) == 7
    assert _metadata(result, "feed_predictions")["dropped_since_encoding"] == 1


def _register_ranker_champion(tracking: MlflowTracking) -> None:
    """A ranker fitted on synthetic rows (random 384-d videos, work-or-play contexts): long
    videos are right during work, short ones otherwise."""
    from vrdndi_pipeline.core.model.config import BUNDLED_MINILM
    from vrdndi_pipeline.core.ranker.config import RankerConfig
    from vrdndi_pipeline.core.ranker.model import FAMILY, RankerRow, fit_ranker

    rng = np.random.default_rng(0)
    rows = []
    for i in range(200):
        vector = rng.normal(size=384).astype(np.float32)
        work, length = rng.random(), rng.uniform(0.6, 1.0)  # video_log_duration of 5-60 min
        features = {"share@1h:Work": work, "share@6h:Work": work, "video_log_duration": length}
        label = int((length > 0.8) == (work > 0.5))
        rows.append(RankerRow(f"productive:{i}", vector, None, features, None, label))
        rows.append(RankerRow(f"interest:{i}", vector, f"chan{i % 5}", None, i % 2, None))
    model = fit_ranker(RankerConfig(video_components=4), rows)
    with tempfile.TemporaryDirectory() as folder:
        saved = model.save(Path(folder) / FAMILY, extra={"encoder": BUNDLED_MINILM})
        with tracking.start_run("ranker", {}) as run:
            run.log_artifacts(saved, FAMILY)
    version = tracking.register_version(run.run_id, FAMILY, tags={FAMILY_TAG: FAMILY})
    tracking.set_champion(version)


@pytest.mark.minilm
@pytest.mark.slow
def test_a_ranker_champion_scores_from_stored_embeddings_without_a_backbone_pass(
    tmp_path, monkeypatch
):
    import vrdndi_pipeline.core.feed.generation_inputs as generation_inputs
    from vrdndi_pipeline.core.feed.ranker_inputs import ranker_refresh_inputs, ranker_scores
    from vrdndi_pipeline.core.ranker.model import load_ranker
    from vrdndi_pipeline.core.ranker.moment_features import moment_context

    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed(url, n=40)
    resources = _resources(tmp_path, url)
    _register_ranker_champion(resources["tracking"])

    first = _refresh(resources)  # cold: embeds the 36 candidates and 18 event texts once
    assert first.success
    meta = _metadata(first, "encoded_inference_tensors")
    assert meta["family"] == "ranker" and meta["cache_videos_embedded"] == 36

    def no_encoder(*args, **kwargs):
        raise AssertionError("a warm ranker refresh loaded the sentence encoder")

    monkeypatch.setattr(generation_inputs, "shared_context_encoder", no_encoder)
    second = _refresh(resources)
    assert second.success
    meta = _metadata(second, "encoded_inference_tensors")
    assert meta["cache_videos_reused"] == 36 and meta["cache_videos_embedded"] == 0
    assert (
        meta["cache_event_texts_reused"] == len(set(WORK_EVENTS))
        and meta["cache_event_texts_embedded"] == 0
    )
    feed = _feed(url)
    assert len(feed) == 36 and {r.ranking for r in feed} == {"champion"}
    assert len({round(r.productive_score, 6) for r in feed}) > 5

    # the stored feed equals scoring the same candidates from scratch
    engine = make_engine(url)
    with read_transaction(engine) as conn:
        candidates = select_candidates(conn, NOW, 7).candidates
        events = context_at(conn, NOW, 6)
    vectors, context, _ = ranker_refresh_inputs(
        engine, "bundled:all-MiniLM-L6-v2", no_encoder, candidates, events, NOW, ZONE
    )
    model = load_ranker(resources["tracking"].champion().local_path)
    local = NOW.astimezone(ZoneInfo(ZONE))
    interest, productive, reasons = ranker_scores(model, candidates, vectors, context, local)
    by_id = {r.video.video_id: r for r in feed}
    for c, i, p in zip(candidates, interest, productive, strict=True):
        assert by_id[c.video_id].interest_score == pytest.approx(i, abs=1e-12)
        assert by_id[c.video_id].productive_score == pytest.approx(p, abs=1e-12)

    # every card has reasons of its own, and the moment's activity is among them
    stored = [tuple(x.text for x in r.reasons) for r in feed]
    assert all(stored) and len(set(stored)) > len(feed) // 2
    assert any(" of Work in the last " in text for row in stored for text in row)
    # another moment (nothing on the computer) gives other reasons for the same videos
    idle = moment_context([], NOW, ZONE, {})
    _, _, idle_reasons = ranker_scores(model, candidates, vectors, idle, local)
    texts = [[x.text for x in row] for row in reasons]
    idle_texts = [[x.text for x in row] for row in idle_reasons]
    assert sum(a != b for a, b in zip(texts, idle_texts, strict=True)) > len(texts) // 2
