"""``vrdndi ingest | train | refresh`` and the CLI's promises to people who do not open Dagster.

The commands run as a real subprocess (what a person sees): reading commands never create a
database, ``--demo ingest`` runs ingest_job on the bundled demo data with one line per step and
an end line. ``train`` is not run here (minutes): its options are unit-tested.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from vrdndi_pipeline import cli
from vrdndi_pipeline.cli_jobs import (
    JOB_COMMANDS,
    TRAIN_CONFIG_OP,
    JobArgumentError,
    dagster_instance,
    demo_environment,
    error_text,
    run_config_for,
)
from vrdndi_pipeline.core.settings import load_settings
from vrdndi_pipeline.core.store.database import make_engine
from vrdndi_pipeline.core.store.schema import aw_events, videos

ROOT = Path(__file__).resolve().parent.parent


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    """A person's environment: no VRDNDI_* or DAGSTER_HOME from the test runner's shell."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VRDNDI_", "DAGSTER_")) and k != "PYTHONPATH"
    }
    env.update({"VRDNDI_DATA_DIR": str(data_dir), **extra})
    return env


def _vrdndi(*args: str, env: dict[str, str], cwd: Path, timeout: float = 120):
    return subprocess.run(
        [sys.executable, "-m", "vrdndi_pipeline.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
    )


@pytest.mark.parametrize("command", [["feed"], ["summary"], ["db", "revision"]])
def test_reading_commands_on_a_missing_database_fail_and_create_nothing(
    tmp_path: Path, command: list[str]
) -> None:
    data_dir = tmp_path / "data"
    result = _vrdndi(*command, env=_env(data_dir), cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    database = data_dir / "vrdndi.db"
    assert f"no database at {database.resolve()}" in result.stderr
    assert "vrdndi ingest" in result.stderr and "make demo" in result.stderr
    assert not database.exists()
    assert not data_dir.exists()


@pytest.mark.slow
def test_demo_ingest_prints_one_line_per_step_and_stores_events(tmp_path: Path) -> None:
    """``--demo`` keeps an explicitly set VRDNDI_DATA_DIR (here tmp_path); the embedding step
    (30 s on the demo's 1,046 videos) is left out with ``--only``."""
    result = _vrdndi(
        "--demo",
        "ingest",
        "--only",
        "raw_aw_events",
        "--only",
        "youtube_videos",
        env=_env(tmp_path),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Running ingest_job on demo data (an ephemeral Dagster instance):"
    steps = [line.split()[1] for line in lines if line.startswith("  done ")]
    assert steps[:2] == ["raw_aw_events", "youtube_videos"], result.stdout
    assert all(line.rstrip().endswith(" s)") for line in lines if line.startswith("  done "))
    assert lines[-1].startswith("ingest_job succeeded in ")
    assert "raw_aw_events: rows +" in lines[-1] and "youtube_videos: videos +" in lines[-1]
    assert "DEBUG" not in result.stdout + result.stderr
    assert "STEP_START" not in result.stdout + result.stderr
    assert not (tmp_path / "data").exists()  # --demo did not move the data to ./data/demo
    engine = make_engine(f"sqlite:///{tmp_path / 'vrdndi.db'}")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(aw_events)).scalar_one() > 15_000
        assert conn.execute(select(func.count()).select_from(videos)).scalar_one() >= 1_000
    engine.dispose()


def test_help_lists_every_subcommand(tmp_path: Path) -> None:
    result = _vrdndi("--help", env=_env(tmp_path), cwd=tmp_path, timeout=60)
    assert result.returncode == 0
    for name in [*JOB_COMMANDS, "feed", "summary", "seed-demo-labels", "db", "auth"]:
        assert f"    {name}" in result.stdout, name
    assert "--demo" in result.stdout


@pytest.mark.parametrize(
    "command", [*JOB_COMMANDS, "feed", "summary", "seed-demo-labels", "db", "auth"]
)
def test_every_subcommand_has_a_description(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub = subparsers.choices[command]
    assert sub.description and len(sub.description) > 40
    assert any(c.dest == command and c.help for c in subparsers._choices_actions)
    with pytest.raises(SystemExit) as exit_:
        cli.main([command, "--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert sub.description.split()[0] in out


def _args(*argv: str) -> argparse.Namespace:
    return cli.build_parser().parse_args(argv)


def test_train_preset_goes_into_the_lora_assets_run_config(tmp_path: Path) -> None:
    settings = load_settings({"VRDNDI_DATA_DIR": str(tmp_path), "VRDNDI_TRAIN_PRESET": "x"})
    config = run_config_for("train", _args("train", "--preset", "bge-m3-gpu"), settings)
    assert config["ops"][TRAIN_CONFIG_OP]["config"] == {"preset": "bge-m3-gpu"}
    assert config["loggers"]["console"]["config"]["log_level"] == "CRITICAL"
    default = run_config_for("train", _args("train"), settings)
    assert default["ops"][TRAIN_CONFIG_OP]["config"] == {"preset": "x"}
    verbose = run_config_for("train", _args("-v", "train"), settings)
    assert "loggers" not in verbose  # -v: Dagster's own log as it is


def test_train_config_file_is_read_and_preset_overrides_it(tmp_path: Path) -> None:
    settings = load_settings({"VRDNDI_DATA_DIR": str(tmp_path)})
    demo_run = str(ROOT / "configs" / "demo-run.yaml")
    from_file = run_config_for("train", _args("train", "-c", demo_run), settings)
    op = from_file["ops"][TRAIN_CONFIG_OP]["config"]
    assert op["preset"] == "cpu-small" and op["total_epoch"] == 1
    overridden = run_config_for(
        "train", _args("train", "-c", demo_run, "--preset", "p.yaml"), settings
    )
    assert overridden["ops"][TRAIN_CONFIG_OP]["config"]["preset"] == "p.yaml"
    assert overridden["ops"][TRAIN_CONFIG_OP]["config"]["total_epoch"] == 1
    (tmp_path / "list.yaml").write_text("- 1\n")
    with pytest.raises(JobArgumentError, match="not a YAML mapping"):
        run_config_for("train", _args("train", "-c", str(tmp_path / "list.yaml")), settings)
    with pytest.raises(SystemExit):  # only train takes a preset
        _args("ingest", "--preset", "cpu-small")
    assert "ops" not in run_config_for("ingest", _args("ingest"), settings)


def test_demo_environment_keeps_an_explicit_data_dir(tmp_path: Path) -> None:
    assert demo_environment({}, tmp_path) == {
        "VRDNDI_SOURCES": "demo",
        "VRDNDI_DATA_DIR": str((tmp_path / "data" / "demo").resolve()),
        "DAGSTER_HOME": "",  # no make demo instance there: an ephemeral one
    }
    (tmp_path / "mine" / "dagster").mkdir(parents=True)
    (tmp_path / "mine" / "dagster" / "dagster.yaml").write_text("telemetry: {enabled: false}\n")
    changes = demo_environment({"VRDNDI_DATA_DIR": str(tmp_path / "mine")}, tmp_path)
    assert changes == {
        "VRDNDI_SOURCES": "demo",
        "DAGSTER_HOME": str((tmp_path / "mine" / "dagster").resolve()),
    }


def test_error_text_names_the_raised_error_and_its_root_cause() -> None:
    from dagster._utils.error import SerializableErrorInfo

    root = SerializableErrorInfo(
        "ConnectionRefusedError: [Errno 111] refused", [], "ConnectionRefusedError"
    )
    raised = SerializableErrorInfo(
        "vrdndi.x.ActivityWatchUnavailable: Cannot reach \x1b[2J it",
        [],
        "ActivityWatchUnavailable",
        cause=root,
    )
    wrapper = SerializableErrorInfo(
        'dagster._core.errors.DagsterExecutionStepExecutionError: Error in op "a"',
        [],
        "DagsterExecutionStepExecutionError",
        cause=raised,
    )
    assert error_text(wrapper) == (
        "ActivityWatchUnavailable: Cannot reach [2J it\n"
        "cause: ConnectionRefusedError: [Errno 111] refused"
    )
    assert error_text(None) == "no error recorded"


def test_without_dagster_home_vrdndi_logs_still_reach_the_run(monkeypatch) -> None:
    """The epoch lines and the embedding bar come from vrdndi's own loggers: an ephemeral
    instance captures them as configs/dagster-instance.yaml does."""
    import yaml

    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    template = yaml.safe_load(
        (Path(__file__).parent.parent / "configs" / "dagster-instance.yaml").read_text()
    )
    with dagster_instance() as instance:
        assert instance.is_ephemeral
        assert instance.managed_python_loggers == template["python_logs"]["managed_python_loggers"]
        assert instance.python_log_level == template["python_logs"]["python_log_level"]
