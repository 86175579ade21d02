"""Rolling-origin folds over the newest time-ordered rows.

Productive rows ("good time now" / "not now" clicks) are ordered by their moment. The newest
``test_share`` of them is cut into ``folds`` consecutive blocks; fold *k* tests on block *k*
and trains on every productive row before it — a model is never evaluated on a click older
than one it learnt from, and each fold has more history than the one before, as the real model
will. Interest labels have no meaningful moment (likes arrive in bulk when imported, the
labeller judges old watch history), so they are dealt into ``folds`` shuffled blocks (seeded):
fold *k* tests on interest block *k* and trains on the others.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.training.splits import NotEnoughData

MIN_TEST_ROWS = 5  # productive rows per test block
MIN_TRAIN_ROWS = 20  # productive rows before the first test block
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Fold:
    number: int  # 1-based, oldest first
    train: tuple[int, ...]  # indices into the examples
    test: tuple[int, ...]


def time_order(examples: Sequence[TrainingExample]) -> list[int]:
    """Indices of the productive rows, oldest first (ties by key)."""
    rows = [i for i, ex in enumerate(examples) if ex.is_productive]
    return sorted(rows, key=lambda i: (examples[i].moment or _EPOCH, examples[i].key))


def rolling_origin_folds(
    examples: Sequence[TrainingExample], folds: int = 4, test_share: float = 0.5, seed: int = 42
) -> list[Fold]:
    """The folds described in the module docstring; indices refer to ``examples``.

    Raises :class:`NotEnoughData` (with the counts and what is needed) when the productive
    rows cannot fill ``folds`` test blocks of :data:`MIN_TEST_ROWS` after
    :data:`MIN_TRAIN_ROWS` rows of history, or hold a single class."""
    if folds < 2:
        raise ValueError("rolling-origin evaluation needs at least 2 folds")
    if not 0.0 < test_share < 1.0:
        raise ValueError("test_share must be between 0 and 1")
    productive = time_order(examples)
    n = len(productive)
    n_test = round(test_share * n)
    labels = {examples[i].productive_label for i in productive}
    needed = max(
        folds * MIN_TEST_ROWS + MIN_TRAIN_ROWS, round((folds * MIN_TEST_ROWS) / test_share)
    )
    if (
        n < needed
        or n_test < folds * MIN_TEST_ROWS
        or n - n_test < MIN_TRAIN_ROWS
        or len(labels) < 2
    ):
        counts = {v: sum(examples[i].productive_label == v for i in productive) for v in (1, 0)}
        raise NotEnoughData(
            f"not enough 'Good time now' / 'Not now' clicks to evaluate a model on {folds} "
            f"time-ordered folds: {counts[1]} and {counts[0]}; need at least {needed} in all, "
            "with both kinds"
        )
    blocks = np.array_split(np.arange(n - n_test, n), folds)
    interest = [i for i, ex in enumerate(examples) if not ex.is_productive]
    random.Random(seed).shuffle(interest)
    interest_blocks = np.array_split(np.arange(len(interest)), folds)
    out = []
    for k, block in enumerate(blocks):
        held_interest = {interest[j] for j in interest_blocks[k]}
        train = [productive[j] for j in range(block[0])] + [
            i for i in interest if i not in held_interest
        ]
        test = [productive[j] for j in block] + sorted(held_interest)
        out.append(Fold(k + 1, tuple(train), tuple(test)))
    return out
