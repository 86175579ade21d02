"""The whole choice: baseline and champion recipe next to the candidates' held-out
predictions, scorecards, paired gains, the rule, and the table it is explained with."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

import pandas as pd

from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.ranker.model import RankerRow
from vrdndi_pipeline.core.selection.champion_recipe import champion_fit_predict
from vrdndi_pipeline.core.selection.champion_rule import (
    BASELINE,
    ChampionCandidate,
    ChampionDecision,
    choose_champion,
)
from vrdndi_pipeline.core.selection.comparison import comparison_rows, markdown_table, plain_table
from vrdndi_pipeline.core.selection.folds import Fold
from vrdndi_pipeline.core.selection.heldout import baseline_fit_predict, held_out_predictions
from vrdndi_pipeline.core.selection.scorecard import (
    Estimate,
    Scorecard,
    paired_gain,
    same_rows,
    scorecard,
)
from vrdndi_pipeline.core.store.model_selections import ModelSelection

CHAMPION = "champion"


class RegisteredChampion(Protocol):
    """What the choice needs to know of the current champion (``ChampionInfo`` has it)."""

    version: str
    local_path: Path

    @property
    def recipe(self) -> str | None: ...

    @property
    def label(self) -> str: ...


class SelectionError(RuntimeError):
    """Candidates that cannot be compared (they were evaluated on different rows)."""


@dataclass(frozen=True, slots=True)
class SelectionResult:
    decision: ChampionDecision
    cards: dict[str, Scorecard]  # candidates, champion recipe (if re-fitted), baseline
    gains: dict[str, Estimate | None]  # productive ROC-AUC gain over the baseline
    versions: dict[str, str]  # candidate family -> its registered version
    run_ids: dict[str, str]
    table_markdown: str
    table_plain: str
    labels: dict[str, str]  # card name -> how the table names it ("ranker v3")
    heldout: dict[str, pd.DataFrame]  # card name -> its held-out predictions on the folds


def _first(frame: pd.DataFrame, column: str) -> str:
    return str(frame[column].iloc[0])


def select_champion(
    candidates: Mapping[str, pd.DataFrame],
    examples: Sequence[TrainingExample],
    folds: Sequence[Fold],
    *,
    champion: RegisteredChampion | None,
    encoder: str,
    ranker_rows: Callable[[], Mapping[str, RankerRow]],
    resamples: int = 1000,
    seed: int = 42,
    min_gain: float = 0.0,
) -> SelectionResult:
    """Score every candidate (their held-out frames, with ``model_version``), the baseline and
    the champion's recipe on ``folds``, and decide (see :mod:`.champion_rule`)."""
    frames = dict(candidates)
    frames[BASELINE] = held_out_predictions(
        BASELINE, BASELINE, examples, folds, baseline_fit_predict(seed)
    )
    champion_entry: tuple[str | None, str | None] | None = None
    if champion is not None:
        same = [name for name, f in candidates.items() if _first(f, "recipe") == champion.recipe]
        if same:
            champion_entry = (same[0], None)
        else:
            fit_predict = champion_fit_predict(champion.local_path, encoder, ranker_rows)
            if fit_predict is not None:
                frames[CHAMPION] = held_out_predictions(
                    CHAMPION, champion.recipe or "", examples, folds, fit_predict
                )
                champion_entry = (None, CHAMPION)
    if not same_rows(list(frames.values())):
        raise SelectionError(
            "the candidates were evaluated on different held-out rows (trained on different "
            "data?): run train_job again so that all of them train on the same tables"
        )
    combined = pd.concat(frames.values(), ignore_index=True)
    cards = {name: scorecard(combined, name, resamples=resamples, seed=seed) for name in frames}
    gains = {
        name: paired_gain(combined, name, BASELINE, resamples=resamples, seed=seed)
        for name in frames
        if name != BASELINE
    }
    held = None
    if champion is not None and champion_entry is not None:
        recipe_of, own = champion_entry
        card = cards[recipe_of] if recipe_of else cards[own]  # type: ignore[index]
        held = ChampionCandidate(champion.label, card, recipe_of)
    decision = choose_champion(
        {name: cards[name] for name in candidates},
        gains,
        cards[BASELINE],
        held,
        min_gain=min_gain,
    )
    versions = {name: _first(f, "model_version") for name, f in candidates.items()}
    labels = {name: f"{name} v{versions[name]}" for name in candidates}
    labels[BASELINE] = "baseline (no context)"
    if champion is not None:
        labels[CHAMPION] = f"{champion.label}, re-fitted"
    rows = comparison_rows(cards, gains, labels)
    footer = f"Decision: {decision.reason}."
    return SelectionResult(
        decision=decision,
        cards=cards,
        gains=gains,
        versions=versions,
        run_ids={name: _first(f, "mlflow_run_id") for name, f in candidates.items()},
        table_markdown=markdown_table(rows, footer),
        table_plain=plain_table(rows),
        labels=labels,
        heldout=frames,
    )


def selection_record(
    result: SelectionResult,
    champion: tuple[str, str] | None,
    labels_total: int,
    at: datetime,
) -> ModelSelection:
    """What the feed's status line needs from a selection: each model's productive ROC-AUC
    (with its interval) under the table's names, the decision and the versions."""
    scores = {}
    for name, card in result.cards.items():
        auc = card.productive.roc_auc if card.productive is not None else None
        if auc is not None:
            scores[name] = {
                "label": result.labels.get(name, name),
                "auc": auc.value,
                "low": auc.low,
                "high": auc.high,
            }
    return ModelSelection(
        selected_at=at,
        champion_version=champion[0] if champion else None,
        champion_family=champion[1] if champion else None,
        labels_total=labels_total,
        summary={
            "promoted": result.decision.promote,
            "winner": result.decision.winner,
            "reason": result.decision.reason,
            "versions": result.versions,
            "scores": scores,
        },
    )
