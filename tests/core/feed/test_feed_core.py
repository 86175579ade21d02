"""The feed's pure parts: refresh times, combined score, diversity, encoded-input files."""

import ast
import json
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import numpy as np
import pytest
import torch

from tests.harness.paths import REPO_ROOT
from vrdndi_pipeline.core.feed.candidates import summarize_context
from vrdndi_pipeline.core.feed.inference_tensors import (
    CURRENT_FILE,
    TENSORS_FILE,
    InferenceTensorsError,
    new_generation,
    read_generation,
    remove_old_generations,
    without_context,
    write_generation,
)
from vrdndi_pipeline.core.feed.ranking import (
    ScoredCandidate,
    channel_share,
    combined_score,
    diversify,
)
from vrdndi_pipeline.core.feed.refresh_times import interval_crons, refresh_minutes
from vrdndi_pipeline.core.model.batching import EncodedDataset, EncodedExample
from vrdndi_pipeline.core.model.context_features import ContextEvent
from vrdndi_pipeline.core.records import Video
from vrdndi_pipeline.core.settings import load_settings, system_timezone

NOW = datetime(2026, 11, 15, tzinfo=UTC)


def test_refresh_ticks_every_45_minutes_from_8_to_4_59():
    ticks = refresh_minutes(time(8, 0), time(4, 59), 45)
    assert len(ticks) == 28
    assert ticks[0] == 8 * 60 and ticks[-1] == 4 * 60 + 15  # 04:15 is the last before 04:59
    assert all((b - a) % 1440 == 45 for a, b in zip(ticks, ticks[1:], strict=False))
    assert not any(5 * 60 <= t < 8 * 60 for t in ticks)  # asleep 05:00-07:59


def test_interval_crons_cover_exactly_the_ticks():
    crons = interval_crons()
    covered = set()
    for cron in crons:
        minutes, hours, *rest = cron.split()
        assert rest == ["*", "*", "*"]
        covered |= {int(h) * 60 + int(m) for m in minutes.split(",") for h in hours.split(",")}
    assert covered == set(refresh_minutes(time(8, 0), time(4, 59), 45))
    assert interval_crons(time(9, 0), time(17, 0), 60) == ["0 9,10,11,12,13,14,15,16,17 * * *"]


def test_combined_score_needs_interest_and_timing():
    assert combined_score(0.9, 0.9) > combined_score(0.99, 0.2)  # AND, not OR
    assert combined_score(0.8, 0.5) > combined_score(0.7, 0.5)
    assert combined_score(0.5, 0.8) > combined_score(0.5, 0.7)
    assert combined_score(0.9, 0.1, interest_weight=1.0) == pytest.approx(0.9)
    assert combined_score(0.9, 0.1, interest_weight=0.0) == pytest.approx(0.1)
    with pytest.raises(ValueError):
        combined_score(0.5, 0.5, interest_weight=1.5)


def _scored(i: int, channel: str, score: float) -> ScoredCandidate:
    video = Video(
        video_id=f"vid{i:08d}",
        title=f"video {i}",
        channel_id=channel,
        channel_title=channel,
        duration_s=600,
        published_at=NOW - timedelta(hours=i),
    )
    return ScoredCandidate(video, score, score, score)


def test_channel_cap_keeps_one_channel_from_filling_a_page():
    # one prolific channel holds the 30 best scores
    items = [_scored(i, "loud", 0.99 - i * 0.001) for i in range(30)]
    items += [_scored(100 + i, f"quiet{i % 10}", 0.5 - i * 0.001) for i in range(40)]
    by_score = diversify(items, rule="none")
    assert channel_share(by_score, 21) == 21
    ranked = diversify(items, rule="channel_cap", max_per_channel=3, page_size=21)
    assert sorted(i.video.video_id for i in ranked) == sorted(
        i.video.video_id for i in items
    )  # nothing dropped
    first_page = ranked[:21]
    assert sum(i.video.channel_id == "loud" for i in first_page) == 3
    assert first_page[0].video.video_id == "vid00000000"  # the best still comes first
    assert channel_share(ranked[:42], 21) == 3  # page 3 runs out of other channels
    assert diversify(list(reversed(items))) == ranked  # deterministic, order-independent


