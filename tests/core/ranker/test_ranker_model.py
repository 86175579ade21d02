"""The ranker: its numpy tree scorer against LightGBM, files without pickle, how predictions
move with the context (a synthetic rule), and what calibration does on held-out rows."""

from __future__ import annotations

import pickle
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pytest

from vrdndi_pipeline.core.ranker.config import RankerConfig
from vrdndi_pipeline.core.ranker.lightgbm_text import contributions, parse_model, raw_scores
from vrdndi_pipeline.core.ranker.model import (
    ARRAYS_FILE,
    MODEL_FILE,
    TREES_FILE,
    RankerRow,
    fit_ranker,
    load_ranker,
)
from vrdndi_pipeline.core.selection.scorecard import brier_score

DIM = 16


@pytest.mark.parametrize("zero_as_missing", [False, True])
def test_numpy_tree_scores_equal_lightgbm(zero_as_missing: bool) -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 6))
    x[::7, 1], x[::5, 2], x[:, 5] = np.nan, 0.0, 1.0  # feature 5 is constant: never split
    y = (x[:, 0] + np.nan_to_num(x[:, 1]) * x[:, 2] > 0).astype(int)
    params = {"objective": "binary", "num_leaves": 6, "min_data_in_leaf": 5, "verbose": -1}
    booster = lgb.train({**params, "zero_as_missing": zero_as_missing}, lgb.Dataset(x, y), 60)
    trees = parse_model(booster.model_to_string())
    test = rng.normal(size=(300, 6))
    test[::3, 1], test[::4, 2], test[::9, 0] = np.nan, 0.0, np.nan
    expected = booster.predict(test, raw_score=True)
    np.testing.assert_allclose(raw_scores(trees, test), expected, rtol=0, atol=1e-12)
    parts = contributions(trees, test)
    np.testing.assert_allclose(parts.sum(axis=1), expected, atol=1e-9)
    used = {int(f) for tree in trees for f in tree.split_feature}
    assert 5 not in used and np.abs(parts[:, 5]).sum() == 0.0  # never split on: adds nothing


# --- a synthetic person: technical videos are right during coding, games in the evening ------


def _kind_vectors(rng: np.random.Generator, n: int, kind: int) -> np.ndarray:
    centre = np.zeros(DIM)
    centre[kind] = 3.0
    v = centre + rng.normal(size=(n, DIM))
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _context(coding: bool, rng: np.random.Generator) -> dict[str, float]:
    work = rng.uniform(0.6, 1.0) if coding else rng.uniform(0.0, 0.3)
    hour = rng.uniform(9, 17) if coding else rng.uniform(19, 23)
    return {
        "share@1h:Work": work,
        "share@1h:Media": 1.0 - work,
        "active@1h": rng.uniform(0.5, 1.0),
        "hour_sin": float(np.sin(2 * np.pi * hour / 24)),
        "hour_cos": float(np.cos(2 * np.pi * hour / 24)),
        "video_log_duration": rng.uniform(0.3, 1.0),
    }


def synthetic_rows(n: int, seed: int, noise: float = 0.1) -> list[RankerRow]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        technical, coding = bool(rng.integers(2)), bool(rng.integers(2))
        label = int(technical == coding) ^ int(rng.random() < noise)
        vector = _kind_vectors(rng, 1, 0 if technical else 1)[0]
        rows.append(RankerRow(f"productive:{i}", vector, None, _context(coding, rng), None, label))
    for i in range(n):  # interest: technical videos interest this person more
        technical = bool(rng.integers(2))
        liked = int(rng.random() < (0.8 if technical else 0.4))
        vector = _kind_vectors(rng, 1, 0 if technical else 1)[0]
        channel = "Tech Channel" if technical else "Game Channel"
        rows.append(RankerRow(f"interest:{i}", vector, channel, None, liked, None))
    return rows


@pytest.fixture(scope="module")
def fitted():
    return fit_ranker(RankerConfig(video_components=4), synthetic_rows(300, seed=1))


def test_flipping_the_context_flips_which_video_is_right(fitted) -> None:
    rng = np.random.default_rng(7)
    technical, game = _kind_vectors(rng, 1, 0)[0], _kind_vectors(rng, 1, 1)[0]
    for coding in (True, False):
        for _ in range(5):
            context = _context(coding, rng)
            p = fitted.productive_probability([context, context], np.stack([technical, game]))
            assert (p[0] > p[1]) == coding, (coding, p)


def test_interest_head_prefers_what_the_person_liked(fitted) -> None:
    rng = np.random.default_rng(8)
    vectors = np.vstack([_kind_vectors(rng, 20, 0), _kind_vectors(rng, 20, 1)])
    channels = ["Tech Channel"] * 20 + ["Game Channel"] * 20
    p = fitted.interest_probability(vectors, channels)
    assert p[:20].mean() > p[20:].mean() + 0.2


def test_saved_files_load_without_pickle_and_score_the_same(
    fitted, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = fitted.save(tmp_path / "ranker", extra={"encoder": "test-encoder"})
    assert sorted(p.name for p in folder.iterdir()) == sorted([MODEL_FILE, TREES_FILE, ARRAYS_FILE])
    assert lgb.Booster(model_file=str(folder / TREES_FILE)).num_trees() == fitted.rounds

    def refuse(*args, **kwargs):
        raise AssertionError("pickle used while loading the ranker")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    loaded = load_ranker(folder)
    rows = synthetic_rows(40, seed=9)
    productive = [r for r in rows if r.features is not None]
    vectors = np.stack([r.video_vector for r in productive])
    features = [r.features for r in productive]
    np.testing.assert_array_equal(
        loaded.productive_probability(features, vectors),
        fitted.productive_probability(features, vectors),
    )
    np.testing.assert_array_equal(
        loaded.interest_probability(vectors, ["Tech Channel"] * len(productive)),
        fitted.interest_probability(vectors, ["Tech Channel"] * len(productive)),
    )


@pytest.mark.slow
def test_calibration_improves_the_brier_score_on_held_out_folds() -> None:
    """Rolling folds over a noisy synthetic timeline: the Platt-calibrated probabilities score
    a better Brier on each fold's unseen rows than the tree's own sigmoid."""
    rows = synthetic_rows(400, seed=11, noise=0.25)
    productive = [r for r in rows if r.features is not None]
    interest = [r for r in rows if r.features is None]
    config = RankerConfig(video_components=4, num_leaves=8, min_data_in_leaf=3)
    calibrated, raw = [], []
    labels = []
    for start in (200, 250, 300, 350):
        model = fit_ranker(config, productive[:start] + interest)
        test = productive[start : start + 50]
        vectors = np.stack([r.video_vector for r in test])
        features = [r.features for r in test]
        calibrated.extend(model.productive_probability(features, vectors))
        margin = raw_scores(model.trees, model.productive_matrix(features, vectors))
        raw.extend(1 / (1 + np.exp(-margin)))
        labels.extend(r.productive_label for r in test)
    assert brier_score(np.array(labels), np.array(calibrated)) < brier_score(
        np.array(labels), np.array(raw)
    )


def test_one_class_of_clicks_gives_a_constant_prior() -> None:
    rows = [r for r in synthetic_rows(60, seed=2) if r.productive_label != 0 or r.features is None]
    model = fit_ranker(RankerConfig(video_components=2), rows)
    assert model.spec is None and not model.trees
    p = model.productive_probability([{}, {}], np.zeros((2, DIM)))
    assert p.tolist() == [1.0, 1.0]
