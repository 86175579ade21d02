"""vrdndi's model: HybridProductiveModel, its config, training, adapter files and scoring.

Names are imported lazily (PEP 562), so ``import vrdndi_pipeline.core.model`` costs nothing and
loads no model; torch, transformers, peft and sentence-transformers load when first needed.

Typical use::

    config = build_config("cpu-small", {"total_epoch": 4})
    run = run_training(config, examples_from_frames(interest_df, productive_df))
    save_adapter(run.model, "data/adapters/<run-id>", metrics=run.metrics())
    scores = score_videos("data/adapters/<run-id>", videos, moment, events, "Europe/Berlin")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "adapter_files": ("load_adapter", "read_config", "read_metadata", "save_adapter"),
    "baseline": ("BaselineModel", "evaluate_baseline", "train_baseline"),
    "config": ("BUNDLED_MINILM", "ConfigError", "ModelConfig", "config_field_help"),
    "context_encoder": ("ContextEncoder", "EventTextEncoder", "shared_context_encoder"),
    "context_features": ("ContextEvent", "event_text", "parse_context_events"),
    "examples": (
        "LABEL_MEANINGS",
        "TrainingExample",
        "examples_from_frames",
        "video_example",
        "video_text",
    ),
    "hybrid_model": ("HeadLogits", "HybridProductiveModel"),
    "metrics": ("EmaTracker", "Evaluation", "HeadMetrics", "choose_epoch", "weighted_f1"),
    "presets": ("DEFAULT_PRESET", "build_config", "load_preset", "merged"),
    "runtime": ("configure_threads", "pick_device", "seed_everything"),
    "scoring": (
        "VideoScore",
        "candidate_examples",
        "encode_candidates",
        "score_encoded",
        "score_videos",
        "score_with_context_effect",
    ),
    "splits": ("DataSplit", "NotEnoughData", "split_examples"),
    "evaluation": ("evaluate",),
    "training": ("EpochReport", "Trainer", "TrainingResult"),
    "training_run": ("TrainingRun", "run_training"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = [
    "BUNDLED_MINILM",
    "BaselineModel",
    "ConfigError",
    "ContextEncoder",
    "ContextEvent",
    "DEFAULT_PRESET",
    "DataSplit",
    "EmaTracker",
    "EpochReport",
    "Evaluation",
    "EventTextEncoder",
    "HeadLogits",
    "HeadMetrics",
    "HybridProductiveModel",
    "LABEL_MEANINGS",
    "ModelConfig",
    "NotEnoughData",
    "Trainer",
    "TrainingExample",
    "TrainingResult",
    "TrainingRun",
    "VideoScore",
    "build_config",
    "candidate_examples",
    "choose_epoch",
    "config_field_help",
    "configure_threads",
    "evaluate",
    "evaluate_baseline",
    "event_text",
    "encode_candidates",
    "examples_from_frames",
    "load_adapter",
    "load_preset",
    "merged",
    "parse_context_events",
    "pick_device",
    "read_config",
    "read_metadata",
    "run_training",
    "save_adapter",
    "score_encoded",
    "score_videos",
    "score_with_context_effect",
    "seed_everything",
    "shared_context_encoder",
    "split_examples",
    "train_baseline",
    "video_example",
    "video_text",
    "weighted_f1",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from vrdndi_pipeline.core.model.adapter_files import (
        load_adapter,
        read_config,
        read_metadata,
        save_adapter,
    )
    from vrdndi_pipeline.core.model.baseline import BaselineModel, evaluate_baseline, train_baseline
    from vrdndi_pipeline.core.model.config import (
        BUNDLED_MINILM,
        ConfigError,
        ModelConfig,
        config_field_help,
    )
    from vrdndi_pipeline.core.model.context_encoder import (
        ContextEncoder,
        EventTextEncoder,
        shared_context_encoder,
    )
    from vrdndi_pipeline.core.model.context_features import (
        ContextEvent,
        event_text,
        parse_context_events,
    )
    from vrdndi_pipeline.core.model.evaluation import evaluate
    from vrdndi_pipeline.core.model.examples import (
        LABEL_MEANINGS,
        TrainingExample,
        examples_from_frames,
        video_example,
    )
    from vrdndi_pipeline.core.model.hybrid_model import HeadLogits, HybridProductiveModel
    from vrdndi_pipeline.core.model.metrics import (
        EmaTracker,
        Evaluation,
        HeadMetrics,
        choose_epoch,
        weighted_f1,
    )
    from vrdndi_pipeline.core.model.presets import DEFAULT_PRESET, build_config, load_preset, merged
    from vrdndi_pipeline.core.model.runtime import configure_threads, pick_device, seed_everything
    from vrdndi_pipeline.core.model.scoring import (
        VideoScore,
        candidate_examples,
        encode_candidates,
        score_encoded,
        score_videos,
        score_with_context_effect,
    )
    from vrdndi_pipeline.core.model.splits import (
        DataSplit,
        NotEnoughData,
        split_examples,
    )
    from vrdndi_pipeline.core.model.training import EpochReport, Trainer, TrainingResult
    from vrdndi_pipeline.core.model.training_run import TrainingRun, run_training
    from vrdndi_pipeline.core.records import video_text
