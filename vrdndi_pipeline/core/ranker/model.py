"""The ranker model: fit, predict, contributions, save and load (JSON, LightGBM text and
safetensors: nothing is pickled).

Productive head ("good time now"): LightGBM on :mod:`.feature_matrix` columns. The number of
boosting rounds is the one with the lowest mean log-loss over ``inner_folds`` folds of the
training rows; the out-of-fold raw scores of those fold models fit a Platt (sigmoid)
calibration, which the final model (all training rows, the same rounds) is scored through.
Interest head: logistic regression on the video embedding and the channel's smoothed interest
rate (leave-one-out on the training rows, so a row never sees its own label).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vrdndi_pipeline.core.private_files import private_dir
from vrdndi_pipeline.core.ranker.config import RankerConfig
from vrdndi_pipeline.core.ranker.feature_matrix import (
    FeatureSpec,
    VideoProjection,
    build_matrix,
    fit_projection,
    learn_spec,
)
from vrdndi_pipeline.core.ranker.lightgbm_text import Tree, contributions, parse_model, raw_scores

log = logging.getLogger(__name__)

FAMILY = "ranker"
FORMAT_VERSION = 1
MODEL_FILE = "ranker.json"
TREES_FILE = "productive_trees.txt"
ARRAYS_FILE = "arrays.safetensors"
_CHANNEL_SCALE = 4.0  # the channel rate enters the interest regression as 4 * (rate - prior)


@dataclass(frozen=True, slots=True)
class RankerRow:
    """One labelled row as the ranker sees it: the video's embedding and channel, and for a
    productive row its named features at the click (:func:`moment_features.row_features`)."""

    key: str
    video_vector: np.ndarray  # (E,)
    channel: str | None
    features: Mapping[str, float] | None  # productive rows only
    interest_label: int | None
    productive_label: int | None


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -60, 60)))


def channel_key(channel: str | None) -> str:
    return " ".join((channel or "").split()).casefold()


@dataclass
class RankerModel:
    config: RankerConfig
    spec: FeatureSpec | None  # None: the productive head is a constant prior
    projection: VideoProjection
    trees: list[Tree]
    trees_text: str
    platt: tuple[float, float]  # p = sigmoid(a * raw + b)
    productive_prior: float
    interest_coef: np.ndarray | None  # (E + 1,) or None: constant prior
    interest_intercept: float
    interest_prior: float
    channel_counts: dict[str, tuple[int, int]]  # channel -> (interested, rows)
    rounds: int
    fit_report: dict[str, Any]

    # --- scoring -----------------------------------------------------------------------------

    def productive_matrix(
        self, features: Sequence[Mapping[str, float]], video_vectors: np.ndarray
    ) -> np.ndarray:
        assert self.spec is not None
        return build_matrix(self.spec, features, self.projection(video_vectors))

    def productive_probability(
        self, features: Sequence[Mapping[str, float]], video_vectors: np.ndarray
    ) -> np.ndarray:
        """Calibrated P(good time now) per row, ``(N,)``."""
        if self.spec is None or not self.trees:
            return np.full(len(features), self.productive_prior)
        raw = raw_scores(self.trees, self.productive_matrix(features, video_vectors))
        a, b = self.platt
        return _sigmoid(a * raw + b)

    def productive_contributions(
        self, features: Sequence[Mapping[str, float]], video_vectors: np.ndarray
    ) -> tuple[list[str], np.ndarray]:
        """Column names and ``(N, F + 1)`` raw-score contributions (last column: the bias)."""
        if self.spec is None or not self.trees:
            return [], np.zeros((len(features), 1))
        matrix = self.productive_matrix(features, video_vectors)
        return self.spec.columns(), contributions(self.trees, matrix)

    def channel_rates(self, channels: Sequence[str | None]) -> np.ndarray:
        prior, m = self.interest_prior, self.config.channel_prior_rows
        rates = []
        for channel in channels:
            liked, rows = self.channel_counts.get(channel_key(channel), (0, 0))
            rates.append((liked + prior * m) / (rows + m) if rows + m > 0 else prior)
        return np.array(rates)

    def channel_contribution(self, channel: str | None) -> float:
        """The channel term of the interest head's log-odds for a video of ``channel``."""
        if self.interest_coef is None:
            return 0.0
        rate = self.channel_rates([channel])[0]
        return float(self.interest_coef[-1]) * _CHANNEL_SCALE * (rate - self.interest_prior)

    def interest_probability(
        self, video_vectors: np.ndarray, channels: Sequence[str | None]
    ) -> np.ndarray:
        """P(interested) per video, ``(N,)``."""
        if self.interest_coef is None:
            return np.full(len(channels), self.interest_prior)
        x = _interest_matrix(video_vectors, self.channel_rates(channels), self.interest_prior)
        return _sigmoid(x @ self.interest_coef + self.interest_intercept)

    # --- files -------------------------------------------------------------------------------

    def save(self, folder: str | Path, extra: Mapping[str, Any] | None = None) -> Path:
        """Write the model's three files into ``folder`` (created) and return it."""
        from safetensors.numpy import save_file

        out = private_dir(Path(folder))
        (out / TREES_FILE).write_text(self.trees_text, encoding="utf-8")
        arrays = {
            "video_pca_mean": self.projection.mean.astype(np.float64),
            "video_pca_components": self.projection.components.astype(np.float64),
        }
        if self.interest_coef is not None:
            arrays["interest_coef"] = self.interest_coef.astype(np.float64)
        save_file(arrays, str(out / ARRAYS_FILE))
        document = {
            "family": FAMILY,
            "format": FORMAT_VERSION,
            "config": self.config.to_dict(),
            "spec": self.spec.to_dict() if self.spec else None,
            "platt": list(self.platt),
            "productive_prior": self.productive_prior,
            "interest_intercept": self.interest_intercept,
            "interest_prior": self.interest_prior,
            "channel_counts": {k: list(v) for k, v in sorted(self.channel_counts.items())},
            "rounds": self.rounds,
            "fit_report": self.fit_report,
            **dict(extra or {}),
        }
        (out / MODEL_FILE).write_text(json.dumps(document, indent=2), encoding="utf-8")
        return out