def test_the_page_size_and_the_channel_cap_are_defined_once():
    """Every ``page_size`` / ``max_per_channel`` default of the feed's ranking and site names
    the constant of ``core/feed/page.py`` (changing it there changes them all, see
    test_feed_site's channel-cap test); no other module assigns the constants."""
    homes = {"page_size": "PAGE_SIZE", "max_per_channel": "MAX_PER_CHANNEL", "size": "PAGE_SIZE"}
    root = REPO_ROOT
    defaults, assigned = [], []
    for path in sorted([*root.glob("vrdndi_pipeline/**/*.py"), *root.glob("vrdndi_ui/**/*.py")]):
        where = str(path.relative_to(root))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = {t.id for t in targets if isinstance(t, ast.Name)}
                assigned += [(where, n) for n in names & {"PAGE_SIZE", "MAX_PER_CHANNEL"}]
            if not where.startswith(("vrdndi_pipeline/core/feed/", "vrdndi_ui/feed/")):
                continue
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                pairs = [(node.target.id, node.value)]
            elif isinstance(node, ast.FunctionDef):
                args = node.args.args + node.args.kwonlyargs
                values = [None] * (len(node.args.args) - len(node.args.defaults))
                values += [*node.args.defaults, *node.args.kw_defaults]
                pairs = [(a.arg, v) for a, v in zip(args, values, strict=True)]
            else:
                continue
            for name, value in pairs:
                if name in homes and value is not None:
                    defaults.append((where, name, ast.unparse(value)))
    assert sorted(assigned) == [
        ("vrdndi_pipeline/core/feed/page.py", "MAX_PER_CHANNEL"),
        ("vrdndi_pipeline/core/feed/page.py", "PAGE_SIZE"),
    ]
    assert len(defaults) >= 6  # FeedOrder, diversify, mmr_order, channel_share, FeedStore.page
    assert [d for d in defaults if d[2] != homes[d[1]]] == []


def test_channel_cap_with_a_single_channel_keeps_every_video():
    items = [_scored(i, "only", 1 - i / 10) for i in range(10)]
    assert [i.video.video_id for i in diversify(items, max_per_channel=2)] == [
        i.video.video_id for i in diversify(items, rule="none")
    ]


def _dataset(rows: int, events: int) -> EncodedDataset:
    g = torch.Generator().manual_seed(rows)
    index = torch.arange(events, dtype=torch.long)
    feats = torch.randn(events, 6, generator=g)
    items = [
        EncodedExample(
            input_ids=torch.randint(0, 1000, (5 + i % 7,), generator=g),
            event_index=index,
            event_features=feats,
            condition=torch.randn(4, generator=g),
            interest_label=-100,
            productive_label=-100,
            is_productive=False,
        )
        for i in range(rows)
    ]
    return EncodedDataset(items, torch.randn(events, 8, generator=g))


def test_generation_round_trips_exactly_and_is_not_pickle(tmp_path):
    dataset = _dataset(12, 5)
    ids = [f"v{i:010d}" for i in range(12)]
    generation = new_generation(NOW)
    folder = write_generation(tmp_path, generation, ids, dataset, {"moment": NOW.isoformat()})
    assert (tmp_path / CURRENT_FILE).read_text().strip() == generation
    raw = (folder / TENSORS_FILE).read_bytes()
    header_len = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + header_len])  # a safetensors header, plain JSON
    assert header["input_ids"]["dtype"] == "I64" and b"\x80\x04" not in raw[:2]
    back = read_generation(tmp_path)
    assert back.video_ids == ids and back.manifest["moment"] == NOW.isoformat()
    assert back.dataset is not None and torch.equal(back.dataset.event_table, dataset.event_table)
    for a, b in zip(back.dataset.items, dataset.items, strict=True):
        assert torch.equal(a.input_ids, b.input_ids)
        assert torch.equal(a.event_index, b.event_index)
        assert torch.equal(a.event_features, b.event_features)
        assert torch.equal(a.condition, b.condition)
    bare = without_context(back.dataset)
    assert all(len(it.event_index) == 0 for it in bare.items)
    assert torch.equal(bare.items[3].input_ids, dataset.items[3].input_ids)


