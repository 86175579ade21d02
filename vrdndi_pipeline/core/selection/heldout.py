"""Held-out predictions of one model family over the rolling-origin folds.

A family is a ``fit_predict(train, test)`` function: it fits a fresh model on the training
examples of a fold and returns, for every test example, P(interested) and P(good time now).
Each test row keeps the probability of its own head.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.selection.folds import Fold
from vrdndi_pipeline.core.selection.scorecard import HELDOUT_COLUMNS

log = logging.getLogger(__name__)

HeadProbabilities = tuple[np.ndarray, np.ndarray]  # (P(interested), P(good time now)), (N,) each
FitPredict = Callable[[list[TrainingExample], list[TrainingExample]], HeadProbabilities]


def recipe_id(family: str, config: Mapping[str, Any]) -> str:
    """``"<family>:<12 hex>"``: the same family and configuration give the same id."""
    canonical = json.dumps(config, sort_keys=True, default=str)
    return f"{family}:{hashlib.sha256(canonical.encode('utf-8')).hexdigest()[:12]}"


def held_out_predictions(
    family: str,
    recipe: str,
    examples: Sequence[TrainingExample],
    folds: Sequence[Fold],
    fit_predict: FitPredict,
) -> pd.DataFrame:
    """One row per (fold, test example): the columns of :data:`HELDOUT_COLUMNS`."""
    records = []
    for fold in folds:
        started = time.perf_counter()
        train = [examples[i] for i in fold.train]
        test = [examples[i] for i in fold.test]
        interest, productive = fit_predict(train, test)
        for ex, p_interest, p_productive in zip(test, interest, productive, strict=True):
            records.append(
                {
                    "family": family,
                    "recipe": recipe,
                    "fold": fold.number,
                    "kind": "productive" if ex.is_productive else "interest",
                    "row_key": ex.key,
                    "label": int(ex.productive_label if ex.is_productive else ex.interest_label),  # type: ignore[arg-type]
                    "probability": float(p_productive if ex.is_productive else p_interest),
                }
            )
        log.info(
            "%s: fold %d/%d (%d train, %d test rows) in %.1f s",
            family,
            fold.number,
            len(folds),
            len(train),
            len(test),
            time.perf_counter() - started,
        )
    return pd.DataFrame.from_records(records, columns=HELDOUT_COLUMNS)


def baseline_fit_predict(seed: int = 42) -> FitPredict:
    """The context-free baseline (TF-IDF of the video text + duration, logistic regression)."""
    from vrdndi_pipeline.core.training.baseline import train_baseline

    def fit_predict(train: list[TrainingExample], test: list[TrainingExample]) -> HeadProbabilities:
        probabilities = train_baseline(train, seed=seed).predict_proba(test)
        return probabilities["interest"], probabilities["productive"]

    return fit_predict
