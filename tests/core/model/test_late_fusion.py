"""fusion='late': trains and scores like 'early' does, and cached video vectors give the same
scores as scoring from scratch."""

import random
from datetime import datetime
from pathlib import Path

import pytest
import torch

from tests.harness.model_support import (
    HashEncoder,
    activity,
    synthetic_examples,
    tiny_config,
    tiny_model,
)
from vrdndi_pipeline.core.model.adapter_files import load_adapter, read_metadata, save_adapter
from vrdndi_pipeline.core.model.config import ConfigError
from vrdndi_pipeline.core.model.inference import candidate_examples, score_videos
from vrdndi_pipeline.core.model.late_inference import (
    encode_video_vectors,
    score_late,
    shared_context,
)
from vrdndi_pipeline.core.records import Video
from vrdndi_pipeline.core.training.trainer import Trainer

MOMENT = datetime.fromisoformat("2026-11-02T15:00:00+00:00")
ZONE = "Europe/Berlin"
TITLES = ["Rust async explained", "Minecraft speedrun", "Cooking pasta", "A", "Linear algebra"]
VIDEOS = [
    Video(
        f"vid0000000{i}",
        t * (1 + i % 3),
        channel_title="Chan",
        description="desc" * i,
        duration_s=60 * (i + 1),
    )
    for i, t in enumerate(TITLES)
]
EVENTS = activity("work", MOMENT, random.Random(3))


def _trained(fusion: str):
    config = tiny_config(total_epoch=2, fusion=fusion)
    model = tiny_model(config)
    rows = synthetic_examples(16, 8)
    result = Trainer(config, model, rows[:12] + rows[16:20], rows[12:16] + rows[20:]).fit()
    return model, result


def test_fusion_is_validated():
    with pytest.raises(ConfigError, match="fusion must be one of early, late"):
        tiny_config(fusion="middle")


@pytest.mark.parametrize("fusion", ["early", "late"])
def test_both_fusions_train_save_and_score(tmp_path: Path, fusion: str):
    model, result = _trained(fusion)
    assert result.best_epoch >= 1
    assert (model.fusion is not None) == (fusion == "late")
    before = score_videos(model, VIDEOS, MOMENT, EVENTS, ZONE)
    folder = save_adapter(model, tmp_path / "adapter")
    assert (
        read_metadata(folder)
        and '"fusion": "' + fusion + '"' in (folder / "config.json").read_text()
    )
    loaded = load_adapter(folder, event_encoder=HashEncoder())
    assert loaded.config.fusion == fusion
    assert score_videos(loaded, VIDEOS, MOMENT, EVENTS, ZONE) == before


def test_late_fusion_context_changes_timing_not_interest():
    model, _ = _trained("late")
    work = score_videos(model, VIDEOS, MOMENT, EVENTS, ZONE)
    play = score_videos(model, VIDEOS, MOMENT, activity("play", MOMENT, random.Random(4)), ZONE)
    assert [s.interest for s in work] == pytest.approx([s.interest for s in play], abs=1e-6)
    assert [s.productive for s in work] != pytest.approx([s.productive for s in play], abs=1e-4)


def test_cached_vectors_score_exactly_like_scoring_from_scratch():
    model, _ = _trained("late")
    dataset = model.encode(candidate_examples(VIDEOS, MOMENT, EVENTS, ZONE))
    vectors = encode_video_vectors(model, dataset, batch_size=2)  # mixed lengths per batch
    # the vector of a video does not depend on its batch or the other rows
    alone = encode_video_vectors(
        model, model.encode(candidate_examples(VIDEOS[3:4], MOMENT, EVENTS, ZONE))
    )
    assert torch.allclose(vectors[3], alone[0], atol=1e-5)
    conditions = torch.stack([it.condition for it in dataset.items])
    interest, productive = score_late(model, vectors, conditions, *shared_context(dataset))
    scratch = score_videos(model, VIDEOS, MOMENT, EVENTS, ZONE)
    assert interest == pytest.approx([s.interest for s in scratch], abs=1e-5)
    assert productive == pytest.approx([s.productive for s in scratch], abs=1e-5)


def test_early_fusion_has_no_video_vectors():
    model = tiny_model(tiny_config())
    dataset = model.encode(candidate_examples(VIDEOS, MOMENT, EVENTS, ZONE))
    with pytest.raises(ValueError, match="early fusion"):
        encode_video_vectors(model, dataset)
