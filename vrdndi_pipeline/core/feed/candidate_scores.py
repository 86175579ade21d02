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
from typing import TYPE_CHECKING

from vrdndi_pipeline.core.feed.ranking import ScoredCandidate, combined_score
from vrdndi_pipeline.core.feed.reasons import Reason, age_reason
from vrdndi_pipeline.core.model.examples import TrainingExample, video_example
from vrdndi_pipeline.core.records import Video

if TYPE_CHECKING:
    from vrdndi_pipeline.core.training.baseline import BaselineModel

CHAMPION = "champion"
INTEREST_BASELINE = "interest-baseline"
RECENCY = "recency"
MIN_BASELINE_LABELS = 10  # per class


def champion_scores(
    candidates: Sequence[Video],
    interest: Sequence[float],
    productive: Sequence[float],
    reasons: Sequence[Sequence[Reason]],
    *,
    interest_weight: float = 0.5,
) -> list[ScoredCandidate]:
    return [
        ScoredCandidate(c, i, p, combined_score(i, p, interest_weight), tuple(r))
        for c, i, p, r in zip(candidates, interest, productive, reasons, strict=True)
    ]


def fallback_scores(
    candidates: Sequence[Video],
    interest_examples: Sequence[TrainingExample],
    now: datetime,
    candidate_days: float,
    *,
    seed: int = 42,
) -> tuple[str, list[ScoredCandidate]]:
    """The cold-start ranking and its scores (see the module docstring). The baseline's reasons
    are the words that raised a video's score most; recency's, how new it is."""
    labels = [e.interest_label for e in interest_examples if e.interest_label is not None]
    if min(labels.count(0), labels.count(1)) >= MIN_BASELINE_LABELS:
        from vrdndi_pipeline.core.training.baseline import train_baseline

        model = train_baseline(list(interest_examples), seed=seed)
        examples = [video_example(c) for c in candidates]
        probs = model.predict_proba(examples)["interest"]
        words = baseline_word_reasons(model, examples)
        return INTEREST_BASELINE, [
            ScoredCandidate(c, float(p), None, float(p), tuple(w))
            for c, p, w in zip(candidates, probs.tolist(), words, strict=True)
        ]
    window_s = candidate_days * 86400.0
    scored = []
    for c in candidates:
        age_s = window_s if c.published_at is None else (now - c.published_at).total_seconds()
        combined = max(0.0, 1.0 - age_s / window_s)
        reasons = (
            () if c.published_at is None else (age_reason(c.published_at, now, 0.1 + combined),)
        )
        scored.append(ScoredCandidate(c, None, None, combined, reasons))
    return RECENCY, scored


def baseline_word_reasons(
    model: BaselineModel, examples: Sequence[TrainingExample], top: int = 2
) -> list[list[Reason]]:
    """Per video, the (up to ``top``) words whose TF-IDF weight times the interest coefficient
    raised its score most: "mentions “rust”, “compiler”"."""
    clf = model.classifiers.get("interest")
    if isinstance(clf, float) or clf is None or not examples:
        return [[] for _ in examples]
    names = model.vectorizer.get_feature_names_out()
    coef = clf.coef_[0][: len(names)]
    if list(clf.classes_).index(1) == 0:
        coef = -coef
    x = model._features(examples)[:, : len(names)].tocsr()
    out: list[list[Reason]] = []
    for row in range(x.shape[0]):
        start, end = x.indptr[row], x.indptr[row + 1]
        terms = [
            (float(v * coef[j]), str(names[j]))
            for j, v in zip(x.indices[start:end], x.data[start:end], strict=True)
        ]
        best = [t for t in sorted(terms, reverse=True) if t[0] > 0][:top]
        if not best:
            out.append([])
            continue
        quoted = ", ".join(f"“{word}”" for _, word in best)
        out.append(
            [Reason("words", f"mentions {quoted}, like videos you liked", sum(w for w, _ in best))]
        )
    return out