def test_damaged_tensors_are_refused_with_the_fix(tmp_path):
    folder = write_generation(tmp_path, new_generation(NOW), ["a" * 11], _dataset(1, 2), {})
    path = folder / TENSORS_FILE
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(InferenceTensorsError, match="does not match its manifest.*run encoded"):
        read_generation(tmp_path)
    with pytest.raises(InferenceTensorsError, match="materialize encoded_inference_tensors"):
        read_generation(tmp_path / "empty")


def test_cold_start_generation_holds_ids_only(tmp_path):
    write_generation(tmp_path, new_generation(NOW), ["b" * 11], None, {"model_version": None})
    back = read_generation(tmp_path)
    assert back.dataset is None and back.video_ids == ["b" * 11]
    assert not (back.folder / TENSORS_FILE).exists()


def test_retention_keeps_the_newest_and_the_current(tmp_path):
    names = []
    for hours in range(5):
        name = new_generation(NOW + timedelta(hours=hours))
        write_generation(tmp_path, name, [], None, {})
        names.append(name)
    (tmp_path / ".tmp-crashed").mkdir()  # an interrupted write, old
    old = (NOW - timedelta(days=1)).timestamp()
    import os

    os.utime(tmp_path / ".tmp-crashed", (old, old))
    (tmp_path / ".tmp-fresh").mkdir()  # maybe a write in progress: left alone
    removed = remove_old_generations(tmp_path, keep=2)
    assert set(removed) == set(names[:3]) | {".tmp-crashed"}
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([*names[3:], CURRENT_FILE, ".tmp-fresh"])
    # CURRENT is never removed, even when it is not among the newest
    (tmp_path / CURRENT_FILE).write_text(names[3])
    write_generation(tmp_path, new_generation(NOW + timedelta(hours=9)), [], None, {})
    (tmp_path / CURRENT_FILE).write_text(names[3])
    write_generation(tmp_path, new_generation(NOW + timedelta(hours=10)), [], None, {})
    (tmp_path / CURRENT_FILE).write_text(names[3])
    remove_old_generations(tmp_path, keep=1)
    assert (tmp_path / names[3]).is_dir()


def test_context_summary_names_the_dominant_activity():
    events = [
        ContextEvent(NOW - timedelta(hours=2), 3600, "code", "x.py", None, ("Work", "Programming")),
        ContextEvent(NOW - timedelta(hours=1), 1200, "firefox", "yt", None, ("Media", "Video")),
    ]
    assert summarize_context(events, 6) == (
        "1.3 h active in the last 6 h, mostly Work > Programming"
    )
    assert summarize_context([], 6) == "no computer activity in the last 6 h"


def test_timezone_settings_resolve_to_an_iana_name(tmp_path):
    assert load_settings({"VRDNDI_TIMEZONE": "Asia/Tokyo"}).user_timezone == "Asia/Tokyo"
    assert system_timezone({"TZ": "America/New_York"}, etc=tmp_path) == "America/New_York"
    (tmp_path / "timezone").write_text("Europe/Lisbon\n")
    assert system_timezone({}, etc=tmp_path) == "Europe/Lisbon"
    assert system_timezone({"TZ": "Not/AZone"}, etc=tmp_path / "none") == "UTC"
    from vrdndi_pipeline.demo.anchor import TIMEZONE as DEMO_DATA_ZONE

    demo = load_settings({"VRDNDI_SOURCES": "demo"})
    assert demo.user_timezone == DEMO_DATA_ZONE == "Europe/Berlin"  # the zone the data was made in


