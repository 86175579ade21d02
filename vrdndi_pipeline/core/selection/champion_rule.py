"""The rule that moves the ``champion`` alias, on the rolling-origin evaluation.

The winner is the candidate with the highest productive ROC-AUC over the folds (the feed ranks
by P(good time now), and ROC-AUC measures exactly that ordering). It becomes the champion only
when

1. it beats the context-free baseline: the paired bootstrap 95 % interval of its ROC-AUC gain
   lies above 0 and the gain is more than ``min_gain`` — beating a model that ignores the
   moment by chance is not enough;
2. and it beats the current champion's recipe re-evaluated on the same folds by more than
   ``min_gain``, unless the winner *is* the champion's recipe (same family and configuration):
   then it is the champion retrained on newer rows, and replaces it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from vrdndi_pipeline.core.selection.scorecard import Estimate, Scorecard

BASELINE = "baseline"
_TIE = 1e-9


@dataclass(frozen=True, slots=True)
class ChampionCandidate:
    """The current champion as the rule sees it."""

    name: str  # e.g. "champion v3 (ranker)"
    scorecard: Scorecard  # its recipe re-evaluated on this run's folds
    recipe_of: str | None  # the candidate family with the same recipe, if any


@dataclass(frozen=True, slots=True)
class ChampionDecision:
    promote: bool
    winner: str | None  # the best candidate family (promoted or not)
    reason: str


def _auc(card: Scorecard) -> float | None:
    head = card.productive
    return head.roc_auc.value if head is not None and head.roc_auc is not None else None


def choose_champion(
    candidates: Mapping[str, Scorecard],
    gains_over_baseline: Mapping[str, Estimate | None],
    baseline: Scorecard,
    champion: ChampionCandidate | None,
    *,
    min_gain: float = 0.0,
) -> ChampionDecision:
    """Apply the rule of the module docstring; the reason is one sentence with the numbers."""
    if min_gain < 0:
        raise ValueError("min_gain must be >= 0")
    scored = {name: auc for name, card in candidates.items() if (auc := _auc(card)) is not None}
    base = _auc(baseline)
    if not scored or base is None:
        return ChampionDecision(
            False, None, "the held-out clicks hold one class only: no ROC-AUC to compare"
        )
    winner = max(sorted(scored), key=lambda name: scored[name])
    auc = scored[winner]
    gain = gains_over_baseline.get(winner)
    versus_base = f"{winner} {auc:.3f} vs baseline {base:.3f}"
    if gain is None or gain.value <= min_gain + _TIE or gain.low <= 0.0:
        gain_text = f", gain {gain.text(signed=True)}" if gain else ""
        return ChampionDecision(
            False, winner, f"best candidate {versus_base}{gain_text}: does not beat the baseline"
        )
    beats_base = f"beats the baseline ({versus_base}, gain {gain.text(signed=True)})"
    if champion is None:
        return ChampionDecision(True, winner, f"no champion yet; {winner} {beats_base}")
    if champion.recipe_of == winner:
        return ChampionDecision(
            True, winner, f"{champion.name} retrained on the newest rows; it {beats_base}"
        )
    held = _auc(champion.scorecard)
    if held is None or auc - held > min_gain + _TIE:
        held_text = "n/a" if held is None else f"{held:.3f}"
        return ChampionDecision(
            True, winner, f"{winner} {beats_base} and {champion.name} ({auc:.3f} vs {held_text})"
        )
    return ChampionDecision(
        False,
        winner,
        f"{winner} {beats_base} but not {champion.name} ({auc:.3f} vs {held:.3f}"
        + (f" + {min_gain:.3f})" if min_gain else ")"),
    )
