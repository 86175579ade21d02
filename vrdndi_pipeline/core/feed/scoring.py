"""Scores for the candidates: the champion adapter, or a clearly marked cold-start fallback.

Rankings, as written to ``feed_predictions.ranking``:

* ``champion``: both heads of the champion adapter (productive in the current context).
* ``interest-baseline``: no champion yet; TF-IDF + logistic regression on the user's interest
  labels (likes, dislikes, labeller, interest clicks), no context.
* ``recency``: no champion and too few interest labels of both kinds; newest first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from vrdndi_pipeline.core.feed.candidates import FeedCandidate
from vrdndi_pipeline.core.feed.ranking import ScoredCandidate, combined_score
from vrdndi_pipeline.core.model.examples import TrainingExample

CHAMPION = "champion"
INTEREST_BASELINE = "interest-baseline"
RECENCY = "recency"
MIN_BASELINE_LABELS = 10  # per class


def champion_scores(
    candidates: Sequence[FeedCandidate],
    interest: Sequence[float],
    productive: Sequence[float],
    *,
    model_version: str,
    context_summary: str,
    interest_weight: float = 0.5,
) -> list[ScoredCandidate]:
    return [
        ScoredCandidate(
            candidate=c,
            interest=i,
            productive=p,
            combined=combined_score(i, p, interest_weight),
            explanation=(
                f"{_pct(p)} right for now ({context_summary}); {_pct(i)} likely to interest you "
                f"(model v{model_version})"
            ),
        )
        for c, i, p in zip(candidates, interest, productive, strict=True)
    ]


def fallback_scores(
    candidates: Sequence[FeedCandidate],
    interest_examples: Sequence[TrainingExample],
    now: datetime,
    candidate_days: float,
    *,
    seed: int = 42,
) -> tuple[str, list[ScoredCandidate]]:
    """The cold-start ranking and its scores (see the module docstring)."""
    labels = [e.interest_label for e in interest_examples if e.interest_label is not None]
    if min(labels.count(0), labels.count(1)) >= MIN_BASELINE_LABELS:
        from vrdndi_pipeline.core.model.baseline import train_baseline

        model = train_baseline(list(interest_examples), seed=seed)
        probs = model.predict_proba([_as_example(c) for c in candidates])["interest"]
        return INTEREST_BASELINE, [
            ScoredCandidate(
                candidate=c,
                interest=float(p),
                productive=None,
                combined=float(p),
                explanation=(
                    f"No trained model yet: {_pct(float(p))} interest from your "
                    f"{len(labels)} labels (word-based baseline, ignores what you are doing)"
                ),
            )
            for c, p in zip(candidates, probs.tolist(), strict=True)
        ]
    window_s = candidate_days * 86400.0
    return RECENCY, [
        ScoredCandidate(
            candidate=c,
            interest=None,
            productive=None,
            combined=max(0.0, 1.0 - (now - c.published_at).total_seconds() / window_s),
            explanation="No trained model and too few labels yet: newest uploads first",
        )
        for c in candidates
    ]


def _as_example(c: FeedCandidate) -> TrainingExample:
    video = c.as_candidate_video()
    return TrainingExample(
        video_id=c.video_id,
        text=video.text,
        video_duration_s=video.duration_s,
        moment=None,
        context=(),
        interest_label=None,
        productive_label=None,
    )


def _pct(p: float) -> str:
    return f"{round(100 * p)} %"
