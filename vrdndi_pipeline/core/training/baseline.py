"""A context-free baseline: TF-IDF of the video text + log duration → logistic regression.

One classifier per head (class_weight="balanced"), trained on the same split as the model and
scored with the same metrics, so the model's gain from context (and from the backbone) is
visible. A head whose training rows hold one class predicts that class's prior.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.training.metrics import HEADS, Evaluation, head_metrics

_LOG_HOUR = math.log1p(3600.0)


@dataclass
class BaselineModel:
    vectorizer: Any  # sklearn TfidfVectorizer
    classifiers: dict[str, Any]  # head -> LogisticRegression, or a float prior for one class

    def _features(self, examples: Sequence[TrainingExample]) -> Any:
        from scipy.sparse import csr_matrix, hstack

        text = self.vectorizer.transform([ex.text for ex in examples])
        duration = np.array(
            [
                [
                    math.log1p(ex.video_duration_s or 0.0) / _LOG_HOUR,
                    float(ex.video_duration_s is None),
                ]
                for ex in examples
            ]
        )
        return hstack([text, csr_matrix(duration)]).tocsr()

    def predict_proba(self, examples: Sequence[TrainingExample]) -> dict[str, np.ndarray]:
        """P(class 1) per head for every example, ``{head: (n,)}``."""
        x = self._features(examples) if examples else None
        out = {}
        for head, clf in self.classifiers.items():
            if isinstance(clf, float) or x is None:
                out[head] = np.full(len(examples), float(clf) if isinstance(clf, float) else 0.5)
            else:
                out[head] = clf.predict_proba(x)[:, list(clf.classes_).index(1)]
        return out


def _label(ex: TrainingExample, head: str) -> int | None:
    return ex.interest_label if head == "interest" else ex.productive_label


def train_baseline(train: Sequence[TrainingExample], *, seed: int = 42) -> BaselineModel:
    """Fit the TF-IDF vocabulary on all training texts and one classifier per head."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), min_df=1, max_features=20_000, sublinear_tf=True
    )
    vectorizer.fit([ex.text for ex in train] or [""])
    model = BaselineModel(vectorizer, {})
    for head in HEADS:
        rows = [ex for ex in train if _label(ex, head) is not None]
        labels = np.array([_label(ex, head) for ex in rows], dtype=int)
        if len(set(labels.tolist())) < 2:
            model.classifiers[head] = float(labels.mean()) if labels.size else 0.5
            continue
        clf = LogisticRegression(class_weight="balanced", max_iter=2000, random_state=seed)
        clf.fit(model._features(rows), labels)
        model.classifiers[head] = clf
    return model


def evaluate_baseline(model: BaselineModel, examples: Sequence[TrainingExample]) -> Evaluation:
    """The same :class:`Evaluation` as the model's, on ``examples``."""
    heads = {}
    for head in HEADS:
        rows = [ex for ex in examples if _label(ex, head) is not None]
        probs = model.predict_proba(rows)[head] if rows else np.zeros(0)
        labels = [label for ex in rows if (label := _label(ex, head)) is not None]
        heads[head] = head_metrics(labels, probs, (probs >= 0.5).astype(int))
    return Evaluation(**heads)
