"""``RankerConfig``: every knob of the ranker family, validated, saved with each model."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from vrdndi_pipeline.core.model.config import ConfigError


def _f(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class RankerConfig:
    """The ranker: frozen sentence embeddings + context features, a small gradient-boosted tree
    for "good time now" (calibrated) and a logistic regression for interest.

    The tree is kept small on purpose: with a few hundred clicks, 4 leaves, 10 rows per leaf,
    row and feature subsampling and an L2 penalty keep it from learning single clicks, and the
    number of rounds is chosen by inner cross-validation on the training rows alone. The
    sentence encoder is the pipeline's (``VRDNDI_TEXT_ENCODER``), recorded with each model."""

    video_components: int = _f(
        8, "Principal components of the video embeddings fed to the tree (and its interactions)."
    )
    min_feature_rows: int = _f(
        5, "A named context feature is used when it is non-zero in at least this many rows."
    )
    num_leaves: int = _f(4, "Leaves per tree.")
    min_data_in_leaf: int = _f(10, "Fewest training rows in a leaf.")
    learning_rate: float = _f(0.05, "Shrinkage per boosting round.")
    max_rounds: int = _f(300, "Most boosting rounds; inner cross-validation picks how many.")
    feature_fraction: float = _f(0.8, "Share of features each tree may use.")
    bagging_fraction: float = _f(0.8, "Share of rows each tree is fitted on.")
    lambda_l2: float = _f(1.0, "L2 penalty on leaf values.")
    inner_folds: int = _f(
        5, "Folds over the training rows that choose the rounds and fit the calibration."
    )
    interest_c: float = _f(1.0, "Inverse L2 strength of the interest logistic regression.")
    channel_prior_rows: float = _f(
        5.0, "Pseudo-rows of the overall interest rate mixed into each channel's rate."
    )
    seed: int = _f(42, "Seed of the folds, the subsampling and the solvers.")

    def __post_init__(self) -> None:
        problems = []
        for name in ("video_components", "num_leaves", "min_data_in_leaf", "max_rounds"):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be at least 1")
        if self.num_leaves < 2:
            problems.append("num_leaves must be at least 2")
        if self.inner_folds < 2:
            problems.append("inner_folds must be at least 2")
        if self.min_feature_rows < 1:
            problems.append("min_feature_rows must be at least 1")
        for name in ("feature_fraction", "bagging_fraction"):
            if not 0.0 < getattr(self, name) <= 1.0:
                problems.append(f"{name} must be in (0, 1]")
        for name in ("learning_rate", "interest_c"):
            if not getattr(self, name) > 0:
                problems.append(f"{name} must be positive")
        for name in ("lambda_l2", "channel_prior_rows"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must be >= 0")
        if problems:
            raise ConfigError("invalid ranker config: " + "; ".join(problems))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RankerConfig:
        """From a saved or user-given mapping; an unknown key is a :class:`ConfigError`."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"unknown ranker config keys {unknown}; known: {sorted(known)}")
        return cls(**values)


def ranker_field_help() -> dict[str, str]:
    return {f.name: f.metadata["help"] for f in fields(RankerConfig)}
