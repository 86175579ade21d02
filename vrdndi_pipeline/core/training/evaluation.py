"""Metrics of a model on examples: precision, recall, F1 and ROC-AUC per head."""

from __future__ import annotations

from collections.abc import Sequence

from vrdndi_pipeline.core.model.batching import EncodedDataset
from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.model.hybrid_model import HybridProductiveModel
from vrdndi_pipeline.core.model.prediction import predict
from vrdndi_pipeline.core.training.metrics import HEADS, Evaluation, head_metrics


def evaluate_dataset(
    model: HybridProductiveModel, dataset: EncodedDataset, batch_size: int
) -> Evaluation:
    """Metrics per head over the rows labelled for it (a head without rows is None)."""
    pred = predict(model, dataset, batch_size)
    ignore = model.config.ignore_index
    heads = {}
    for head in HEADS:
        labels = [getattr(it, f"{head}_label") for it in dataset.items]
        rows = [i for i, label in enumerate(labels) if label != ignore]
        heads[head] = head_metrics(
            [labels[i] for i in rows],
            getattr(pred, f"{head}_prob")[rows].numpy(),
            getattr(pred, f"{head}_pred")[rows].numpy(),
        )
    return Evaluation(**heads)


def evaluate(model: HybridProductiveModel, examples: Sequence[TrainingExample]) -> Evaluation:
    """Precision, recall, F1 and ROC-AUC per head of ``model`` on ``examples``."""
    return evaluate_dataset(model, model.encode(examples), model.config.batch_size)
