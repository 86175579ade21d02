"""Train / validation / holdout splits (the rolling-origin folds that compare models are in
``core/selection/folds.py``).

Productive rows are ordered by their moment (then video id): train is the oldest part,
validation the next, holdout the latest — the model never learns from the future of what it is
evaluated on. Interest rows have no moment and are shuffled with the seed.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from vrdndi_pipeline.core.model.config import ModelConfig
from vrdndi_pipeline.core.model.examples import TrainingExample

log = logging.getLogger(__name__)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class NotEnoughData(ValueError):
    """Too few labelled rows to train and validate; the message gives the counts."""


@dataclass(frozen=True, slots=True)
class DataSplit:
    train: list[TrainingExample]
    val: list[TrainingExample]
    holdout: list[TrainingExample]

    def counts(self) -> dict[str, int]:
        """Rows of each kind in each part, e.g. ``{"train_productive": 40, ...}``."""
        out = {}
        for part in ("train", "val", "holdout"):
            rows = getattr(self, part)
            out[f"{part}_productive"] = sum(ex.is_productive for ex in rows)
            out[f"{part}_interest"] = sum(not ex.is_productive for ex in rows)
        return out


def by_kind(
    examples: Sequence[TrainingExample], seed: int
) -> tuple[list[TrainingExample], list[TrainingExample]]:
    """(productive rows oldest first, interest rows shuffled with ``seed``)."""
    productive = sorted(
        (ex for ex in examples if ex.is_productive),
        key=lambda ex: (ex.moment or _EPOCH, ex.video_id),
    )
    interest = [ex for ex in examples if not ex.is_productive]
    random.Random(seed).shuffle(interest)
    return productive, interest


def _not_enough(productive: int, interest: int, needed: int, what: str) -> NotEnoughData:
    return NotEnoughData(
        f"not enough labelled rows to {what}: {productive} productive and {interest} interest rows; "
        f"need at least {needed} rows of one kind (productive feedback or interest labels)"
    )


def split_examples(examples: Sequence[TrainingExample], config: ModelConfig) -> DataSplit:
    """Split each kind into train / val / holdout by ``val_fraction`` and ``holdout_fraction``.

    A kind with fewer than ``min_rows_per_kind`` rows goes to train whole (logged); when neither
    kind has enough, :class:`NotEnoughData` says how many there are and how many are needed.
    """
    productive, interest = by_kind(examples, config.seed)
    needed = config.min_rows_per_kind
    if len(productive) < needed and len(interest) < needed:
        raise _not_enough(len(productive), len(interest), needed, "train and validate")
    train: list[TrainingExample] = []
    val: list[TrainingExample] = []
    holdout: list[TrainingExample] = []
    for name, rows in (("productive", productive), ("interest", interest)):
        if len(rows) < needed:
            if rows:
                log.warning(
                    "only %d %s rows (< %d): all used for training", len(rows), name, needed
                )
            train.extend(rows)
            continue
        n = len(rows)
        n_hold = max(1, round(config.holdout_fraction * n)) if config.holdout_fraction > 0 else 0
        n_val = max(1, round(config.val_fraction * n))
        n_train = n - n_val - n_hold
        if n_train < 1:
            raise _not_enough(
                len(productive), len(interest), needed, "leave training rows after the split"
            )
        train.extend(rows[:n_train])
        val.extend(rows[n_train : n_train + n_val])
        holdout.extend(rows[n_train + n_val :])
    return DataSplit(train, val, holdout)
