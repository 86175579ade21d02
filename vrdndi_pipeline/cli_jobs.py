"""``vrdndi ingest | train | refresh``: a Dagster job run in this process, for people who do not
open Dagster.

The run goes to the Dagster instance of ``DAGSTER_HOME`` when that is set (so it shows in the
UI of ``make dev`` / ``make demo-ui``), else to an ephemeral one that is gone when the command
ends. Dagster's own console log is turned down to warnings (``-v`` keeps it); instead the
command writes one line per step as it finishes, with its time, and one end line: what the run
did, or the failure's message and its cause.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vrdndi_pipeline.core.settings import Settings
from vrdndi_pipeline.core.validation import terminal_text

if TYPE_CHECKING:
    import dagster as dg
    from dagster._utils.error import SerializableErrorInfo


@dataclass(frozen=True, slots=True)
class JobCommand:
    """A subcommand that runs one Dagster job."""

    job_name: str
    help: str
    description: str


JOB_COMMANDS: dict[str, JobCommand] = {
    "ingest": JobCommand(
        "ingest_job",
        "fetch new activity and videos into the database (runs ingest_job)",
        "Run ingest_job in this process: read new ActivityWatch events, YouTube videos, "
        "ratings and watch history into the database (created when missing) and embed the new "
        "videos' texts. Prints one line per step and what the run stored.",
    ),
    "train": JobCommand(
        "train_job",
        "train the models and promote the best (runs train_job; minutes)",
        "Run train_job in this process: build the training tables, train the ranker and the "
        "LoRA model, evaluate them and the baseline on time-ordered folds and promote the "
        "best. Takes minutes on a CPU; the preset comes from --preset, else "
        "VRDNDI_TRAIN_PRESET, else cpu-small.",
    ),
    "daily": JobCommand(
        "daily_job",
        "ingest, train and refresh the feed in one run (runs daily_job; minutes)",
        "Run daily_job in this process: ingest_job's, train_job's and feed_refresh_job's "
        "assets in one run (what make demo runs on the demo data). Prints one line per step, "
        "one per training epoch with an estimate of the time left, and what the run stored.",
    ),
    "refresh": JobCommand(
        "feed_refresh_job",
        "rank the recent uploads and replace the feed (runs feed_refresh_job)",
        "Run feed_refresh_job in this process: read the last hours of ActivityWatch, score the "
        "recent uploads with the champion model (or a cold-start fallback) and replace the "
        "feed. Then `vrdndi feed` prints it.",
    ),
}

TRAIN_CONFIG_OP = "trained_lora_adapter"  # the asset whose run config takes the preset


def add_job_arguments(parser: argparse.ArgumentParser, command: str) -> None:
    """The options of a job subcommand."""
    parser.add_argument(
        "-c",
        "--config",
        type=Path,
        metavar="YAML",
        help="a Dagster run config file (as `dagster job execute -c` takes), "
        "e.g. configs/demo-run.yaml",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="ASSET",
        help="run only this asset of the job (repeatable), e.g. --only raw_aw_events",
    )
    parser.add_argument(
        "--log-file",
        type=Path,
        metavar="PATH",
        help="write the run's full Dagster log (every event, the steps' own logs, stack "
        "traces) to this file, replaced each run; e.g. data/demo/last-run.log",
    )
    if command in ("train", "daily"):
        parser.add_argument(
            "--preset",
            help="model preset in configs/ (cpu-small, bge-m3-gpu) or a YAML path "
            "(default: VRDNDI_TRAIN_PRESET, else cpu-small)",
        )


class JobArgumentError(ValueError):
    """A job subcommand's option that cannot be used (a config file, an asset name)."""


