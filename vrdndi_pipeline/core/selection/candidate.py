"""A candidate model family's run: held-out predictions on the rolling-origin folds (a fresh
model per fold), the model trained on every row and saved, its scorecard logged, and its folder
registered as a version tagged with the family and recipe.

A family (the ranker, the LoRA model) is given as a :class:`Candidate`: its recipe, the
``fit_predict`` of the folds and ``train_and_save`` on every row. How its run is named and what
it logs as params comes with the family's recipe (``RankerRecipe``, ``LoraRecipe``), known
before the run starts.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.selection.folds import Fold
from vrdndi_pipeline.core.selection.heldout import FitPredict, held_out_predictions
from vrdndi_pipeline.core.selection.scorecard import Scorecard, scorecard
from vrdndi_pipeline.core.selection.version_tags import FAMILY_TAG, RECIPE_TAG


class CandidateRun(Protocol):
    """The tracking run a candidate logs to (``RunHandle`` is one)."""

    @property
    def run_id(self) -> str: ...

    def log_metrics(self, metrics: Mapping[str, float | None], step: int) -> None: ...

    def log_artifacts(self, local_dir: str | Path, artifact_path: str) -> None: ...


class CandidateRegistry(Protocol):
    """Where a candidate's model becomes a version (``MlflowTracking`` is one)."""

    def register_version(
        self, run_id: str, artifact_path: str, tags: Mapping[str, str] | None = None
    ) -> str: ...

    def name_run(self, run_id: str, version: str | None, family: str) -> str: ...


@dataclass(frozen=True, slots=True)
class SavedModel:
    """A model trained on every row, written to ``folder``."""

    folder: Path
    seconds: float  # training time
    metadata: dict[str, Any]  # what the family adds to its asset's metadata


@dataclass(frozen=True, slots=True)
class Candidate:
    family: str  # "ranker", "lora"
    recipe: str  # the family and configuration (`heldout.recipe_id`)
    artifact_path: str  # the run's folder that is registered
    fit_predict: FitPredict  # one fold: a fresh model on its training rows
    train_and_save: Callable[[Path, str], SavedModel]  # (a folder to write in, the run id)


@dataclass(frozen=True, slots=True)
class CandidateResult:
    family: str
    recipe: str
    version: str
    run_id: str
    run_name: str
    heldout: pd.DataFrame  # held-out predictions with `model_version` and `mlflow_run_id`
    card: Scorecard
    evaluation_seconds: float
    saved: SavedModel

    def summary(self) -> str:
        """``ranker v3: productive ROC-AUC 0.812 [0.74, 0.87] on 80 held-out clicks``."""
        head = self.card.productive
        auc = head.roc_auc if head is not None else None
        return (
            f"{self.family} v{self.version}: productive ROC-AUC "
            f"{auc.text() if auc is not None else 'n/a'} on "
            f"{head.rows if head is not None else 0} held-out clicks"
        )

    def metadata(self) -> dict[str, Any]:
        """The candidate asset's metadata (the family's own entries last)."""
        return {
            "model_version": self.version,
            "mlflow_run_id": self.run_id,
            "mlflow_run_name": self.run_name,
            "family": self.family,
            "recipe": self.recipe,
            "heldout": self.card.to_dict(),
            "evaluation_seconds": round(self.evaluation_seconds, 2),
            "train_seconds": round(self.saved.seconds, 2),
            **self.saved.metadata,
        }


def train_candidate(
    candidate: Candidate,
    examples: Sequence[TrainingExample],
    folds: Sequence[Fold],
    run: CandidateRun,
    registry: CandidateRegistry,
    *,
    resamples: int,
    seed: int,
) -> CandidateResult:
    """Evaluate ``candidate`` on ``folds``, train it on every example and save it as
    ``run``'s artifacts, log its held-out scorecard (bootstrap ``resamples``, ``seed``),
    register the folder in ``registry`` and name the run after the version."""
    family, recipe = candidate.family, candidate.recipe
    started = time.perf_counter()
    heldout = held_out_predictions(family, recipe, examples, folds, candidate.fit_predict)
    evaluation_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        saved = candidate.train_and_save(Path(folder), run.run_id)
        run.log_artifacts(saved.folder, candidate.artifact_path)
    card = scorecard(heldout, family, resamples=resamples, seed=seed)
    run.log_metrics(card.metrics(), step=0)
    version = registry.register_version(
        run.run_id, candidate.artifact_path, tags={FAMILY_TAG: family, RECIPE_TAG: recipe}
    )
    return CandidateResult(
        family=family,
        recipe=recipe,
        version=version,
        run_id=run.run_id,
        run_name=registry.name_run(run.run_id, version, family),  # the version is known now
        heldout=heldout.assign(model_version=version, mlflow_run_id=run.run_id),
        card=card,
        evaluation_seconds=evaluation_seconds,
        saved=saved,
    )
