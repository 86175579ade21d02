"""``make demo`` is quiet: one line per step (and per training epoch, with the time left), the
full Dagster log in a file whose path it prints, at most 60 lines on screen.

The real ``make demo`` runs here, in a temporary demo folder (``DEMO_DIR``), with the tiny
random backbone in place of MiniLM (``VRDNDI_TEXT_ENCODER`` and the ``VRDNDI_TRAIN_*`` layer):
what it prints does not depend on the backbone, and the whole run takes well under a minute
instead of minutes."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import pytest

from tests.harness.model_support import tiny_backbone_env
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


def test_on_a_terminal_embedding_shows_a_bar_that_the_next_line_replaces() -> None:
    screen: list[str] = []
    printer = ProgressPrinter(screen.append, status=lambda text: screen.append(f"<bar>{text}"))
    for done in (256, 512):
        printer(
            SimpleNamespace(
                dagster_event=None,
                step_key="video_embeddings",
                user_message=f"embedded {done}/1024 video texts (4 s, about 12 s left)",
                level=logging.INFO,
                timestamp=0.0,
            )
        )
    printer(_step_event("STEP_SUCCESS", "video_embeddings", duration_ms=16000))
    assert screen == [
        "<bar>  video_embeddings: [######..................] 256/1024 video texts, about 12 s left",
        "<bar>  video_embeddings: [############............] 512/1024 video texts, about 12 s left",
        "<bar>",  # cleared before the step's line
        "  done     video_embeddings  (16.0 s)",
    ]
    lines: list[str] = []
    ProgressPrinter(lines.append)(  # not a terminal: no bar, no extra lines
        SimpleNamespace(
            dagster_event=None,
            step_key="video_embeddings",
            user_message="embedded 256/1024 video texts (4 s, about 12 s left)",
            level=logging.INFO,
            timestamp=0.0,
        )
    )
    assert lines == []


def _step_event(kind: str, step: str, **data: object) -> SimpleNamespace:
    event = SimpleNamespace(
        event_type_value=kind, step_key=step, event_specific_data=SimpleNamespace(**data)
    )
    return SimpleNamespace(dagster_event=event, step_key=step, timestamp=0.0)


def _nothing_stored() -> SimpleNamespace:
    return SimpleNamespace(metadata={}, asset_key=SimpleNamespace(to_user_string=lambda: "feed"))


def _check(step: str, name: str, passed: bool) -> SimpleNamespace:
    key = SimpleNamespace(to_user_string=lambda: step.split("_check")[0])
    return _step_event(
        "ASSET_CHECK_EVALUATION", step, passed=passed, asset_key=key, check_name=name
    )


def test_passing_checks_share_one_line_and_a_failing_one_shows() -> None:
    lines: list[str] = []
    printer = ProgressPrinter(lines.append)
    printer(_step_event("STEP_SUCCESS", "videos", duration_ms=1500))
    for n in (1, 2):
        printer(_check(f"videos_check{n}", f"rule{n}", passed=True))
        printer(_step_event("STEP_SUCCESS", f"videos_check{n}", duration_ms=100))
    printer(_check("videos_check3", "rule3", passed=False))
    printer(_step_event("STEP_SUCCESS", "videos_check3", duration_ms=100))
    printer(_check("videos_check4", "rule4", passed=True))
    printer(_step_event("STEP_SUCCESS", "videos_check4", duration_ms=200))
    # a step that materializes its asset and checks it in one go keeps its line
    printer(_step_event("ASSET_MATERIALIZATION", "feed", materialization=_nothing_stored()))
    printer(_check("feed", "beats_baseline", passed=True))
    printer(_step_event("STEP_SUCCESS", "feed", duration_ms=300))
    printer.finish()
    assert lines == [
        "  done     videos  (1.5 s)",
        "  checked  2 data checks passed  (0.2 s)",
        "  check    videos:rule3 did not pass",
        "  done     videos_check3  (0.1 s)",
        "  checked  1 data check passed  (0.2 s)",
        "  done     feed  (0.3 s)",
    ]
    assert printer.failed_checks == ["videos:rule3"]


def test_dagster_yaml_captures_vrdndi_python_logs(tmp_path: Path) -> None:
    shutil.copy(ROOT / "configs" / "dagster-instance.yaml", tmp_path / "dagster.yaml")
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


@pytest.mark.slow
def test_make_demo_prints_at_most_60_lines_and_keeps_the_full_log(tmp_path: Path) -> None:
    demo_dir = tmp_path / "demo"
    env = _demo_env(demo_dir)
    for name in ("VRDNDI_SOURCES", "VRDNDI_DATA_DIR", "DAGSTER_HOME"):
        env.pop(name)  # the Makefile sets these from DEMO_DIR
    env.update(tiny_backbone_env(), VRDNDI_TRAIN_MAX_LENGTH="16")
    result = subprocess.run(
        # -o: the demo's output, not a reinstall when pyproject.toml is newer than the venv
        ["make", "-s", "-o", ".venv/.installed", "demo", f"DEMO_DIR={demo_dir}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    screen = (result.stdout + result.stderr).splitlines()
    assert result.returncode == 0, "\n".join(screen[-40:])
    assert len(screen) <= 60, "\n".join(screen)
    assert screen[0].startswith("Demo labels seeded:")
    for line in (
        "  done     raw_aw_events",
        "  checked  ",
        "  training trained_lora_adapter: fold 1 epoch 1/1",
        "  done     feed_predictions",
        "| model | good time now ROC-AUC",
        "Feed of ",
        "More of the feed: make demo-feed",
    ):
        assert any(shown.startswith(line) for shown in screen), (line, screen)
    assert not [line for line in screen if " INFO " in line or "Warning" in line], screen
    log_line = next(line for line in screen if line.startswith("Full Dagster log: "))
    log = Path(log_line.removeprefix("Full Dagster log: ").strip())
    assert log.parent == demo_dir
    steps = [line for line in log.read_text().splitlines() if "STEP_SUCCESS" in line]
    assert len(steps) > 10  # the file holds what the screen leaves out
    _assert_candidate_runs_hold_png_plots(demo_dir, tmp_path / "downloaded")


def _assert_candidate_runs_hold_png_plots(demo_dir: Path, into: Path) -> None:
    """Each candidate's MLflow run of the demo holds its four plots, readable as PNGs."""
    from mlflow.tracking import MlflowClient
    from PIL import Image

    from vrdndi_pipeline.core.selection.plots import PLOT_FILES

    client = MlflowClient(tracking_uri=f"sqlite:///{demo_dir / 'mlflow.db'}")
    experiment = client.get_experiment_by_name("vrdndi")
    assert experiment is not None
    names = {run.info.run_name: run for run in client.search_runs([experiment.experiment_id])}
    candidates = {name.split(" · ")[1]: run for name, run in names.items() if " · " in name}
    assert {"ranker", "lora"} <= set(candidates), sorted(names)
    for run in candidates.values():
        folder = Path(client.download_artifacts(run.info.run_id, "plots", str(into)))
        for file in PLOT_FILES:
            with Image.open(folder / file) as image:
                assert image.format == "PNG" and min(image.size) > 200, (run.info.run_name, file)
                image.verify()
