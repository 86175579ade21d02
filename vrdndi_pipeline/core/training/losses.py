"""Class-weighted, label-smoothed cross-entropy per head, and their weighted sum."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import torch
from torch.nn import functional as F

from vrdndi_pipeline.core.model.config import ModelConfig


class LossParts(NamedTuple):
    total: torch.Tensor  # () interest_loss_weight * interest + productive_loss_weight * productive
    interest: torch.Tensor  # ()
    productive: torch.Tensor  # ()


def class_weights(labels: Iterable[int], num_classes: int, ignore_index: int) -> torch.Tensor:
    """Balanced weights ``n / (k * n_c)`` over the k classes present; absent classes get 1."""
    counts = torch.zeros(num_classes)
    for label in labels:
        if label != ignore_index:
            counts[label] += 1
    present = counts > 0
    weights = torch.ones(num_classes)
    if present.any():
        weights[present] = counts.sum() / (present.sum() * counts[present])
    return weights  # (K,)


def head_loss(
    logits: torch.Tensor,
    labels: torch.Tensor,
    *,
    weight: torch.Tensor | None,
    ignore_index: int,
    label_smoothing: float,
) -> torch.Tensor:
    """Mean cross-entropy over labelled rows of ``logits (B, K)``; 0 (not NaN) when none are.

    The zero keeps the graph (``logits.sum() * 0``) so backward works on any batch.
    """
    if not bool((labels != ignore_index).any()):
        return logits.sum() * 0.0
    return F.cross_entropy(
        logits.float(),
        labels,
        weight=None if weight is None else weight.to(logits.device),
        ignore_index=ignore_index,
        label_smoothing=label_smoothing,
    )


class HybridLoss:
    """``interest_loss_weight · L_interest + productive_loss_weight · L_productive``."""

    def __init__(
        self,
        config: ModelConfig,
        interest_weights: torch.Tensor | None = None,
        productive_weights: torch.Tensor | None = None,
    ) -> None:
        self.config = config
        self.interest_weights = interest_weights
        self.productive_weights = productive_weights

    def __call__(
        self,
        interest_logits: torch.Tensor,
        productive_logits: torch.Tensor,
        interest_labels: torch.Tensor,
        productive_labels: torch.Tensor,
    ) -> LossParts:
        c = self.config
        interest = head_loss(
            interest_logits,
            interest_labels,
            weight=self.interest_weights,
            ignore_index=c.ignore_index,
            label_smoothing=c.interest_label_smooth,
        )
        productive = head_loss(
            productive_logits,
            productive_labels,
            weight=self.productive_weights,
            ignore_index=c.ignore_index,
            label_smoothing=c.productive_label_smooth,
        )
        total = c.interest_loss_weight * interest + c.productive_loss_weight * productive
        return LossParts(total, interest, productive)
