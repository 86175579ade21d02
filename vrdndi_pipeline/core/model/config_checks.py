"""Validation of a ModelConfig (every problem found, each naming its field), and the typed
reading of its ``VRDNDI_TRAIN_*`` environment layer."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import fields
from typing import TYPE_CHECKING, Any, get_args, get_origin, get_type_hints

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


# --- the environment layer: VRDNDI_TRAIN_<FIELD> variables ---

ENV_PREFIX = "VRDNDI_TRAIN_"
SETTINGS_VARIABLES = frozenset({"VRDNDI_TRAIN_PRESET", "VRDNDI_TRAIN_MIN_NEW_LABELS"})
"""``VRDNDI_TRAIN_*`` variables that are settings (core/settings.py), never model fields."""

# Names other trainers (transformers' TrainingArguments, sentence-transformers) give our fields,
# so an unknown variable is answered with the field meant rather than a look-alike.
_TRAINER_NAMES = {
    "learning_rate": "lr",
    "num_train_epochs": "total_epoch",
    "epochs": "total_epoch",
    "per_device_train_batch_size": "batch_size",
    "train_batch_size": "batch_size",
    "gradient_accumulation_steps": "accumulation_steps",
    "max_grad_norm": "grad_clip_norm",
    "max_seq_length": "max_length",
    "logging_steps": "log_every_steps",
    "model_name_or_path": "model_name",
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_NONE = {"", "none", "null"}


def nearest_field(name: str, names: list[str]) -> str:
    """The field ``name`` most likely meant: a known trainer alias, else the closest spelling."""
    import difflib

    key = name.lower()
    if key in _TRAINER_NAMES:
        return _TRAINER_NAMES[key]
    return (difflib.get_close_matches(key, names, n=1, cutoff=0.0) or names[:1])[0]


def _yaml(text: str, expected: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        raise ValueError(expected) from None


def _parse(field_name: str, annotation: Any, text: str) -> Any:
    """``text`` as a value of the field's type; ValueError says what was expected."""
    args = get_args(annotation)
    raw = text.strip()
    if type(None) in args:
        if raw.lower() in _NONE:
            return None
        annotation = next(a for a in args if a is not type(None))
    if field_name == "lora_target_modules":
        if raw.startswith("["):
            expected = "'all-linear', a YAML list or comma-separated module names"
            value = _yaml(raw, expected)
            if not isinstance(value, list):
                raise ValueError(expected)
            return tuple(str(v) for v in value)
        if raw == "all-linear":
            return raw
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    if annotation is bool:
        if raw.lower() in _TRUE | _FALSE:
            return raw.lower() in _TRUE
        raise ValueError("true or false")
    if annotation is int:
        try:
            return int(raw)
        except ValueError:
            raise ValueError("an integer") from None
    if annotation is float:
        try:
            return float(raw)
        except ValueError:
            raise ValueError("a number") from None
    if get_origin(annotation) is dict:
        expected = "a YAML/JSON mapping such as {note: x}"
        value = _yaml(raw, expected) if raw else {}
        if not isinstance(value, dict):
            raise ValueError(expected)
        return value
    return raw


def env_overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """The model fields ``VRDNDI_TRAIN_*`` variables of ``environ`` set, typed.

    One variable per ModelConfig field, named after it in upper case; its text is parsed to the
    field's type (bools: true/false/1/0/yes/no; optional numbers: ``none`` for None; lists:
    comma-separated or YAML; mappings: YAML). The values are validated with the rest of the
    config (:class:`ConfigError` naming the field). A variable that is no field (other than
    :data:`SETTINGS_VARIABLES`) raises :class:`ConfigError` naming the nearest field.
    """
    from vrdndi_pipeline.core.model.config import ConfigError, ModelConfig

    hints = get_type_hints(ModelConfig)
    names = [f.name for f in fields(ModelConfig)]
    out: dict[str, Any] = {}
    problems: list[str] = []
    for variable in sorted(environ):
        if not variable.startswith(ENV_PREFIX) or variable in SETTINGS_VARIABLES:
            continue
        name = variable[len(ENV_PREFIX) :].lower()
        if name not in hints or variable != ENV_PREFIX + name.upper():
            nearest = nearest_field(name, names)
            problems.append(
                f"unknown variable {variable} (no ModelConfig field {name!r}; did you mean "
                f"{ENV_PREFIX}{nearest.upper()} for field {nearest!r}?)"
            )
            continue
        try:
            out[name] = _parse(name, hints[name], environ[variable])
        except ValueError as error:
            problems.append(f"{name} must be {error}, got {variable}={environ[variable]!r}")
    if problems:
        raise ConfigError("invalid VRDNDI_TRAIN_* environment: " + "; ".join(problems))
    return out
