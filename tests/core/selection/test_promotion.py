"""Promotion without MLflow or Dagster: a selection on canned held-out predictions applied to an
in-memory registry that implements the `ModelRegistry` protocol (as `MlflowTracking` does)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import vrdndi_pipeline.core.selection.promotion as promotion
import vrdndi_pipeline.core.selection.selection as selection
from vrdndi_pipeline.core.selection.champion_rule import BASELINE
from vrdndi_pipeline.core.selection.promotion import promote
from vrdndi_pipeline.core.selection.selection import CHAMPION, SelectionResult, select_champion

AT = datetime(2026, 10, 1, 9, tzinfo=UTC)
VERSIONS = {"ranker": "7", "lora": "8"}


def _frame(family: str, signal: float, seed: int, rows: int = 120) -> pd.DataFrame:
    """Held-out predictions whose productive ROC-AUC grows with ``signal`` (same labels for all)."""
    labels = np.random.default_rng(100).integers(0, 2, rows)
    noise = np.random.default_rng(seed).normal(size=rows)
    return pd.DataFrame(
        {
            "family": family,
            "recipe": f"{family}:{seed}",
            "fold": [1 + i % 3 for i in range(rows)],
            "kind": "productive",
            "row_key": [f"productive:{i}" for i in range(rows)],
            "label": labels,
            "probability": 1 / (1 + np.exp(-(signal * (2 * labels - 1) + noise))),
            "model_version": VERSIONS.get(family, ""),
            "mlflow_run_id": f"run-{family}",
        }
    )


@dataclass(frozen=True)
class _Version:
    version: str
    family: str


class InMemoryRegistry:
    """The registry operations of `ModelRegistry`, kept in dictionaries."""

    def __init__(self, families: Mapping[str, str], champion: str | None = None) -> None:
        self.families = dict(families)  # version -> family
        self.alias = champion
        self.alias_moves: list[str] = []
        self.tags: dict[str, dict[str, str]] = defaultdict(dict)
        self.texts: dict[tuple[str, str], str] = {}
        self.images: dict[tuple[str, str], bytes] = {}

    def champion(self) -> _Version | None:
        return None if self.alias is None else _Version(self.alias, self.families[self.alias])

    def set_champion(self, version: str) -> None:
        self.alias = version
        self.alias_moves.append(version)

    def set_version_tags(self, version: str, tags: Mapping[str, str]) -> None:
        self.tags[version].update(tags)

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        self.texts[(run_id, artifact_file)] = text

    def log_image(self, run_id: str, png: bytes, artifact_file: str) -> None:
        self.images[(run_id, artifact_file)] = png


class _HeldChampion:
    """The current champion as the selection sees it (its recipe is none of the candidates')."""

    version = "3"
    local_path = Path("/nonexistent")
    recipe = "lora:old"
    label = "champion v3 (lora)"


@pytest.fixture(autouse=True)
def _canned(monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    """Baseline and re-fitted champion predictions without training; plots as their inputs."""
    signals = {BASELINE: 0.0, CHAMPION: 0.0}

    def held_out(family, recipe, examples, folds, fit_predict):  # noqa: ARG001
        return _frame(family, signals[family], seed=len(family)).assign(recipe=recipe)

    def plots(candidate: pd.DataFrame, baseline: pd.DataFrame, name: str) -> dict[str, bytes]:
        pair = f"{candidate['family'].iloc[0]} vs {baseline['family'].iloc[0]}: {name}"
        return {"roc.png": pair.encode(), "calibration.png": b"png"}

    monkeypatch.setattr(selection, "held_out_predictions", held_out)
    monkeypatch.setattr(selection, "champion_fit_predict", lambda *args: lambda train, test: None)
    monkeypatch.setattr(promotion, "candidate_plots", plots)
    return signals


def _select(ranker: float, lora: float, champion: _HeldChampion | None) -> SelectionResult:
    candidates = {"ranker": _frame("ranker", ranker, 1), "lora": _frame("lora", lora, 2)}
    return select_champion(
        candidates, [], [], champion=champion, encoder="e", ranker_rows=dict, resamples=200
    )


def test_a_winner_that_beats_the_baseline_becomes_the_first_champion() -> None:
    result = _select(ranker=2.0, lora=0.3, champion=None)
    registry = InMemoryRegistry({"7": "ranker", "8": "lora"})

    promoted = promote(result, registry, labels_total=42, at=AT)

    assert registry.alias_moves == ["7"]
    assert promoted.champion == _Version("7", "ranker")
    assert registry.tags["7"]["promoted"] == "true" and registry.tags["8"]["promoted"] == "false"
    for version in ("7", "8"):
        assert registry.tags[version]["reason"] == result.decision.reason
        assert registry.tags[version]["comparison"] == result.table_markdown
    for family in ("ranker", "lora"):
        assert registry.texts[(f"run-{family}", "comparison.md")] == result.table_markdown
        roc = registry.images[(f"run-{family}", "plots/roc.png")].decode()
        assert roc == f"{family} vs baseline: {family} v{VERSIONS[family]}"
        assert (f"run-{family}", "plots/calibration.png") in registry.images
    record = promoted.selection
    assert (record.champion_version, record.champion_family) == ("7", "ranker")
    assert (record.labels_total, record.selected_at) == (42, AT)
    assert record.summary["promoted"] is True and record.summary["winner"] == "ranker"
    assert record.summary["versions"] == VERSIONS
    assert set(record.summary["scores"]) == {"ranker", "lora", BASELINE}
    assert record.summary["scores"]["ranker"]["label"] == "ranker v7"


def test_no_alias_move_when_no_candidate_beats_the_baseline() -> None:
    result = _select(ranker=0.0, lora=0.0, champion=None)
    registry = InMemoryRegistry({"3": "lora", "7": "ranker", "8": "lora"}, champion="3")

    promoted = promote(result, registry, labels_total=5, at=AT)

    assert not result.decision.promote
    assert registry.alias_moves == [] and registry.alias == "3"
    assert registry.tags["7"]["promoted"] == registry.tags["8"]["promoted"] == "false"
    assert "does not beat the baseline" in registry.tags["7"]["reason"]
    assert promoted.champion == _Version("3", "lora")
    assert (promoted.selection.champion_version, promoted.selection.champion_family) == (
        "3",
        "lora",
    )
    assert promoted.selection.summary["promoted"] is False


def test_a_winner_that_beats_the_baseline_but_not_the_champion_is_not_promoted(
    _canned: dict[str, float],
) -> None:
    _canned[CHAMPION] = 3.0  # the champion's recipe, re-fitted on the folds, is better
    result = _select(ranker=1.5, lora=0.2, champion=_HeldChampion())
    registry = InMemoryRegistry({"3": "lora", "7": "ranker", "8": "lora"}, champion="3")

    promoted = promote(result, registry, labels_total=5, at=AT)

    assert result.decision.winner == "ranker" and not result.decision.promote
    assert "not champion v3 (lora)" in result.decision.reason
    assert registry.alias_moves == [] and promoted.champion == _Version("3", "lora")
    assert {registry.tags[v]["promoted"] for v in ("7", "8")} == {"false"}
    assert "3" not in registry.tags  # only this run's candidates are tagged
    assert "champion v3 (lora), re-fitted" in registry.tags["7"]["comparison"]


def test_a_winner_that_beats_the_baseline_and_a_weaker_champion_replaces_it(
    _canned: dict[str, float],
) -> None:
    _canned[CHAMPION] = 0.5
    result = _select(ranker=0.3, lora=2.5, champion=_HeldChampion())
    registry = InMemoryRegistry({"3": "lora", "7": "ranker", "8": "lora"}, champion="3")

    promoted = promote(result, registry, labels_total=5, at=AT)

    assert registry.alias_moves == ["8"] and promoted.champion == _Version("8", "lora")
    assert registry.tags["8"]["promoted"] == "true" and registry.tags["7"]["promoted"] == "false"
    assert promoted.selection.champion_version == "8"
