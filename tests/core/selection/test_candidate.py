"""A candidate family's run without MLflow or Dagster: held-out predictions on the folds, the
final model saved as the run's artifacts, its scorecard logged, its folder registered with the
family and recipe, and what the asset shows of it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from tests.core.ranker.test_ranker_model import synthetic_rows
from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.ranker.config import RankerConfig
from vrdndi_pipeline.core.ranker.model import RankerRow
from vrdndi_pipeline.core.ranker.training import RankerRecipe
from vrdndi_pipeline.core.selection.candidate import Candidate, SavedModel, train_candidate
from vrdndi_pipeline.core.selection.folds import Fold

START = datetime(2026, 10, 1, tzinfo=UTC)


class FakeRun:
    """A tracking run that keeps what is logged (the files of each artifact folder)."""

    run_id = "run-1"

    def __init__(self) -> None:
        self.metrics: list[tuple[dict[str, float | None], int]] = []
        self.artifacts: dict[str, list[str]] = {}

    def log_metrics(self, metrics: Mapping[str, float | None], step: int) -> None:
        self.metrics.append((dict(metrics), step))

    def log_artifacts(self, local_dir: str | Path, artifact_path: str) -> None:
        files = Path(local_dir).rglob("*")
        self.artifacts[artifact_path] = sorted(
            p.relative_to(local_dir).as_posix() for p in files if p.is_file()
        )


class FakeRegistry:
    """Registers every folder as version 5."""

    def __init__(self) -> None:
        self.registered: list[tuple[str, str, dict[str, str]]] = []

    def register_version(
        self, run_id: str, artifact_path: str, tags: Mapping[str, str] | None = None
    ) -> str:
        self.registered.append((run_id, artifact_path, dict(tags or {})))
        return "5"

    def name_run(self, run_id: str, version: str | None, family: str) -> str:
        return f"v{version} · {family} · {run_id}"


def examples_of(rows: list[RankerRow]) -> list[TrainingExample]:
    """The training examples of ranker rows (the same keys), productive ones an hour apart."""
    return [
        TrainingExample(
            f"v{i:010d}",
            "t",
            60.0,
            START + timedelta(hours=i) if row.productive_label is not None else None,
            (),
            row.interest_label,
            row.productive_label,
            key=row.key,
        )
        for i, row in enumerate(rows)
    ]


def two_folds(count: int) -> list[Fold]:
    third = count // 3
    return [
        Fold(1, tuple(range(third)), tuple(range(third, 2 * third))),
        Fold(2, tuple(range(2 * third)), tuple(range(2 * third, count))),
    ]


def _productive_examples(count: int) -> list[TrainingExample]:
    return [
        TrainingExample(
            f"v{i}", "t", 60.0, START + timedelta(hours=i), (), None, i % 2, key=f"p{i}"
        )
        for i in range(count)
    ]


def test_the_candidate_is_evaluated_then_trained_saved_logged_and_registered() -> None:
    calls: list[str] = []

    def fit_predict(train, test):  # an informative model: P(good time now) follows the label
        calls.append(f"fold of {len(train)}")
        labels = np.array([ex.productive_label for ex in test], dtype=float)
        return np.full(len(test), 0.5), 0.2 + 0.6 * labels

    def train_and_save(folder: Path, run_id: str) -> SavedModel:
        calls.append(f"final model in {run_id}")
        saved = folder / "toy"
        saved.mkdir()
        (saved / "weights.txt").write_text("w")
        return SavedModel(saved, 1.234, {"leaves": 3})

    toy = Candidate("toy", "toy:abc", "toy", fit_predict, train_and_save)
    examples, run, registry = _productive_examples(30), FakeRun(), FakeRegistry()

    result = train_candidate(toy, examples, two_folds(30), run, registry, resamples=100, seed=1)

    assert calls == ["fold of 10", "fold of 20", "final model in run-1"]
    assert run.artifacts == {"toy": ["weights.txt"]}
    assert registry.registered == [("run-1", "toy", {"family": "toy", "recipe": "toy:abc"})]
    [(metrics, step)] = run.metrics
    assert step == 0 and metrics["heldout.productive_roc_auc"] == pytest.approx(1.0)
    heldout = result.heldout
    assert len(heldout) == 20 and set(heldout["fold"]) == {1, 2}
    assert set(heldout["model_version"]) == {"5"} and set(heldout["mlflow_run_id"]) == {"run-1"}
    assert set(heldout["family"]) == {"toy"} and set(heldout["recipe"]) == {"toy:abc"}
    assert result.run_name == "v5 · toy · run-1"
    assert result.summary().startswith("toy v5: productive ROC-AUC 1.000 [")
    assert result.summary().endswith(" on 20 held-out clicks")
    metadata = result.metadata()
    assert list(metadata)[:6] == [
        "model_version",
        "mlflow_run_id",
        "mlflow_run_name",
        "family",
        "recipe",
        "heldout",
    ]
    assert metadata["heldout"]["productive"]["rows"] == 20
    assert metadata["train_seconds"] == 1.23 and metadata["leaves"] == 3


def test_a_failing_final_model_registers_nothing() -> None:
    def train_and_save(folder: Path, run_id: str) -> SavedModel:
        raise RuntimeError("out of memory")

    def fit_predict(train, test):
        return np.full(len(test), 0.5), np.full(len(test), 0.5)

    broken = Candidate("toy", "toy:abc", "toy", fit_predict, train_and_save)
    run, registry = FakeRun(), FakeRegistry()
    with pytest.raises(RuntimeError, match="out of memory"):
        train_candidate(
            broken, _productive_examples(30), two_folds(30), run, registry, resamples=100, seed=1
        )
    assert registry.registered == [] and run.metrics == [] and run.artifacts == {}


def test_the_ranker_recipe_names_its_run_and_registers_its_model_folder() -> None:
    rows = synthetic_rows(45, seed=2)
    config = RankerConfig(video_components=2, max_rounds=5, inner_folds=2)
    recipe = RankerRecipe(config, "all-MiniLM-L6-v2")
    other = RankerRecipe(config, "bge-m3")
    assert recipe.id.startswith("ranker:") and recipe.id != other.id  # the encoder counts
    assert recipe.run_name == f"ranker · {recipe.id.split(':')[1]}"
    assert recipe.params["recipe"] == recipe.id and recipe.params["max_rounds"] == 5
    assert recipe.params["encoder"] == "all-MiniLM-L6-v2"

    examples = examples_of(rows)
    run, registry = FakeRun(), FakeRegistry()
    by_key = {row.key: row for row in rows}
    result = train_candidate(
        recipe.candidate(by_key), examples, two_folds(len(examples)), run, registry,
        resamples=100, seed=1,
    )  # fmt: skip

    assert run.artifacts == {
        "ranker": ["arrays.safetensors", "productive_trees.txt", "ranker.json"]
    }
    assert registry.registered == [("run-1", "ranker", {"family": "ranker", "recipe": recipe.id})]
    metadata = result.metadata()
    assert metadata["encoder"] == "all-MiniLM-L6-v2" and metadata["features"] > 0
    assert 1 <= metadata["boosting_rounds"] <= 5
