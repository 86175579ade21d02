"""The LoRA model as a candidate run, without training: its recipe, and how the epochs of the
evaluation folds and the final model reach one metric history and the log lines the CLI reads.
Training and saving are replaced by stand-ins that call the epoch callbacks as the trainer does."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import vrdndi_pipeline.core.training.lora_run as training_run
from tests.core.selection.test_candidate import (
    FakeRegistry,
    FakeRun,
    _productive_examples,
    two_folds,
)
from vrdndi_pipeline.cli_jobs import EPOCH_MESSAGE
from vrdndi_pipeline.core.model.config import ModelConfig
from vrdndi_pipeline.core.selection.candidate import train_candidate
from vrdndi_pipeline.core.training.lora_run import EpochLog, LoraRecipe

CONFIG = ModelConfig(max_length=24, total_epoch=2, holdout_fraction=0.1, device="cpu")


def _report(epoch: int) -> Any:
    return SimpleNamespace(
        epoch=epoch,
        weighted_f1=0.5,
        ema=0.4,
        is_best=epoch == 1,
        seconds=3.0,
        metrics=lambda: {"weighted_f1": 0.5},
    )


def test_the_recipe_has_no_holdout_and_is_named_by_its_configuration() -> None:
    recipe = LoraRecipe.from_config(CONFIG, "cpu-small", {"layers": ["defaults"]})
    assert recipe.config.holdout_fraction == 0.0 and recipe.config.max_length == 24
    assert recipe.id.startswith("lora:")
    assert recipe.id == LoraRecipe.from_config(replace(CONFIG, holdout_fraction=0.3), "x").id
    assert recipe.id != LoraRecipe.from_config(replace(CONFIG, lr=0.01), "cpu-small").id
    assert recipe.run_name == f"lora · cpu-small · {CONFIG.fusion} fusion"
    params = recipe.params
    assert params["preset"] == "cpu-small" and params["recipe"] == recipe.id
    assert params["max_length"] == 24 and params["holdout_fraction"] == 0.0


def test_epochs_of_each_fold_and_the_final_model_are_numbered_and_logged(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    saved_with: dict[str, Any] = {}

    def fake_fit_predict(config, callbacks):
        def fit_predict(train, test):
            for epoch in (1, 2):
                callbacks[0](_report(epoch))
            return np.full(len(test), 0.5), np.linspace(0, 1, len(test))

        return fit_predict

    def fake_run_training(config, examples, callbacks):
        for epoch in (1, 2):
            callbacks[0](_report(epoch))
        result = SimpleNamespace(seconds=7.0, best_epoch=1, device="cpu")
        split = SimpleNamespace(counts=lambda: {"train": 20, "val": 10})
        return SimpleNamespace(model="model", result=result, split=split, metrics=lambda: {})

    def fake_save_adapter(model, folder, metrics, extra_metadata):
        folder.mkdir()
        (folder / "config.json").write_text("{}")
        saved_with.update(extra_metadata)
        return folder

    monkeypatch.setattr(training_run, "lora_fit_predict", fake_fit_predict)
    monkeypatch.setattr(training_run, "run_training", fake_run_training)
    monkeypatch.setattr(training_run, "save_adapter", fake_save_adapter)
    recipe = LoraRecipe.from_config(CONFIG, "cpu-small", {"layers": ["defaults"]})
    run, registry = FakeRun(), FakeRegistry()
    log = logging.getLogger("test_training_run")
    epochs = EpochLog(run.log_metrics, log, recipe.config.total_epoch)
    examples = _productive_examples(30)

    with caplog.at_level(logging.INFO, logger="test_training_run"):
        result = train_candidate(
            recipe.candidate(examples, epochs), examples, two_folds(30), run, registry,
            resamples=100, seed=1,
        )  # fmt: skip

    assert [step for _, step in run.metrics] == [1001, 1002, 2001, 2002, 1, 2, 0]
    lines = [r.getMessage() for r in caplog.records if r.name == "test_training_run"]
    assert lines[0] == "fold 1 epoch 1/2: weighted F1 0.500, EMA 0.400 (best) (3 s)"
    assert lines[-1].startswith("final model epoch 2/2: ")
    parsed = [EPOCH_MESSAGE.match(line) for line in lines]
    assert [(m["fold"], m["epoch"], m["of"]) for m in parsed if m] == [
        ("1", "1", "2"), ("1", "2", "2"), ("2", "1", "2"), ("2", "2", "2"),
        (None, "1", "2"), (None, "2", "2"),
    ]  # fmt: skip
    assert saved_with == {
        "mlflow_run_id": "run-1",
        "preset": "cpu-small",
        "config_layers": {"layers": ["defaults"]},
    }
    assert run.artifacts == {"adapter": ["config.json"]}
    assert registry.registered[0][2] == {"family": "lora", "recipe": recipe.id}
    metadata = result.metadata()
    assert metadata["train_seconds"] == 7.0 and metadata["best_epoch"] == 1
    assert metadata["rows"] == {"train": 20, "val": 10} and metadata["fusion"] == CONFIG.fusion