def is_ranker_folder(folder: str | Path) -> bool:
    return (Path(folder) / MODEL_FILE).is_file()


def ranker_encoder(folder: str | Path) -> str:
    """The sentence encoder the ranker in ``folder`` was trained with."""
    document = json.loads((Path(folder) / MODEL_FILE).read_text(encoding="utf-8"))
    return str(document["encoder"])


def load_ranker(folder: str | Path) -> RankerModel:
    """The model saved by :meth:`RankerModel.save` (JSON, text and safetensors; no pickle)."""
    from safetensors.numpy import load_file

    folder = Path(folder)
    document = json.loads((folder / MODEL_FILE).read_text(encoding="utf-8"))
    if document.get("family") != FAMILY or document.get("format") != FORMAT_VERSION:
        raise ValueError(f"{folder} holds no ranker model of format {FORMAT_VERSION}")
    arrays = load_file(str(folder / ARRAYS_FILE))
    text = (folder / TREES_FILE).read_text(encoding="utf-8")
    spec = document["spec"]
    return RankerModel(
        config=RankerConfig.from_dict(document["config"]),
        spec=FeatureSpec.from_dict(spec) if spec else None,
        projection=VideoProjection(arrays["video_pca_mean"], arrays["video_pca_components"]),
        trees=parse_model(text) if text.strip() else [],
        trees_text=text,
        platt=(float(document["platt"][0]), float(document["platt"][1])),
        productive_prior=float(document["productive_prior"]),
        interest_coef=arrays.get("interest_coef"),
        interest_intercept=float(document["interest_intercept"]),
        interest_prior=float(document["interest_prior"]),
        channel_counts={k: (int(v[0]), int(v[1])) for k, v in document["channel_counts"].items()},
        rounds=int(document["rounds"]),
        fit_report=document.get("fit_report", {}),
    )


# --- fitting ---------------------------------------------------------------------------------


def _interest_matrix(vectors: np.ndarray, rates: np.ndarray, prior: float) -> np.ndarray:
    x = np.asarray(vectors, dtype=np.float64)
    return np.hstack([x, _CHANNEL_SCALE * (rates[:, None] - prior)])  # (N, E + 1)


def _lgb_params(config: RankerConfig) -> dict[str, Any]:
    return {
        "objective": "binary",
        "num_leaves": config.num_leaves,
        "min_data_in_leaf": config.min_data_in_leaf,
        "learning_rate": config.learning_rate,
        "feature_fraction": config.feature_fraction,
        "bagging_fraction": config.bagging_fraction,
        "bagging_freq": 1 if config.bagging_fraction < 1 else 0,
        "lambda_l2": config.lambda_l2,
        "min_data_in_bin": 1,
        "feature_pre_filter": False,
        "num_threads": 1,  # a few hundred rows: threads cost more than they save
        "deterministic": True,
        "seed": config.seed,
        "verbose": -1,
    }


def _inner_folds(labels: np.ndarray, folds: int, seed: int) -> list[np.ndarray]:
    """Stratified folds of row indices (each class dealt round-robin after a seeded shuffle)."""
    rng = np.random.default_rng(seed)
    assignment = np.zeros(len(labels), dtype=int)
    for value in (0, 1):
        rows = np.nonzero(labels == value)[0]
        rng.shuffle(rows)
        assignment[rows] = np.arange(len(rows)) % folds
    return [np.nonzero(assignment == k)[0] for k in range(folds)]


