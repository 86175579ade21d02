"""The ranker as a model family: its rows from the training tables, and ``fit_predict`` for the
rolling-origin evaluation."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from vrdndi_pipeline.core.model.examples import TrainingExample, interest_key, productive_key
from vrdndi_pipeline.core.ranker.config import RankerConfig
from vrdndi_pipeline.core.ranker.model import RankerRow, fit_ranker
from vrdndi_pipeline.core.selection.heldout import FitPredict, HeadProbabilities


class MissingEmbedding(ValueError):
    """A labelled video has no stored embedding (run ``video_embeddings`` first)."""


def _channel(value: Any) -> str | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def ranker_rows(
    interest_frame: pd.DataFrame | None,
    productive_frame: pd.DataFrame | None,
    video_vectors: Mapping[str, np.ndarray],
) -> dict[str, RankerRow]:
    """Ranker rows keyed like the :class:`TrainingExample` of the same table rows.

    ``productive_data``'s ``context_features`` column holds each click's named features."""
    rows: dict[str, RankerRow] = {}
    missing = set()
    for frame, kind in ((interest_frame, "interest"), (productive_frame, "productive")):
        if frame is None:
            continue
        for record in frame.to_dict("records"):
            vector = video_vectors.get(str(record["video_id"]))
            if vector is None:
                missing.add(str(record["video_id"]))
                continue
            if kind == "interest":
                key, features = interest_key(record), None
                interest, productive = int(record["interest_label"]), None
            else:
                key = productive_key(record)
                features = json.loads(record["context_features"])
                interest, productive = None, int(record["productive_label"])
            rows[key] = RankerRow(
                key=key,
                video_vector=vector,
                channel=_channel(record.get("channel_title")),
                features=features,
                interest_label=interest,
                productive_label=productive,
            )
    if missing:
        raise MissingEmbedding(
            f"{len(missing)} labelled videos have no embedding (e.g. {sorted(missing)[:3]}): "
            "materialize video_embeddings, then train again"
        )
    return rows


def predict_rows(model: Any, rows: Sequence[RankerRow]) -> HeadProbabilities:
    """P(interested) and P(good time now) for every row (each head scores every row)."""
    if not rows:
        return np.zeros(0), np.zeros(0)
    vectors = np.stack([r.video_vector for r in rows])
    interest = model.interest_probability(vectors, [r.channel for r in rows])
    productive = np.full(len(rows), np.nan)
    with_features = [i for i, r in enumerate(rows) if r.features is not None]
    if with_features:
        productive[with_features] = model.productive_probability(
            [rows[i].features for i in with_features], vectors[with_features]
        )
    return interest, productive


def ranker_fit_predict(config: RankerConfig, rows: Mapping[str, RankerRow]) -> FitPredict:
    """Fit a fresh ranker on a fold's training examples, predict its test examples."""

    def fit_predict(train: list[TrainingExample], test: list[TrainingExample]) -> HeadProbabilities:
        model = fit_ranker(config, [rows[ex.key] for ex in train])
        return predict_rows(model, [rows[ex.key] for ex in test])

    return fit_predict