def run_config_for(command: str, args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    """The run config of a job subcommand: ``--config``'s file, with ``train``'s preset
    (``--preset``, else the file's, else ``VRDNDI_TRAIN_PRESET``) set in it."""
    config: dict[str, Any] = {}
    if args.config is not None:
        import yaml

        try:
            loaded = yaml.safe_load(Path(args.config).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise JobArgumentError(f"cannot read the run config {args.config}: {error}") from error
        if loaded is not None and not isinstance(loaded, dict):
            raise JobArgumentError(f"the run config {args.config} is not a YAML mapping")
        config = loaded or {}
    if command in ("train", "daily"):
        op_config = (
            config.setdefault("ops", {}).setdefault(TRAIN_CONFIG_OP, {}).setdefault("config", {})
        )
        if args.preset:
            op_config["preset"] = args.preset
        else:
            op_config.setdefault("preset", settings.train_preset)
    if not args.verbose:  # Dagster's console log off: the progress lines say what happens
        config.setdefault("loggers", {}).setdefault("console", {}).setdefault("config", {})[
            "log_level"
        ] = "CRITICAL"
    return config


# the `python_logs` of configs/dagster-instance.yaml: epoch lines and progress for the printer
EPHEMERAL_SETTINGS = {
    "python_logs": {"managed_python_loggers": ["vrdndi_pipeline"], "python_log_level": "INFO"}
}


@contextmanager
def dagster_instance() -> Iterator[dg.DagsterInstance]:
    """``DAGSTER_HOME``'s instance when that is set (the run shows in the UI), else an
    ephemeral one."""
    import dagster as dg

    if os.environ.get("DAGSTER_HOME", "").strip():
        with dg.DagsterInstance.get() as instance:
            yield instance
    else:  # vrdndi's own log lines reach the run, as configs/dagster-instance.yaml makes them
        with dg.DagsterInstance.ephemeral(settings=EPHEMERAL_SETTINGS) as instance:
            yield instance


def _seconds(ms: float) -> str:
    seconds = ms / 1000
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def _one_error(error: SerializableErrorInfo) -> str:
    """``Class: message``, without the module path Dagster puts before the class."""
    message = error.message.strip()
    head, sep, rest = message.partition(": ")
    if sep and error.cls_name and head.split(".")[-1] == error.cls_name:
        message = rest
    return f"{error.cls_name}: {message}" if error.cls_name else message


def error_text(error: SerializableErrorInfo | None) -> str:
    """A failed step's error in at most two lines: the error the step's code raised (not
    Dagster's wrapper around it) and, when there is one, the root cause of that error."""
    if error is None:
        return "no error recorded"
    chain = []
    current: SerializableErrorInfo | None = error
    while current is not None:
        chain.append(current)
        current = current.cause or current.context
    raised = next((e for e in chain if not (e.cls_name or "").startswith("Dagster")), chain[0])
    lines = [_one_error(raised)]
    if chain[-1] is not raised:
        lines.append(f"cause: {_one_error(chain[-1])}")
    return "\n".join(terminal_text(line) for line in lines)


# What trained_lora_adapter logs after each epoch: "fold 2 epoch 1/3: ..." / "final model epoch ..."
EPOCH_MESSAGE = re.compile(r"^(?:fold (?P<fold>\d+)|final model) epoch (?P<epoch>\d+)/(?P<of>\d+)")
# What the embedding cache logs after each chunk: "embedded 512/1619 event texts (5 s, about 12 s left)"
EMBEDDED_MESSAGE = re.compile(
    r"^embedded (?P<done>\d+)/(?P<of>\d+) (?P<what>[^(]+?) \(.*about (?P<left>\d+) s left\)"
)
BAR_WIDTH = 24


def progress_bar(done: int, of: int, width: int = BAR_WIDTH) -> str:
    """`[#########...............]`: the share `done` of `of`, in `width` characters."""
    filled = min(width, round(width * done / of)) if of > 0 else width
    return "[" + "#" * filled + "." * (width - filled) + "]"


class ProgressPrinter:
    """Receives a run's events (``instance.add_event_listener``) and writes one line per
    finished step, one per training epoch with an estimate of the step's time left; gathers
    what the steps stored and the first failure. Asset checks that pass share one line (a
    failing one gets its own); ``finish()`` writes what is still pending. ``trainings`` is how
    many models a training step fits (the evaluation folds and the final model), for that
    estimate. With `status` (a terminal), long steps that report how far they are (embedding
    texts) show a progress bar that the next line replaces."""

    def __init__(
        self,
        write: Callable[[str], None],
        trainings: int = 1,
        status: Callable[[str], None] | None = None,
    ) -> None:
        self._write = write
        self._status = status
        self._status_shown = False
        self._trainings = max(trainings, 1)
        self._started: dict[str, float] = {}
        self._epochs_done: dict[str, int] = {}
        self.stored: list[str] = []
        self.failed_checks: list[str] = []
        self.failure: tuple[str, str] | None = None  # (step, error text)
        self._check_steps: set[str] = set()  # steps that evaluated checks
        self._failing_steps: set[str] = set()  # ... of which one did not pass
        self._asset_steps: set[str] = set()  # steps that materialized an asset
        self._checks_passed: list[float] = []  # seconds of each passed check step not yet shown

    def _line(self, text: str) -> None:
        self.finish()
        self._write(text)

    def _show_status(self, text: str) -> None:
        if self._status is not None:
            self._status(text)
            self._status_shown = bool(text)

    def finish(self) -> None:
        """Clear the progress bar; write the line of the passed checks not yet shown."""
        if self._status_shown:
            self._show_status("")
        if self._checks_passed:
            count, took = len(self._checks_passed), sum(self._checks_passed)
            self._checks_passed = []
            noun = "check" if count == 1 else "checks"
            self._write(f"  checked  {count} data {noun} passed  ({_seconds(took * 1000)})")

    def __call__(self, entry: Any) -> None:
        event = entry.dagster_event
        if event is None:  # a message the step's code logged: its warnings and errors show
            epoch = EPOCH_MESSAGE.match(entry.user_message or "")
            embedded = EMBEDDED_MESSAGE.match(entry.user_message or "")
            if epoch and entry.step_key and entry.level == logging.INFO:
                self._epoch_line(entry.step_key, entry, epoch)
            elif embedded and entry.step_key:
                done, of = int(embedded["done"]), int(embedded["of"])
                self._show_status(
                    f"  {entry.step_key}: {progress_bar(done, of)} {done}/{of} "
                    f"{terminal_text(embedded['what'])}, about {embedded['left']} s left"
                )
            elif entry.step_key and entry.user_message.startswith("Dependencies for step"):
                self._line(f"  skipped  {entry.step_key}  (a step it needs failed)")
            elif entry.level >= logging.WARNING and entry.user_message:
                level = "warning" if entry.level < logging.ERROR else "error"
                where = f" {entry.step_key}:" if entry.step_key else ""
                self._line(f"  {level}{where} {terminal_text(entry.user_message)}")
            return
        kind = event.event_type_value
        step = event.step_key or ""
        if kind == "STEP_START":
            self._started[step] = entry.timestamp
        elif kind == "STEP_SUCCESS":
            took_ms = event.event_specific_data.duration_ms
            if step in self._check_steps - self._failing_steps - self._asset_steps:
                self._checks_passed.append(took_ms / 1000)
            else:
                self._line(f"  done     {step}  ({_seconds(took_ms)})")
        elif kind == "STEP_FAILURE":
            took = (entry.timestamp - self._started.get(step, entry.timestamp)) * 1000
            self._line(f"  FAILED   {step}  ({_seconds(took)})")
            if self.failure is None:
                self.failure = (step, error_text(event.event_specific_data.error))
        elif kind == "STEP_SKIPPED":
            self._line(f"  skipped  {step}")
        elif kind == "ASSET_MATERIALIZATION":
            self._asset_steps.add(step)
            materialization = event.event_specific_data.materialization
            changed = [
                f"{key.removesuffix('_inserted')} +{value.value}"
                if key.endswith("_inserted")
                else f"{value.value} {key.removesuffix('_updated')} updated"
                for key, value in materialization.metadata.items()
                if key.endswith(("_inserted", "_updated"))
                and isinstance(value.value, int)
                and value.value
            ]
            if changed:
                name = materialization.asset_key.to_user_string()
                self.stored.append(f"{name}: {', '.join(changed)}")
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            self._check_steps.add(step)
            if not evaluation.passed:
                self._failing_steps.add(step)
                self.failed_checks.append(
                    f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                )
                self._line(f"  check    {self.failed_checks[-1]} did not pass")

    def _epoch_line(self, step: str, entry: Any, epoch: re.Match[str]) -> None:
        """``  training <step>: fold 1 epoch 1/2 (1/6 epochs), about 2.1 min left``: the time
        left assumes every epoch to come takes as long as the step's epochs so far did."""
        of = int(epoch["of"])
        done = self._epochs_done.get(step, 0) + 1
        self._epochs_done[step] = done
        total = max(self._trainings * of, done)
        elapsed = entry.timestamp - self._started.get(step, entry.timestamp)
        left = elapsed / done * (total - done)
        estimate = f"about {_seconds(left * 1000)} left" if total > done else "last epoch"
        message = terminal_text(entry.user_message.split(" (", 1)[0])
        self._line(f"  training {step}: {message} ({done}/{total} epochs), {estimate}")


class RunLogFile:
    """Receives a run's events and writes each as one line (more for a stack trace) to a
    file, like Dagster's console log at DEBUG: the full log the progress lines leave out."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = path.open("w", encoding="utf-8")

    def __call__(self, entry: Any) -> None:
        event = entry.dagster_event
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.timestamp))
        level = logging.getLevelName(entry.level)
        kind = f"{event.event_type_value} - " if event is not None else ""
        message = (event.message if event is not None else None) or entry.user_message or ""
        self._file.write(
            f"{stamp} - {level} - {entry.job_name} - {entry.run_id[:8]} - "
            f"{entry.step_key or '-'} - {kind}{message}\n"
        )
        error = getattr(event.event_specific_data, "error", None) if event is not None else None
        if error is not None:
            self._file.write(error.to_string() + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()


CHATTY_LIBRARIES = ("mlflow", "alembic")


@contextmanager
def quiet_python_logs(verbose: bool) -> Iterator[None]:
    """The root logger's handlers shown only warnings during the run (unless ``-v``): the
    instance's ``python_logs`` (dagster.yaml) turns vrdndi's loggers to INFO for the run, and
    their records would reach the terminal through those handlers too."""
    handlers = [] if verbose else logging.getLogger().handlers
    # libraries with handlers of their own ("Creating initial MLflow database tables...")
    loggers = [] if verbose else [logging.getLogger(name) for name in CHATTY_LIBRARIES]
    levels = [handler.level for handler in handlers]
    logger_levels = [logger.level for logger in loggers]
    for handler in handlers:
        handler.setLevel(max(handler.level, logging.WARNING))
    for logger in loggers:
        logger.setLevel(max(logger.level, logging.WARNING))
    try:
        yield
    finally:
        for handler, level in zip(handlers, levels, strict=True):
            handler.setLevel(level)
        for logger, level in zip(loggers, logger_levels, strict=True):
            logger.setLevel(level)


def _no_progress_bars() -> None:
    """No Hugging Face download / weight-loading bars (tqdm on stderr) and no MLflow INFO
    lines (MLflow sets its loggers to INFO when imported, after :func:`quiet_python_logs`):
    the progress lines say what happens. Set before the libraries read them, and in them when
    already imported."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("MLFLOW_LOGGING_LEVEL", "WARNING")
    if "huggingface_hub" in sys.modules:
        sys.modules["huggingface_hub"].utils.disable_progress_bars()
    if "transformers" in sys.modules:
        sys.modules["transformers"].utils.logging.disable_progress_bar()


def _trainings(defs: dg.Definitions, run_config: Mapping[str, Any]) -> int:
    """How many models a training step fits: one per evaluation fold, one on all rows."""
    folds = getattr(defs.resources.get("evaluation"), "folds", 4)
    configured = run_config.get("resources", {}).get("evaluation", {}).get("config", {})
    if isinstance(configured, Mapping) and isinstance(configured.get("folds"), int):
        folds = configured["folds"]
    return int(folds) + 1


def run_job_command(
    command: str,
    args: argparse.Namespace,
    settings: Settings,
    write: Callable[[str], None],
    write_error: Callable[[str], None],
    status: Callable[[str], None] | None = None,
) -> int:
    """Run the job of ``command``; 0 when the run succeeded, 1 when it failed, 2 when the
    options cannot be used. ``status`` shows a progress bar in place (a terminal)."""
    import dagster as dg

    from vrdndi_pipeline.core.private_files import private_dir
    from vrdndi_pipeline.definitions import build_definitions

    spec = JOB_COMMANDS[command]
    try:
        run_config = run_config_for(command, args, settings)
    except JobArgumentError as error:
        write_error(f"vrdndi: {terminal_text(error)}")
        return 2
    private_dir(settings.data_dir)  # a person's watch history: only they may open the folder
    if not args.verbose:
        _no_progress_bars()
    defs = build_definitions(settings)
    job = defs.resolve_job_def(spec.job_name)
    asset_selection = None
    if args.only:
        known = {key.to_user_string(): key for key in job.asset_layer.selected_asset_keys}
        unknown = [name for name in args.only if name not in known]
        if unknown:
            write_error(
                f"vrdndi: {spec.job_name} has no asset {', '.join(map(repr, unknown))}; "
                f"its assets: {', '.join(sorted(known))}"
            )
            return 2
        asset_selection = [known[name] for name in args.only]

    progress = ProgressPrinter(write, _trainings(defs, run_config), status)
    log_file = RunLogFile(args.log_file) if getattr(args, "log_file", None) else None
    run_id = str(uuid.uuid4())
    started = time.monotonic()
    with dagster_instance() as instance:
        where = (
            f"the Dagster instance in {instance.root_directory}"
            if not instance.is_ephemeral
            else "an ephemeral Dagster instance"
        )
        write(f"Running {spec.job_name} on {settings.sources} data ({where}):")
        instance.add_event_listener(run_id, progress)
        if log_file is not None:
            instance.add_event_listener(run_id, log_file)
        try:
            with quiet_python_logs(args.verbose):
                result = job.execute_in_process(
                    run_config=run_config,
                    instance=instance,
                    raise_on_error=False,
                    asset_selection=asset_selection,
                    run_id=run_id,
                    tags={"vrdndi/launched_by": "vrdndi-cli"},
                )
            success = result.success
        except dg.DagsterInvalidConfigError as error:
            write_error(f"vrdndi: {spec.job_name}: invalid run config: {terminal_text(error)}")
            return 2
        except Exception as error:  # noqa: BLE001 - the end line names it; -v shows the stack
            if args.verbose:
                raise
            write_error(
                f"vrdndi: {spec.job_name} failed: {type(error).__name__}: {terminal_text(error)}"
            )
            return 1
        finally:
            progress.finish()
            if log_file is not None:
                log_file.close()
                write(f"Full Dagster log: {log_file.path}")
    took = _seconds((time.monotonic() - started) * 1000)
    if success:
        stored = "; ".join(progress.stored) if progress.stored else "nothing new to store"
        write(f"{spec.job_name} succeeded in {took}: {stored}.")
        if progress.failed_checks:
            write(f"  checks that did not pass: {', '.join(progress.failed_checks)}")
        return 0
    step, message = progress.failure or ("?", "the run failed before any step failed")
    write_error(f"{spec.job_name} FAILED in {took} at step {step}:\n{_indent(message)}")
    if not args.verbose:
        write_error("  (run again with -v for Dagster's full log and stack traces)")
    return 1


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())


def demo_environment(environ: Mapping[str, str], cwd: Path) -> dict[str, str]:
    """The variables ``--demo`` sets: ``VRDNDI_SOURCES=demo`` and, unless ``VRDNDI_DATA_DIR``
    is set (an explicit data folder wins), the demo's folder ``data/demo`` (as ``make demo``),
    with ``DAGSTER_HOME`` its ``dagster/`` when ``make demo`` made one there (so runs show in
    ``make demo-ui``); else no ``DAGSTER_HOME`` (an ephemeral instance: demo runs never land in
    the instance of your own data)."""
    changes = {"VRDNDI_SOURCES": "demo"}
    data_dir = environ.get("VRDNDI_DATA_DIR", "").strip()
    if not data_dir:
        data_dir = str((cwd / "data" / "demo").resolve())
        changes["VRDNDI_DATA_DIR"] = data_dir
    dagster_home = Path(data_dir).expanduser() / "dagster"
    changes["DAGSTER_HOME"] = (
        str(dagster_home.resolve()) if (dagster_home / "dagster.yaml").is_file() else ""
    )
    return changes


def apply_demo_environment() -> None:
    """Set ``--demo``'s variables in this process, before settings load."""
    for name, value in demo_environment(os.environ, Path.cwd()).items():
        if value:
            os.environ[name] = value
        else:
            os.environ.pop(name, None)


def stdout_line(text: str = "") -> None:
    """One line to standard output, flushed (a pipe shows each step as it finishes)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def terminal_status(text: str) -> None:
    """Replace the terminal's current line with `text` (no newline; empty clears it)."""
    sys.stdout.write("\r\x1b[K" + text)
    sys.stdout.flush()


def stderr_line(text: str) -> None:
    """One line to standard error, flushed."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
