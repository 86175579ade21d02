"""Validation of a ModelConfig: every problem found, each naming its field."""

from __future__ import annotations

import math
from dataclasses import fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from vrdndi_pipeline.core.model.config import ModelConfig

DEVICES = ("auto", "cpu", "cuda", "mps")
MAX_NUM_IN_FEATURE = 6  # see context_features.EVENT_FEATURE_NAMES
MAX_COND_DIM = 4  # see context_features.CONDITION_FEATURE_NAMES


FUSIONS = ("early", "late")


def config_problems(c: ModelConfig) -> list[str]:
    """Every problem of ``c``, each naming its field; empty when the config is valid."""
    p: list[str] = []

    def number(name: str, *, integer: bool = False) -> float | None:
        value = getattr(c, name)
        ok = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok or (not integer and not math.isfinite(value)):
            p.append(
                f"{name} must be {'an integer' if integer else 'a finite number'}, got {value!r}"
            )
            return None
        return float(value)

    def check(name: str, cond: Any, text: str, *, integer: bool = False) -> None:
        value = number(name, integer=integer)
        if value is not None and not cond(value):
            p.append(f"{name} must be {text}, got {getattr(c, name)!r}")

    if c.fusion not in FUSIONS:
        p.append(f"fusion must be one of {', '.join(FUSIONS)}, got {c.fusion!r}")
    for name in ("model_name", "event_encoder_name"):
        if not isinstance(getattr(c, name), str) or not getattr(c, name).strip():
            p.append(f"{name} must be a non-empty string")
    for name in ("compile_model", "use_lora"):
        if not isinstance(getattr(c, name), bool):
            p.append(f"{name} must be true or false, got {getattr(c, name)!r}")
    number("seed", integer=True)
    for name in (
        "batch_size",
        "total_epoch",
        "lora_rank",
        "lora_alpha",
        "num_out_feature",
        "accumulation_steps",
        "log_every_steps",
        "max_context_events",
        "min_rows_per_kind",
    ):
        check(name, lambda v: v >= 1, "a positive integer", integer=True)
    check("max_length", lambda v: v >= 4, "at least 4 (tokens)", integer=True)
    check("probe_epochs", lambda v: v >= 0, "an integer >= 0", integer=True)
    check(
        "num_in_feature",
        lambda v: 1 <= v <= MAX_NUM_IN_FEATURE,
        f"between 1 and {MAX_NUM_IN_FEATURE}",
        integer=True,
    )
    check(
        "cond_dim", lambda v: 1 <= v <= MAX_COND_DIM, f"between 1 and {MAX_COND_DIM}", integer=True
    )
    for name in ("productive_out_feature", "interest_out_feature"):
        check(name, lambda v: v >= 2, "at least 2 (labels are 0 and 1)", integer=True)
    check("ignore_index", lambda v: v < 0, "negative (it must never equal a class)", integer=True)
    check("lr", lambda v: v > 0, "positive")
    check("context_hours", lambda v: v > 0, "positive")
    for name in ("weight_decay", "productive_loss_weight", "interest_loss_weight"):
        check(name, lambda v: v >= 0, "non-negative")
    for name in (
        "productive_output_layer_dropout",
        "interest_output_layer_dropout",
        "lora_dropout",
        "interest_label_smooth",
        "productive_label_smooth",
        "warmup_ratio",
        "holdout_fraction",
    ):
        check(name, lambda v: 0 <= v < 1, "in [0, 1)")
    for name in ("ema_productive_weight", "sampler_interest_ratio", "sampler_productive_ratio"):
        check(name, lambda v: 0 <= v <= 1, "in [0, 1]")
    check("ema_alpha", lambda v: 0 < v <= 1, "in (0, 1]")
    check("val_fraction", lambda v: 0 < v < 1, "in (0, 1)")
    if not p:
        if c.productive_loss_weight == 0 and c.interest_loss_weight == 0:
            p.append("productive_loss_weight and interest_loss_weight cannot both be 0")
        if not math.isclose(
            c.sampler_interest_ratio + c.sampler_productive_ratio, 1.0, abs_tol=1e-6
        ):
            p.append(
                "sampler_interest_ratio + sampler_productive_ratio must be 1, got "
                f"{c.sampler_interest_ratio} + {c.sampler_productive_ratio}"
            )
        if c.val_fraction + c.holdout_fraction >= 1:
            p.append("val_fraction + holdout_fraction must be below 1")
    if c.grad_clip_norm is not None:
        check("grad_clip_norm", lambda v: v > 0, "positive or None")
    if c.early_stopping_patience is not None:
        check(
            "early_stopping_patience", lambda v: v >= 1, "a positive integer or None", integer=True
        )
    if c.num_threads is not None:
        check("num_threads", lambda v: v >= 1, "a positive integer or None", integer=True)
    if c.device not in DEVICES:
        p.append(f"device must be one of {', '.join(DEVICES)}, got {c.device!r}")
    targets = c.lora_target_modules
    if isinstance(targets, str):
        if targets != "all-linear":
            p.append(
                f"lora_target_modules must be 'all-linear' or a list of module names, got {targets!r}"
            )
    elif not targets or not all(isinstance(t, str) and t for t in targets):
        p.append("lora_target_modules must be 'all-linear' or a non-empty list of module names")
    if not isinstance(c.wandb_config, dict) or not all(isinstance(k, str) for k in c.wandb_config):
        p.append("wandb_config must be a mapping with string keys")
    else:
        names = {f.name for f in fields(c)}
        for key, value in c.wandb_config.items():
            if key in names:
                p.append(f"wandb_config key {key!r} is a config field (fields are logged already)")
            elif value is not None and not isinstance(value, str | int | float | bool):
                p.append(f"wandb_config[{key!r}] must be a string, number, bool or null")
    return p