def test_fixed_clock_and_schedule_settings_are_validated():
    from vrdndi_pipeline.core.settings import SettingsError

    settings = load_settings(
        {"VRDNDI_NOW": "2026-11-15T00:00:00Z", "VRDNDI_FEED_REFRESH_CRON": "0 9 * * *; 0 18 * * *"}
    )
    assert settings.now == NOW and settings.feed_refresh_cron == ("0 9 * * *", "0 18 * * *")
    with pytest.raises(SettingsError, match="UTC offset"):
        load_settings({"VRDNDI_NOW": "2026-11-15T00:00:00"})
    with pytest.raises(SettingsError, match="positive number"):
        load_settings({"VRDNDI_TRAIN_MIN_NEW_LABELS": "0"})


def _unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_mmr_brings_a_different_video_onto_the_page_and_drops_none():
    from vrdndi_pipeline.core.feed.diversity import intra_list_similarity

    # three near-copies of one topic score best; a different topic scores a little lower
    items = [_scored(i, f"ch{i}", 0.9 - i * 0.01) for i in range(3)]
    items += [_scored(3, "ch3", 0.8), _scored(4, "ch4", 0.5)]
    vectors = {
        "vid00000000": _unit(1, 0, 0),
        "vid00000001": _unit(1, 0.05, 0),
        "vid00000002": _unit(1, 0, 0.05),
        "vid00000003": _unit(0, 1, 0),
        "vid00000004": _unit(0, 0, 1),
    }
    by_score = diversify(items, rule="mmr", vectors=vectors, relevance_weight=1.0, page_size=3)
    mixed = diversify(items, rule="mmr", vectors=vectors, relevance_weight=0.8, page_size=3)
    ids = [i.video.video_id for i in mixed]
    assert [i.video.video_id for i in by_score][:3] == [f"vid0000000{k}" for k in range(3)]
    assert ids[:2] == ["vid00000000", "vid00000003"] and sorted(ids) == sorted(vectors)
    page = lambda ranked: [vectors[i.video.video_id] for i in ranked[:3]]  # noqa: E731
    assert intra_list_similarity(page(mixed)) < intra_list_similarity(page(by_score))
    # λ = 1 is exactly the channel cap, and a video without an embedding is similar to nothing
    assert by_score == diversify(items, rule="channel_cap", page_size=3)
    assert diversify(items, rule="mmr", vectors={}, relevance_weight=0.5) == diversify(items)


def test_exploration_propensities_are_the_probabilities_the_slots_were_filled_with():
    from vrdndi_pipeline.core.feed.exploration import place_with_exploration

    n, share, runs = 5, 0.3, 4000
    first = Counter(place_with_exploration(n, share, seed)[0].index for seed in range(runs))
    logged = {
        p.index: p.propensity
        for seed in range(50)
        for p in place_with_exploration(n, share, seed)[:1]
    }
    for index, propensity in logged.items():
        assert abs(first[index] / runs - propensity) < 0.03  # what was logged is what happened
    assert logged[0] == pytest.approx(0.7 + 0.3 / 5)
    plain = place_with_exploration(n, 0.0, 1)
    assert [p.index for p in plain] == list(range(n)) and {p.propensity for p in plain} == {1.0}
    assert not any(p.explored for p in plain)
    assert [p.index for p in place_with_exploration(n, share, 7)] == [
        p.index for p in place_with_exploration(n, share, 7)
    ]  # seeded by the generation: a refresh is repeatable


def test_an_explored_card_says_so_first_and_keeps_at_most_three_reasons():
    from vrdndi_pipeline.core.feed.ranking import FeedOrder, order_feed
    from vrdndi_pipeline.core.feed.reasons import Reason

    items = [
        _scored(i, f"ch{i}", 1 - i / 100).with_reasons(
            *(Reason("video", f"r{i}-{k}", 1.0 + k) for k in range(5))
        )
        for i in range(40)
    ]
    feed = order_feed(items, FeedOrder(exploration_share=0.3), generation="g-1")
    assert len(feed) == 40 and all(0 < len(i.reasons) <= 3 for i in feed)
    explored = [i for i in feed if i.explored]
    assert explored and all(i.reasons[0].kind == "explore" for i in explored)
    assert all(i.reasons[0].text.endswith("-4") for i in feed if not i.explored)  # strongest
    assert all(0 < i.propensity <= 1 for i in feed)
