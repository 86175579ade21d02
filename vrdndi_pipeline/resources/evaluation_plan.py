"""The rolling-origin evaluation every candidate family is scored on, shared by the training
assets and `champion_model` so that all of them use the same folds."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg
from pydantic import Field

from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.selection.folds import Fold, rolling_origin_folds


class EvaluationPlan(dg.ConfigurableResource):
    """How candidates are evaluated: time-ordered folds over the newest clicks."""

    folds: int = Field(default=4, ge=2, description="Test blocks over the newest clicks.")
    test_share: float = Field(
        default=0.5, gt=0, lt=1, description="Share of the clicks (the newest) that is tested."
    )
    seed: int = Field(default=42, description="Seed of the interest folds and the bootstrap.")
    resamples: int = Field(default=1000, ge=100, description="Bootstrap resamples per interval.")

    def folds_for(self, examples: Sequence[TrainingExample]) -> list[Fold]:
        return rolling_origin_folds(examples, self.folds, self.test_share, self.seed)
