"""The weighted sampler that mixes interest and productive rows in the configured ratio."""

from __future__ import annotations

import logging

import torch
from torch.utils.data import WeightedRandomSampler

from vrdndi_pipeline.core.model.batching import EncodedDataset
from vrdndi_pipeline.core.model.config import ModelConfig

log = logging.getLogger(__name__)


def row_weights(
    is_productive: list[bool], interest_ratio: float, productive_ratio: float
) -> torch.Tensor:
    """Sampling weight per row so that a draw is productive with ``productive_ratio``.

    A kind with no rows gives its share to the other; if the ratios leave every row at
    weight 0 (e.g. ratio 1 for a kind with no rows), rows are drawn uniformly (logged).
    """
    n_p = sum(is_productive)
    n_i = len(is_productive) - n_p
    w_p = productive_ratio / n_p if n_p else 0.0
    w_i = interest_ratio / n_i if n_i else 0.0
    weights = torch.tensor([w_p if p else w_i for p in is_productive], dtype=torch.double)
    if len(weights) and float(weights.sum()) == 0.0:
        log.warning(
            "sampler ratios select no rows (%d productive, %d interest): sampling uniformly",
            n_p,
            n_i,
        )
        weights = torch.ones(len(is_productive), dtype=torch.double)
    return weights  # (n,)


def make_sampler(
    dataset: EncodedDataset, config: ModelConfig, generator: torch.Generator
) -> WeightedRandomSampler:
    """``len(dataset)`` draws with replacement per epoch, reproducible through ``generator``."""
    weights = row_weights(
        [item.is_productive for item in dataset.items],
        config.sampler_interest_ratio,
        config.sampler_productive_ratio,
    )
    return WeightedRandomSampler(
        weights.tolist(), num_samples=len(dataset), replacement=True, generator=generator
    )