def _fit_platt(raw: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Logistic regression of the labels on the raw scores (Newton's method, a tiny ridge)."""
    a, b = 1.0, 0.0
    for _ in range(100):
        p = _sigmoid(a * raw + b)
        grad = np.array([np.sum((p - labels) * raw) + 1e-3 * a, np.sum(p - labels)])
        w = p * (1 - p)
        hess = np.array(
            [[np.sum(w * raw * raw) + 1e-3, np.sum(w * raw)], [np.sum(w * raw), np.sum(w) + 1e-9]]
        )
        step = np.linalg.solve(hess, grad)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-10:
            break
    return float(a), float(b)


def _fit_productive(
    config: RankerConfig, x: np.ndarray, labels: np.ndarray
) -> tuple[str, int, tuple[float, float], dict[str, Any]]:
    import lightgbm as lgb

    params = _lgb_params(config)
    folds = _inner_folds(
        labels, min(config.inner_folds, int(np.bincount(labels).min())), config.seed
    )
    curves, boosters = [], []
    for held in folds:
        train = np.setdiff1d(np.arange(len(labels)), held)
        record: dict[str, Any] = {}
        booster = lgb.train(
            params,
            lgb.Dataset(x[train], labels[train]),
            config.max_rounds,
            valid_sets=[lgb.Dataset(x[held], labels[held])],
            valid_names=["held"],
            callbacks=[lgb.record_evaluation(record)],
        )
        curves.append(np.array(record["held"]["binary_logloss"]) * len(held))
        boosters.append((held, booster))
    mean_loss = np.sum(curves, axis=0) / len(labels)
    rounds = int(np.argmin(mean_loss)) + 1
    raw = np.zeros(len(labels))
    for held, booster in boosters:
        raw[held] = booster.predict(x[held], raw_score=True, num_iteration=rounds)
    platt = _fit_platt(raw, labels.astype(float))
    final = lgb.train(params, lgb.Dataset(x, labels), rounds)
    report = {
        "inner_folds": len(folds),
        "rounds": rounds,
        "inner_logloss": float(mean_loss[rounds - 1]),
        "inner_logloss_first_round": float(mean_loss[0]),
    }
    return final.model_to_string(), rounds, platt, report


def _fit_interest(
    config: RankerConfig, rows: Sequence[RankerRow]
) -> tuple[np.ndarray | None, float, float, dict[str, tuple[int, int]]]:
    labels = np.array([r.interest_label for r in rows], dtype=int)
    prior = float(labels.mean()) if len(labels) else 0.5
    counts: dict[str, tuple[int, int]] = {}
    for row, label in zip(rows, labels, strict=True):
        liked, n = counts.get(channel_key(row.channel), (0, 0))
        counts[channel_key(row.channel)] = (liked + int(label), n + 1)
    if len(set(labels.tolist())) < 2:
        return None, 0.0, prior, counts
    from sklearn.linear_model import LogisticRegression

    m = config.channel_prior_rows
    rates = []
    for row, label in zip(rows, labels, strict=True):  # leave the row's own label out
        liked, n = counts[channel_key(row.channel)]
        liked, n = liked - int(label), n - 1
        rates.append((liked + prior * m) / (n + m) if n + m > 0 else prior)
    x = _interest_matrix(np.stack([r.video_vector for r in rows]), np.array(rates), prior)
    clf = LogisticRegression(C=config.interest_c, max_iter=5000, random_state=config.seed)
    clf.fit(x, labels)
    return clf.coef_[0].astype(np.float64), float(clf.intercept_[0]), prior, counts


def fit_ranker(config: RankerConfig, rows: Sequence[RankerRow]) -> RankerModel:
    """Fit both heads on ``rows`` (productive rows carry ``features``); see the module doc."""
    productive = [r for r in rows if r.productive_label is not None and r.features is not None]
    interest = [r for r in rows if r.interest_label is not None]
    if not rows:
        raise ValueError("the ranker needs at least one labelled row")
    projection = fit_projection(np.stack([r.video_vector for r in rows]), config.video_components)
    labels = np.array([r.productive_label for r in productive], dtype=int)
    prior = float(labels.mean()) if len(labels) else 0.5
    spec, text, rounds, platt = None, "", 0, (1.0, 0.0)
    report: dict[str, Any] = {}
    if len(productive) and min(np.bincount(labels, minlength=2)) >= 2:
        features = [r.features for r in productive]
        spec = learn_spec(features, config.video_components, config.min_feature_rows)  # type: ignore[arg-type]
        vectors = np.stack([r.video_vector for r in productive])
        x = build_matrix(spec, features, projection(vectors))  # type: ignore[arg-type]
        text, rounds, platt, report = _fit_productive(config, x, labels)
        report["columns"] = len(spec.columns())
    elif productive:
        log.warning("productive rows hold one class only: the head predicts its share")
    coef, intercept, interest_prior, counts = _fit_interest(config, interest)
    report.update({"productive_rows": len(productive), "interest_rows": len(interest)})
    return RankerModel(
        config=config,
        spec=spec,
        projection=projection,
        trees=parse_model(text) if text else [],
        trees_text=text,
        platt=platt,
        productive_prior=prior,
        interest_coef=coef,
        interest_intercept=intercept,
        interest_prior=interest_prior,
        channel_counts=counts,
        rounds=rounds,
        fit_report=report,
    )
