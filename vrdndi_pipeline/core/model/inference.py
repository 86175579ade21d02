"""Score candidate videos for one moment and its computer-activity context."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from vrdndi_pipeline.core.model.batching import EncodedDataset
from vrdndi_pipeline.core.model.context_features import ContextEvent
from vrdndi_pipeline.core.model.examples import TrainingExample, video_example
from vrdndi_pipeline.core.model.hybrid_model import HybridProductiveModel
from vrdndi_pipeline.core.model.prediction import predict
from vrdndi_pipeline.core.model.runtime import configure_threads
from vrdndi_pipeline.core.records import Video


@dataclass(frozen=True, slots=True)
class VideoScore:
    """P(class 1) of each head: ``interest`` = interested, ``productive`` = right time now."""

    video_id: str
    interest: float
    productive: float


def score_videos(
    model_or_path: HybridProductiveModel | str | os.PathLike[str],
    videos: Sequence[Video],
    moment: datetime,
    context_events: Sequence[ContextEvent],
    timezone: str,
    *,
    batch_size: int = 32,
    interest_without_context: bool = True,
) -> list[VideoScore]:
    """Scores of ``videos`` (same order) at ``moment`` (tz-aware) after ``context_events``.

    ``model_or_path`` is a trained model or an adapter folder (loaded with
    :func:`adapter_files.load_adapter`; load once and pass the model when scoring repeatedly).
    The context is windowed exactly as in training (``context_hours`` before ``moment``, the
    ``max_context_events`` most recent) and ``timezone`` (IANA) gives the local time of day.
    Runs in eval mode, float32, under ``torch.inference_mode``; the model is not changed.

    The interest head learnt from rows without context (likes, labels), so by default its
    score comes from a second, context-free pass; ``interest_without_context=False`` takes it
    from the same pass as the productive score (half the work).
    """
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    if batch_size < 1:
        raise ValueError("batch_size must be positive")
    if isinstance(model_or_path, HybridProductiveModel):
        model = model_or_path
    else:
        from vrdndi_pipeline.core.model.adapter_files import load_adapter

        model = load_adapter(model_or_path)
    if not videos:
        return []
    configure_threads(model.config.num_threads)
    dataset = model.encode(candidate_examples(videos, moment, context_events, timezone))
    interest_dataset = (
        model.encode(candidate_examples(videos, None, (), timezone))
        if interest_without_context
        else None
    )
    interest, productive = score_encoded(model, dataset, interest_dataset, batch_size=batch_size)
    return [
        VideoScore(video_id=v.video_id, interest=i, productive=p)
        for v, i, p in zip(videos, interest, productive, strict=True)
    ]


def score_encoded(
    model: HybridProductiveModel,
    dataset: EncodedDataset,
    interest_dataset: EncodedDataset | None = None,
    *,
    batch_size: int = 32,
) -> tuple[list[float], list[float]]:
    """P(interested) and P(good time now) per row of ``dataset`` (already encoded, e.g. read
    back from ``encoded_inference_tensors``). The interest score comes from
    ``interest_dataset`` (the same rows without context) when given."""
    interest, productive, _ = score_with_context_effect(
        model, dataset, interest_dataset, batch_size=batch_size
    )
    return interest, productive


def score_with_context_effect(
    model: HybridProductiveModel,
    dataset: EncodedDataset,
    interest_dataset: EncodedDataset | None = None,
    *,
    batch_size: int = 32,
) -> tuple[list[float], list[float], list[float] | None]:
    """:func:`score_encoded` and, when ``interest_dataset`` (the rows without context) is
    given, P(good time now) without the context token too: what the moment adds to a video."""
    with_context = predict(model, dataset, batch_size)
    interest, without = with_context.interest_prob, None
    if interest_dataset is not None:
        if len(interest_dataset) != len(dataset):
            raise ValueError("interest_dataset must hold the same rows as dataset")
        context_free = predict(model, interest_dataset, batch_size)
        interest, without = context_free.interest_prob, context_free.productive_prob.tolist()
    return interest.tolist(), with_context.productive_prob.tolist(), without


def encode_candidates(
    adapter_folder: str | os.PathLike[str],
    videos: Sequence[Video],
    moment: datetime,
    context_events: Sequence[ContextEvent],
    timezone: str,
) -> EncodedDataset:
    """The inputs of :func:`score_encoded` for the adapter in ``adapter_folder``, built with
    its tokenizer and event encoder only: the backbone is not loaded."""

    from transformers import AutoTokenizer

    from vrdndi_pipeline.core.model.adapter_files import read_config
    from vrdndi_pipeline.core.model.backbone import resolve_model_path
    from vrdndi_pipeline.core.model.batching import encode_examples
    from vrdndi_pipeline.core.model.context_encoder import shared_context_encoder

    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    config = read_config(adapter_folder)
    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path(config.model_name))
    encoder = shared_context_encoder(config.event_encoder_name)
    return encode_examples(
        candidate_examples(videos, moment, context_events, timezone), tokenizer, encoder, config
    )


def candidate_examples(
    videos: Sequence[Video],
    moment: datetime | None,
    events: Sequence[ContextEvent],
    timezone: str,
) -> list[TrainingExample]:
    """Unlabelled examples of ``videos`` at ``moment`` after ``events`` (shared context)."""
    context = tuple(events)  # one object for all videos: windowed and embedded once
    return [video_example(v, moment, context, timezone) for v in videos]
