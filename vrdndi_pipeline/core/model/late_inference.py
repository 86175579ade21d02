"""Scoring with late fusion from cached video vectors: the backbone runs only for new videos.

``encode_video_vectors`` is the expensive tower (one backbone pass per video, batched by length
so short titles are not padded to ``max_length``); ``score_late`` is the cheap rest: one context
token per refresh, then a small fusion network and the heads for every video.
"""

from __future__ import annotations

from typing import Any, cast

import torch

from vrdndi_pipeline.core.model.batching import EncodedDataset
from vrdndi_pipeline.core.model.hybrid_model import HybridProductiveModel
from vrdndi_pipeline.core.model.runtime import configure_threads


def _require_late(model: HybridProductiveModel) -> None:
    if model.fusion is None:
        raise ValueError("this model uses early fusion: its video vectors depend on the context")


def encode_video_vectors(
    model: HybridProductiveModel, dataset: EncodedDataset, *, batch_size: int = 32
) -> torch.Tensor:
    """The pooled backbone vector of every row's text ``(n, H)``, in dataset order."""
    _require_late(model)
    configure_threads(model.config.num_threads)
    n = len(dataset)
    hidden = int(cast(Any, model.backbone).config.hidden_size)
    out = torch.zeros(n, hidden)
    if n == 0:
        return out
    pad = model.tokenizer.pad_token_id
    pad_id = int(pad) if pad is not None else 0
    order = sorted(range(n), key=lambda i: len(dataset.items[i].input_ids))  # length buckets
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for start in range(0, n, batch_size):
                rows = order[start : start + batch_size]
                lengths = [len(dataset.items[i].input_ids) for i in rows]
                ids = torch.full((len(rows), max(lengths)), pad_id, dtype=torch.long)
                mask = torch.zeros_like(ids)
                for j, i in enumerate(rows):
                    ids[j, : lengths[j]] = dataset.items[i].input_ids
                    mask[j, : lengths[j]] = 1
                vectors = model.video_vectors(ids.to(model.device), mask.to(model.device))
                out[torch.tensor(rows)] = vectors.float().cpu()
    finally:
        model.train(was_training)
    return out


def shared_context(dataset: EncodedDataset) -> tuple[torch.Tensor, torch.Tensor]:
    """The one context all rows of a feed dataset share: embeddings ``(N, E)``, features
    ``(N, F)`` (rows encoded by :func:`scoring.encode_candidates` share it)."""
    if not dataset.items:
        return dataset.event_table[:0], torch.zeros(0, 0)
    first = dataset.items[0]
    return dataset.event_table[first.event_index], first.event_features


def score_late(
    model: HybridProductiveModel,
    video_vectors: torch.Tensor,  # (n, H)
    conditions: torch.Tensor,  # (n, D)
    context_embeddings: torch.Tensor,  # (N, E)
    context_features: torch.Tensor,  # (N, F)
) -> tuple[list[float], list[float]]:
    """P(interested) (context-free, as in training) and P(right time now) per video."""
    _require_late(model)
    n = video_vectors.shape[0]
    if n == 0:
        return [], []
    was_training = model.training
    model.eval()
    device = model.device
    try:
        with torch.inference_mode():
            N = context_embeddings.shape[0]
            if N:
                context = model.context_token(
                    context_embeddings[None].to(device),
                    context_features[None].to(device),
                    torch.ones(1, N, dtype=torch.bool, device=device),
                )  # (1, H)
            else:
                context = video_vectors.new_zeros(1, video_vectors.shape[1]).to(device)
            vectors, cond = video_vectors.to(device), conditions.to(device)
            has = torch.full((n,), N > 0, dtype=torch.bool, device=device)
            productive = model.fused_logits(vectors, context, has, cond).productive
            interest = model.fused_logits(
                vectors, context, torch.zeros(n, dtype=torch.bool, device=device), cond
            ).interest
    finally:
        model.train(was_training)
    return (
        interest.float().softmax(-1)[:, 1].cpu().tolist(),
        productive.float().softmax(-1)[:, 1].cpu().tolist(),
    )
