"""``make demo`` is quiet: one line per step (and per training epoch, with the time left), the
full Dagster log in a file whose path it prints, at most 60 lines on screen.

The whole demo takes minutes here (ingest, embedding, five model fits), too long for a test; so
the line budget is checked on its cheapest step run the way the Makefile runs the job (the CLI
with ``--log-file``, in the demo's instance), the epoch lines on the printer itself, and the
Makefile's recipe for echo lines."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from types import SimpleNamespace

import dagster as dg

from vrdndi_pipeline.cli_jobs import ProgressPrinter

ROOT = Path(__file__).resolve().parent.parent


def _demo_env(data_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VRDNDI_", "DAGSTER_")) and k != "PYTHONPATH"
    }
    env.update(
        VRDNDI_SOURCES="demo",
        VRDNDI_DATA_DIR=str(data_dir),
        DAGSTER_HOME=str(data_dir / "dagster"),
    )
    return env


def test_training_epochs_print_the_time_left() -> None:
    lines: list[str] = []
    printer = ProgressPrinter(lines.append, trainings=3)
    step = "trained_lora_adapter"

    def message(text: str, at: float) -> SimpleNamespace:
        return SimpleNamespace(
            dagster_event=None,
            step_key=step,
            user_message=text,
            level=logging.INFO,
            timestamp=at,
        )

    start = SimpleNamespace(event_type_value="STEP_START", step_key=step)
    printer(SimpleNamespace(dagster_event=start, step_key=step, timestamp=100.0))
    printer(message("fold 1 epoch 1/2: weighted F1 0.500, EMA 0.500 (best) (10 s)", 110.0))
    printer(message("some other progress", 115.0))
    printer(message("fold 1 epoch 2/2: weighted F1 0.600, EMA 0.550 (best) (10 s)", 120.0))
    printer(message("final model epoch 2/2: weighted F1 0.700, EMA 0.600 (10 s)", 160.0))
    assert lines == [
        "  training trained_lora_adapter: fold 1 epoch 1/2: weighted F1 0.500, EMA 0.500 (1/6 epochs), about 50.0 s left",
        "  training trained_lora_adapter: fold 1 epoch 2/2: weighted F1 0.600, EMA 0.550 (2/6 epochs), about 40.0 s left",
        "  training trained_lora_adapter: final model epoch 2/2: weighted F1 0.700, EMA 0.600 (3/6 epochs), about 60.0 s left",
    ]


def test_dagster_yaml_captures_vrdndi_python_logs(tmp_path: Path) -> None:
    shutil.copy(ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(tmp_path)) as instance:
        assert instance.managed_python_loggers == ["vrdndi_pipeline"]
        assert instance.python_log_level == "INFO"


def test_make_demo_echoes_no_recipe_line_and_uses_the_cli() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(makefile) if line.startswith("demo:"))
    recipe = []
    for line in makefile[start + 1 :]:
        if not line.startswith("\t"):
            break
        recipe.append(line)
    assert recipe and all(line.startswith("\t@") for line in recipe), recipe
    assert not any("dagster job execute" in line for line in recipe)
    assert any(" daily " in line and "--log-file" in line for line in recipe)
