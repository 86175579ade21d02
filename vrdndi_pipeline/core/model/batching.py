"""Examples → tensors (once per dataset) → padded batches.

Encoding is done once: the frozen event encoder's embeddings go into one table ``(U, E)`` of
distinct event texts, and each example keeps indices into it (a title that recurs in hundreds
of context windows is stored once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import torch
from torch.utils.data import Dataset

from vrdndi_pipeline.core.model.context_encoder import EventTextEncoder
from vrdndi_pipeline.core.model.context_features import (
    condition_features,
    context_window,
    event_features,
    event_text,
)
from vrdndi_pipeline.core.model.examples import TrainingExample

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

    from vrdndi_pipeline.core.model.config import ModelConfig


@dataclass(frozen=True, slots=True)
class EncodedExample:
    """One example as tensors; labels use ``ignore_index`` for "missing"."""

    input_ids: torch.Tensor  # (L,) long
    event_index: torch.Tensor  # (n,) long, rows of the dataset's event table
    event_features: torch.Tensor  # (n, F)
    condition: torch.Tensor  # (D,)
    interest_label: int
    productive_label: int
    is_productive: bool


class EncodedDataset(Dataset[EncodedExample]):
    """Encoded examples plus the event-embedding table ``(U, E)`` they index."""

    def __init__(self, items: list[EncodedExample], event_table: torch.Tensor) -> None:
        self.items = items
        self.event_table = event_table

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, index: int) -> EncodedExample:
        return self.items[index]


@dataclass(frozen=True, slots=True)
class ModelBatch:
    """A padded batch. ``T`` text tokens, ``N`` events (at least 1, padded)."""

    input_ids: torch.Tensor  # (B, T) long
    attention_mask: torch.Tensor  # (B, T) long
    event_embeddings: torch.Tensor  # (B, N, E)
    event_features: torch.Tensor  # (B, N, F)
    event_mask: torch.Tensor  # (B, N) bool
    condition: torch.Tensor  # (B, D)
    interest_labels: torch.Tensor  # (B,) long
    productive_labels: torch.Tensor  # (B,) long

    def to(self, device: torch.device | str) -> ModelBatch:
        return ModelBatch(**{f.name: getattr(self, f.name).to(device) for f in fields(self)})

    def inputs(self) -> dict[str, torch.Tensor]:
        """Keyword arguments of ``HybridProductiveModel.forward``."""
        names = (
            "input_ids",
            "attention_mask",
            "event_embeddings",
            "event_features",
            "event_mask",
            "condition",
        )
        return {name: getattr(self, name) for name in names}


def encode_examples(
    examples: Sequence[TrainingExample],
    tokenizer: PreTrainedTokenizerBase,
    event_encoder: EventTextEncoder,
    config: ModelConfig,
) -> EncodedDataset:
    """Tokenize texts (truncated to ``max_length``), window and embed contexts, set labels."""
    token_ids: list[list[int]] = []
    if examples:
        tokens: Any = tokenizer(
            [ex.text for ex in examples], truncation=True, max_length=config.max_length
        )["input_ids"]
        token_ids = [list(ids) for ids in tokens]
    texts: dict[str, int] = {}
    contexts: dict[tuple[int, Any, str], tuple[torch.Tensor, torch.Tensor]] = {}
    items = []
    for ex, ids in zip(examples, token_ids, strict=True):
        key = (id(ex.context), ex.moment, ex.timezone)  # candidates share one context object
        if key not in contexts:
            window = context_window(
                ex.context, ex.moment, config.context_hours, config.max_context_events
            )
            index = [texts.setdefault(event_text(e), len(texts)) for e in window]
            feats = event_features(
                window, ex.moment, ex.timezone, config.context_hours, config.num_in_feature
            )
            contexts[key] = (torch.tensor(index, dtype=torch.long), feats)
        index_t, feats = contexts[key]
        items.append(
            EncodedExample(
                input_ids=torch.tensor(ids, dtype=torch.long),
                event_index=index_t,
                event_features=feats,
                condition=condition_features(ex.video_duration_s, config.cond_dim),
                interest_label=_or_ignore(ex.interest_label, config.ignore_index),
                productive_label=_or_ignore(ex.productive_label, config.ignore_index),
                is_productive=ex.is_productive,
            )
        )
    table = event_encoder.embed(list(texts))  # (U, E)
    return EncodedDataset(items, table)


def _or_ignore(label: int | None, ignore_index: int) -> int:
    return ignore_index if label is None else label


class Collator:
    """Pads a list of :class:`EncodedExample` into a :class:`ModelBatch` (right padding)."""

    def __init__(self, event_table: torch.Tensor, pad_token_id: int) -> None:
        self.event_table = event_table  # (U, E)
        self.pad_token_id = pad_token_id

    def __call__(self, items: Sequence[EncodedExample]) -> ModelBatch:
        B = len(items)
        T = max(len(it.input_ids) for it in items)
        N = max(1, max(len(it.event_index) for it in items))
        E = self.event_table.shape[1]
        F = items[0].event_features.shape[1]
        input_ids = torch.full((B, T), self.pad_token_id, dtype=torch.long)
        attention_mask = torch.zeros(B, T, dtype=torch.long)
        event_embeddings = torch.zeros(B, N, E)
        event_features = torch.zeros(B, N, F)
        event_mask = torch.zeros(B, N, dtype=torch.bool)
        for i, it in enumerate(items):
            L, n = len(it.input_ids), len(it.event_index)
            input_ids[i, :L] = it.input_ids
            attention_mask[i, :L] = 1
            if n:
                event_embeddings[i, :n] = self.event_table[it.event_index]
                event_features[i, :n] = it.event_features
                event_mask[i, :n] = True
        return ModelBatch(
            input_ids=input_ids,
            attention_mask=attention_mask,
            event_embeddings=event_embeddings,
            event_features=event_features,
            event_mask=event_mask,
            condition=torch.stack([it.condition for it in items]),
            interest_labels=torch.tensor([it.interest_label for it in items], dtype=torch.long),
            productive_labels=torch.tensor([it.productive_label for it in items], dtype=torch.long),
        )
