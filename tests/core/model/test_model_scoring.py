"""Adapter files round-trip exactly; score_videos' contract."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from tests.harness.model_support import (
    HashEncoder,
    activity,
    synthetic_examples,
    tiny_config,
    tiny_model,
)
from vrdndi_pipeline.core.model.adapter_files import load_adapter, read_metadata, save_adapter
from vrdndi_pipeline.core.model.examples import LABEL_MEANINGS
from vrdndi_pipeline.core.model.hybrid_model import HybridProductiveModel
from vrdndi_pipeline.core.model.inference import score_videos
from vrdndi_pipeline.core.records import Video
from vrdndi_pipeline.core.training.trainer import Trainer

MOMENT = datetime.fromisoformat("2026-11-02T15:00:00+00:00")
VIDEOS = [
    Video("vid00000001", "Rust async explained", channel_title="Code Aesthetic",
          description="a video", duration_s=900),
    Video("vid00000002", "Minecraft speedrun world record", channel_title="Dream"),
    Video("vid00000003", "Cooking pasta", description="quick dinner", duration_s=45),
]  # fmt: skip
EVENTS = activity("work", MOMENT, random.Random(3))


def trained(**overrides: object) -> HybridProductiveModel:
    config = tiny_config(total_epoch=1, **overrides)
    model = tiny_model(config)
    rows = synthetic_examples(12, 6)
    Trainer(config, model, rows[:9] + rows[12:15], rows[9:12] + rows[15:]).fit()
    return model


@pytest.mark.parametrize("use_lora", [True, False])
def test_saved_adapter_scores_exactly_like_the_trained_model(
    tmp_path: Path, use_lora: bool
) -> None:
    model = trained(use_lora=use_lora)
    before = score_videos(model, VIDEOS, MOMENT, EVENTS, "Europe/Berlin")
    folder = save_adapter(model, tmp_path / "adapter-1", metrics={"val_productive_f1": 0.5})
    loaded = load_adapter(folder, event_encoder=HashEncoder())
    after = score_videos(loaded, VIDEOS, MOMENT, EVENTS, "Europe/Berlin")
    assert after == before  # identical floats
    dataset = model.encode(synthetic_examples(4, 2))
    inputs = model.collator(dataset)(dataset.items).inputs()
    with torch.inference_mode():
        assert torch.equal(model(**inputs).productive, loaded(**inputs).productive)
    assert not loaded.training and not any(p.requires_grad for p in loaded.parameters())


@pytest.mark.parametrize("fusion", ["early", "late"])
def test_merged_lora_scores_like_the_adapter(tmp_path: Path, fusion: str) -> None:
    model = trained(fusion=fusion)
    with torch.no_grad():  # a trained-looking LoRA: B is zero at init, so merging would be a no-op
        for name, p in model.backbone.named_parameters():
            if "lora_B" in name:
                p.add_(torch.randn_like(p) * 0.05)
    folder = save_adapter(model, tmp_path / "adapter")
    plain = load_adapter(folder, event_encoder=HashEncoder())
    merged = load_adapter(folder, event_encoder=HashEncoder(), merge_lora=True)
    assert not any("lora" in n for n, _ in merged.backbone.named_modules())
    assert any("lora" in n for n, _ in plain.backbone.named_modules())
    a = score_videos(plain, VIDEOS, MOMENT, EVENTS, "Europe/Berlin")
    b = score_videos(merged, VIDEOS, MOMENT, EVENTS, "Europe/Berlin")
    for x, y in zip(a, b, strict=True):
        assert x.productive == pytest.approx(y.productive, abs=1e-5)
        assert x.interest == pytest.approx(y.interest, abs=1e-5)
    base = load_adapter(folder, event_encoder=HashEncoder())  # without the LoRA: other scores
    for name, p in base.backbone.named_parameters():
        if "lora_B" in name:
            p.zero_()
    c = score_videos(base, VIDEOS, MOMENT, EVENTS, "Europe/Berlin")
    assert max(abs(x.productive - z.productive) for x, z in zip(a, c, strict=True)) > 1e-4


def test_adapter_folder_layout(tmp_path: Path) -> None:
    model = trained()
    folder = save_adapter(
        model, tmp_path / "a", metrics={"val_productive_f1": 0.5}, extra_metadata={"run_id": "r1"}
    )
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert {"adapter/adapter_model.safetensors", "adapter/adapter_config.json", "heads.safetensors",
            "config.json", "metadata.json"} <= names  # fmt: skip
    assert not [n for n in names if n.endswith((".bin", ".pt", ".pth", ".pkl", ".pickle"))]
    assert json.loads((folder / "config.json").read_text()) == model.config.to_dict()
    meta = read_metadata(folder)
    assert meta["metrics"] == {"val_productive_f1": 0.5} and meta["run_id"] == "r1"
    assert meta["label_meanings"] == json.loads(json.dumps(LABEL_MEANINGS))
    assert meta["versions"]["torch"] and meta["event_feature_names"] == [
        "log_duration",
        "tod_sin",
        "tod_cos",
    ]
    heads = load_file(str(folder / "heads.safetensors"))
    assert heads and not any(k.startswith("backbone.") for k in heads)
    with pytest.raises(FileExistsError):
        save_adapter(model, folder)
    save_adapter(model, folder, overwrite=True)
    assert not list(tmp_path.glob(".a*"))  # no temporary folders left


def test_score_videos_contract() -> None:
    model = trained()
    scores = score_videos(model, VIDEOS, MOMENT, EVENTS, "Europe/Berlin", batch_size=2)
    assert [s.video_id for s in scores] == [v.video_id for v in VIDEOS]
    assert all(0.0 <= s.interest <= 1.0 and 0.0 <= s.productive <= 1.0 for s in scores)
    assert score_videos(model, [], MOMENT, EVENTS, "UTC") == []
    # interest is context-free: the activity does not move it
    other = score_videos(
        model, VIDEOS, MOMENT, activity("play", MOMENT, random.Random(4)), "Europe/Berlin"
    )
    assert [s.interest for s in other] == [s.interest for s in scores]
    # a batch of one gives the same numbers (to float tolerance) as a batch of three
    single = score_videos(model, VIDEOS[:1], MOMENT, EVENTS, "Europe/Berlin")[0]
    assert single.productive == pytest.approx(scores[0].productive, abs=1e-5)
    model.train()
    score_videos(model, VIDEOS, MOMENT, EVENTS, "Europe/Berlin")
    assert model.training  # mode restored
    with pytest.raises(ValueError, match="timezone-aware"):
        score_videos(model, VIDEOS, MOMENT.replace(tzinfo=None), EVENTS, "UTC")


def test_events_after_the_moment_or_before_the_window_do_not_count() -> None:
    model = trained()
    base = score_videos(model, VIDEOS, MOMENT, (), "UTC")
    future = tuple(activity("work", MOMENT + timedelta(hours=4), random.Random(5)))
    old = tuple(activity("work", MOMENT - timedelta(hours=10), random.Random(6)))
    assert score_videos(model, VIDEOS, MOMENT, future + old, "UTC") == base
