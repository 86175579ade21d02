"""Behavioural tests: how the trained model's scores must move when only the context changes.

The bundled all-MiniLM-L6-v2 backbone and event encoder are trained on a small synthetic rule:
technical videos are "correct timing" during programming and "not now" during gaming; game
videos the reverse. Neither the video nor the context alone predicts the label.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

import pytest

from tests.harness.model_support import START, activity, minilm_config, synthetic_examples
from vrdndi_pipeline.core.model.adapter_files import save_adapter
from vrdndi_pipeline.core.model.hybrid_model import HybridProductiveModel
from vrdndi_pipeline.core.model.inference import score_videos
from vrdndi_pipeline.core.records import Video
from vrdndi_pipeline.core.training.trainer import Trainer

pytestmark = pytest.mark.slow

MOMENT = START + timedelta(days=40, hours=3)
ZONE = "Europe/Berlin"


def _video(video_id: str, title: str, channel: str) -> Video:
    return Video(video_id, title, channel_title=channel, description="a video", duration_s=900)


TECH = [
    _video("tech0000001", "Rust async explained", "Code Aesthetic"),
    _video("tech0000002", "Debugging memory leaks in C++", "CppCon"),  # unseen
]
GAMES = [
    _video("game0000001", "Minecraft speedrun world record", "Dream"),
    _video("game0000002", "Speedrunning Super Mario 64", "GameGrumps"),  # unseen
]
WORK = activity("work", MOMENT, random.Random(99))
PLAY = activity("play", MOMENT, random.Random(98))


@pytest.fixture(scope="module")
def model() -> HybridProductiveModel:
    config = minilm_config(
        total_epoch=10, batch_size=16, sampler_productive_ratio=0.75, sampler_interest_ratio=0.25
    )
    rows = synthetic_examples(64, 16)
    productive = [r for r in rows if r.is_productive]
    interest = [r for r in rows if not r.is_productive]
    model = HybridProductiveModel.from_config(config)  # real sentence encoder for the events
    Trainer(config, model, productive[:54] + interest[:12], productive[54:] + interest[12:]).fit()
    return model


def productive(model: HybridProductiveModel, videos: list[Video], context: tuple) -> list[float]:
    return [s.productive for s in score_videos(model, videos, MOMENT, context, ZONE)]


def test_programming_context_makes_technical_videos_the_right_timing(
    model: HybridProductiveModel,
) -> None:
    at_work, at_play = productive(model, TECH, WORK), productive(model, TECH, PLAY)
    for work, play in zip(at_work, at_play, strict=True):
        assert work > play + 0.3, (at_work, at_play)


def test_gaming_context_makes_game_videos_the_right_timing(model: HybridProductiveModel) -> None:
    at_work, at_play = productive(model, GAMES, WORK), productive(model, GAMES, PLAY)
    for work, play in zip(at_work, at_play, strict=True):
        assert play > work + 0.3, (at_work, at_play)


def test_interest_does_not_depend_on_the_context(model: HybridProductiveModel) -> None:
    videos = TECH + GAMES
    at_work = [s.interest for s in score_videos(model, videos, MOMENT, WORK, ZONE)]
    at_play = [s.interest for s in score_videos(model, videos, MOMENT, PLAY, ZONE)]
    assert at_work == at_play
    assert at_work[0] > 0.5 > at_work[2]  # learnt: technical interesting, games not


def test_activity_outside_the_window_is_ignored(model: HybridProductiveModel) -> None:
    stale = tuple(
        e.__class__(
            e.timestamp - timedelta(hours=12), e.duration_s, e.app, e.title, e.url, e.category
        )
        for e in WORK
    )
    assert productive(model, TECH, stale) == productive(model, TECH, ())


def test_saved_adapter_scores_identically_from_its_path(
    model: HybridProductiveModel, tmp_path: Path
) -> None:
    folder = save_adapter(model, tmp_path / "champion")
    videos = TECH + GAMES
    assert score_videos(folder, videos, MOMENT, WORK, ZONE) == score_videos(
        model, videos, MOMENT, WORK, ZONE
    )
