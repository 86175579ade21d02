"""When to train: enough labels (feedback clicks + labeller labels) added since the last
training, and the run config that trains with the configured preset.

The counts come from the caller: the labels now (one ``SELECT count(*)`` per table) and at the
last training (``labels_total`` of the newest ``champion_model`` materialization); no API calls,
so sensors and schedules may decide with this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LORA_ASSET = "trained_lora_adapter"  # the asset whose run config holds the preset


@dataclass(frozen=True, slots=True)
class TrainingTrigger:
    labels_now: int
    new_labels: int  # since the last training (or the last request for one)
    train: bool
    run_config: dict[str, Any] = field(default_factory=dict)  # empty when not training


def train_run_config(preset: str) -> dict[str, Any]:
    """Run config that trains with ``preset`` (``VRDNDI_TRAIN_PRESET``)."""
    return {"ops": {LORA_ASSET: {"config": {"preset": preset}}}}


def training_trigger(
    labels_now: int,
    labels_at_last_training: int,
    *,
    min_new_labels: int,
    preset: str,
    requested_at: int = 0,
) -> TrainingTrigger:
    """Train when at least ``min_new_labels`` labels arrived since the last training.

    ``requested_at``: the label count when a training was last requested (a sensor's cursor),
    so that a request still queued or running is not made again; labels count as new only
    above both. Fewer labels than before (rows deleted) are 0 new labels, not a negative count.
    """
    new = max(0, labels_now - max(labels_at_last_training, requested_at))
    train = new >= min_new_labels
    config = train_run_config(preset) if train else {}
    return TrainingTrigger(labels_now, new, train, config)
