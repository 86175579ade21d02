"""The ranker as a model family: its rows from the training tables, ``fit_predict`` for the
rolling-origin evaluation, and the ranker as a candidate run (:class:`RankerRecipe`)."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from vrdndi_pipeline.core.model.examples import TrainingExample, interest_key, productive_key
from vrdndi_pipeline.core.ranker.config import RankerConfig
from vrdndi_pipeline.core.ranker.model import FAMILY, RankerRow, fit_ranker
from vrdndi_pipeline.core.selection.candidate import Candidate, SavedModel
from vrdndi_pipeline.core.selection.heldout import FitPredict, HeadProbabilities, recipe_id


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


@dataclass(frozen=True, slots=True)
class RankerRecipe:
    """The ranker as a candidate run: its configuration and the text encoder of its video
    vectors (a different encoder is a different recipe)."""

    config: RankerConfig
    encoder: str

    @property
    def id(self) -> str:
        return recipe_id(FAMILY, {**self.config.to_dict(), "encoder": self.encoder})

    @property
    def run_name(self) -> str:
        """``ranker · 1a2b3c4d5e6f`` until the version is known."""
        return f"{FAMILY} · {self.id.split(':')[1]}"

    @property
    def params(self) -> dict[str, Any]:
        return {**self.config.to_dict(), "encoder": self.encoder, "recipe": self.id}

    def candidate(self, rows: Mapping[str, RankerRow]) -> Candidate:
        """Evaluated and trained on ``rows`` (:func:`ranker_rows` of the training tables)."""
        recipe = self.id

        def train_and_save(folder: Path, run_id: str) -> SavedModel:  # noqa: ARG001
            started = time.perf_counter()
            model = fit_ranker(self.config, list(rows.values()))
            seconds = time.perf_counter() - started
            saved = model.save(folder / FAMILY, extra={"encoder": self.encoder, "recipe": recipe})
            metadata = {
                "boosting_rounds": model.rounds,
                "features": len(model.spec.columns()) if model.spec else 0,
                "encoder": self.encoder,
            }
            return SavedModel(saved, seconds, metadata)

        return Candidate(
            family=FAMILY,
            recipe=recipe,
            artifact_path=FAMILY,
            fit_predict=ranker_fit_predict(self.config, rows),
            train_and_save=train_and_save,
        )
