"""Choosing the champion without training anything: folds, scores with intervals, the rule,
and the whole choice on canned held-out predictions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.selection.champion_rule import (
    ChampionCandidate,
    choose_champion,
)
from vrdndi_pipeline.core.selection.folds import rolling_origin_folds
from vrdndi_pipeline.core.selection.scorecard import (
    Estimate,
    HeadScore,
    Scorecard,
    paired_gain,
    roc_auc,
    scorecard,
)
from vrdndi_pipeline.core.selection.selection import SelectionError, select_champion
from vrdndi_pipeline.core.training.splits import NotEnoughData

START = datetime(2026, 10, 1, tzinfo=UTC)


def _examples(productive: int, interest: int, seed: int = 0) -> list[TrainingExample]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in rng.permutation(productive):  # stored out of time order on purpose
        rows.append(
            TrainingExample(
                f"v{i:010d}", "t", 60.0, START + timedelta(hours=int(i)), (), None,
                int(i % 3 == 0), key=f"productive:{i}",
            )
        )  # fmt: skip
    for i in range(interest):
        rows.append(
            TrainingExample(f"i{i:010d}", "t", 60.0, None, (), i % 2, None, key=f"interest:{i}")
        )
    return rows


def test_rolling_origin_folds_train_only_on_the_past() -> None:
    examples = _examples(100, 40)
    folds = rolling_origin_folds(examples, folds=4, test_share=0.5)
    assert [f.number for f in folds] == [1, 2, 3, 4]
    tested_productive: list[int] = []
    for fold in folds:
        train_moments = [examples[i].moment for i in fold.train if examples[i].is_productive]
        test_moments = [examples[i].moment for i in fold.test if examples[i].is_productive]
        assert max(train_moments) < min(test_moments)  # type: ignore[type-var]
        assert not set(fold.train) & set(fold.test)
        tested_productive += [i for i in fold.test if examples[i].is_productive]
    assert len(tested_productive) == len(set(tested_productive)) == 50  # the newest half
    newest = sorted((e.moment for e in examples if e.is_productive), reverse=True)[:50]
    assert {examples[i].moment for i in tested_productive} == set(newest)
    interest_tests = [i for f in folds for i in f.test if not examples[i].is_productive]
    assert sorted(interest_tests) == sorted(
        i for i, e in enumerate(examples) if not e.is_productive
    )
    assert len(folds[3].train) > len(folds[0].train)  # more history in every later fold


def test_too_few_clicks_say_how_many_there_are_and_are_needed() -> None:
    with pytest.raises(NotEnoughData, match=r"clicks .* 4 and 8; need at least 40"):
        rolling_origin_folds(_examples(12, 40), folds=4)


def test_roc_auc_matches_scikit_learn_with_ties() -> None:
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200)
    p = np.round(rng.random(200) + 0.3 * y, 1)  # many ties
    assert roc_auc(y, p) == pytest.approx(roc_auc_score(y, p))
    assert roc_auc(np.ones(5, dtype=int), np.arange(5.0)) is None


def _frame(family: str, signal: float, seed: int, rows: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(100)  # the same labels for every family
    labels = rng.integers(0, 2, rows)
    noise = np.random.default_rng(seed).normal(size=rows)
    probability = 1 / (1 + np.exp(-(signal * (2 * labels - 1) + noise)))
    interest_labels = rng.integers(0, 2, 60)
    return pd.DataFrame(
        {
            "family": family,
            "recipe": f"{family}:abc",
            "fold": [1 + i % 4 for i in range(rows)] + [1 + i % 4 for i in range(60)],
            "kind": ["productive"] * rows + ["interest"] * 60,
            "row_key": [f"productive:{i}" for i in range(rows)]
            + [f"interest:{i}" for i in range(60)],
            "label": np.concatenate([labels, interest_labels]),
            "probability": np.concatenate([probability, 0.3 + 0.4 * interest_labels]),
            "model_version": {"ranker": "7", "lora": "8"}.get(family, ""),
            "mlflow_run_id": f"run-{family}",
        }
    )


def test_scorecard_interval_contains_the_estimate_and_the_paired_gain_is_narrower() -> None:
    frame = pd.concat([_frame("good", 1.5, 1), _frame("weak", 0.3, 2)])
    good, weak = scorecard(frame, "good"), scorecard(frame, "weak")
    assert (
        good.productive and good.productive.roc_auc and weak.productive and weak.productive.roc_auc
    )
    g, w = good.productive.roc_auc, weak.productive.roc_auc
    assert g.low < g.value < g.high and w.low < w.value < w.high
    assert g.value > 0.8 > 0.7 > w.value
    gain = paired_gain(frame, "good", "weak")
    assert gain is not None and gain.value == pytest.approx(g.value - w.value)
    assert gain.low > 0
    assert (gain.high - gain.low) < (g.high - g.low) + (w.high - w.low)
    assert len(good.fold_roc_auc) == 4 and good.interest is not None
    assert good.metrics()["heldout.productive_roc_auc"] == g.value


def _card(name: str, auc: float | None) -> Scorecard:
    estimate = None if auc is None else Estimate(auc, auc - 0.05, auc + 0.05)
    head = HeadScore(100, 40, estimate, 0.6, 0.2)
    return Scorecard(name, head, head, (auc,))


def _gain(value: float, low: float) -> Estimate:
    return Estimate(value, low, value + (value - low))


BASE = _card("baseline", 0.55)


def test_rule_promotes_the_best_candidate_that_clearly_beats_the_baseline() -> None:
    cards = {"ranker": _card("ranker", 0.81), "lora": _card("lora", 0.60)}
    gains = {"ranker": _gain(0.26, 0.15), "lora": _gain(0.05, -0.04)}
    decision = choose_champion(cards, gains, BASE, None)
    assert decision.promote and decision.winner == "ranker"
    assert "0.810 vs baseline 0.550" in decision.reason


def test_rule_refuses_a_gain_whose_interval_reaches_zero() -> None:
    cards = {"ranker": _card("ranker", 0.60)}
    decision = choose_champion(cards, {"ranker": _gain(0.05, -0.01)}, BASE, None)
    assert not decision.promote and "does not beat the baseline" in decision.reason
    decision = choose_champion(cards, {"ranker": _gain(0.05, 0.01)}, BASE, None, min_gain=0.1)
    assert not decision.promote


def test_rule_keeps_a_better_champion_and_replaces_a_worse_one() -> None:
    cards = {"ranker": _card("ranker", 0.75)}
    gains = {"ranker": _gain(0.20, 0.10)}
    better = ChampionCandidate("champion v3 (lora)", _card("champion", 0.78), None)
    decision = choose_champion(cards, gains, BASE, better)
    assert not decision.promote and "not champion v3 (lora) (0.750 vs 0.780)" in decision.reason
    worse = ChampionCandidate("champion v3 (lora)", _card("champion", 0.70), None)
    assert choose_champion(cards, gains, BASE, worse).promote
    assert not choose_champion(cards, gains, BASE, worse, min_gain=0.06).promote


def test_rule_lets_the_champions_own_recipe_retrained_replace_it() -> None:
    cards = {"ranker": _card("ranker", 0.75)}
    same = ChampionCandidate("champion v3 (ranker)", cards["ranker"], "ranker")
    decision = choose_champion(cards, {"ranker": _gain(0.20, 0.10)}, BASE, same)
    assert decision.promote and "retrained on the newest rows" in decision.reason


def test_rule_without_any_roc_auc_promotes_nothing() -> None:
    decision = choose_champion({"ranker": _card("ranker", None)}, {}, BASE, None)
    assert not decision.promote and decision.winner is None


class _Champion:
    version = "3"
    local_path = Path("/nonexistent")
    recipe = "ranker:abc"
    label = "champion v3 (ranker)"


def test_select_champion_on_canned_predictions(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole choice without any training: the baseline is replaced by a canned frame."""
    import vrdndi_pipeline.core.selection.selection as selection

    canned = _frame("baseline", 0.2, 3)

    def fake_heldout(family, recipe, examples, folds, fit_predict):  # noqa: ARG001
        return canned.assign(family=family, recipe=recipe)

    monkeypatch.setattr(selection, "held_out_predictions", fake_heldout)
    candidates = {"ranker": _frame("ranker", 1.5, 1), "lora": _frame("lora", 0.4, 2)}
    result = select_champion(
        candidates, [], [], champion=_Champion(), encoder="e", ranker_rows=dict
    )
    assert result.decision.promote and result.decision.winner == "ranker"
    assert "retrained on the newest rows" in result.decision.reason
    assert result.versions == {"ranker": "7", "lora": "8"}
    lines = result.table_markdown.splitlines()
    assert lines[2].startswith("| ranker v7 | 0.") and lines[4].startswith("| baseline")
    assert "Decision: champion v3 (ranker) retrained" in result.table_markdown
    shifted = {"ranker": candidates["ranker"], "lora": candidates["lora"].assign(fold=9)}
    with pytest.raises(SelectionError, match="different held-out rows"):
        select_champion(shifted, [], [], champion=None, encoder="e", ranker_rows=dict)
