"""Class probabilities of both heads for an encoded dataset (eval mode, float32, no grad)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.utils.data import DataLoader

from vrdndi_pipeline.core.model.batching import EncodedDataset
from vrdndi_pipeline.core.model.hybrid_model import HybridProductiveModel


@dataclass(frozen=True, slots=True)
class Predictions:
    """Per row, in dataset order: P(class 1) and the arg-max class of each head."""

    interest_prob: torch.Tensor  # (n,)
    productive_prob: torch.Tensor  # (n,)
    interest_pred: torch.Tensor  # (n,) long
    productive_pred: torch.Tensor  # (n,) long


def predict(model: HybridProductiveModel, dataset: EncodedDataset, batch_size: int) -> Predictions:
    """Run ``model`` over ``dataset`` in order under ``torch.inference_mode`` in eval mode.

    The model's train/eval mode is restored afterwards.
    """
    was_training = model.training
    model.eval()
    device = model.device
    loader = DataLoader(
        dataset, batch_size=batch_size, shuffle=False, collate_fn=model.collator(dataset)
    )
    parts: dict[str, list[torch.Tensor]] = {"ip": [], "pp": [], "ic": [], "pc": []}
    try:
        with torch.inference_mode():
            for batch in loader:
                logits = model(**batch.to(device).inputs())
                interest = logits.interest.float().softmax(dim=-1)  # (B, Ki)
                productive = logits.productive.float().softmax(dim=-1)  # (B, Kp)
                parts["ip"].append(interest[:, 1].cpu())
                parts["pp"].append(productive[:, 1].cpu())
                parts["ic"].append(interest.argmax(dim=-1).cpu())
                parts["pc"].append(productive.argmax(dim=-1).cpu())
    finally:
        model.train(was_training)

    def cat(key: str, dtype: torch.dtype) -> torch.Tensor:
        return torch.cat(parts[key]) if parts[key] else torch.zeros(0, dtype=dtype)

    return Predictions(
        interest_prob=cat("ip", torch.float32),
        productive_prob=cat("pp", torch.float32),
        interest_pred=cat("ic", torch.long),
        productive_pred=cat("pc", torch.long),
    )
