"""MLflow as a Dagster resource: training runs, the adapter registry and its `champion` alias.

Everything goes through one :class:`mlflow.MlflowClient` bound to `tracking_uri` (and the same
URI as registry), created on first use. The global `mlflow.set_tracking_uri` and the fluent
`mlflow.start_run` are never used: they are process-wide state that would leak between runs
and tests, and `MLFLOW_REGISTRY_URI` in the environment would silently redirect the registry.

Adapters are a plain folder of files (PEFT `save_pretrained` + config), not an MLflow model
flavor: the folder is logged as run artifacts and each registered version's `source` is that
artifact folder (`<run artifact uri>/<artifact_path>`), which MLflow 3 accepts for local
stores as long as `run_id` is given and the folder lies inside the run's artifact root.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import dagster as dg
from pydantic import PrivateAttr

from vrdndi_pipeline.core.private_files import private_dir
from vrdndi_pipeline.core.selection.version_tags import COMPARISON_TAG, FAMILY_TAG, RECIPE_TAG
from vrdndi_pipeline.core.vocabulary import metric_key
from vrdndi_pipeline.resources.env_var_config import EnvVarString, from_variable

if TYPE_CHECKING:
    from mlflow import MlflowClient

    from vrdndi_pipeline.core.settings import Settings

logger = logging.getLogger(__name__)

CHAMPION_ALIAS = "champion"
RUN_NAME_TAG = "mlflow.runName"  # what the UI shows; set_tag renames a run
RUN_NAME = re.compile(r"^v\d+ · (lora|ranker|baseline)( · [^·]+)? · \d{4}-\d{2}-\d{2}$")

# MLflow's own limits (mlflow.utils.validation: MAX_PARAM_VAL_LENGTH,
# MAX_PARAMS_TAGS_PER_BATCH, MAX_METRICS_PER_BATCH); a test checks they still match.
MAX_PARAM_VALUE_LENGTH = 6000
PARAMS_PER_BATCH = 100
METRICS_PER_BATCH = 1000


def flatten_params(params: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested mappings/dataclasses as `{"model.lora.r": "8"}`, values cut to MLflow's limit.

    MLflow would refuse (or, by default, truncate with a warning) a longer value; cutting here
    makes the logged value the same against every backend.
    """
    flat: dict[str, str] = {}
    for key, value in params.items():
        name = f"{prefix}{key}"
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            value = dataclasses.asdict(value)
        if isinstance(value, Mapping):
            flat.update(flatten_params(value, prefix=f"{name}."))
        else:
            flat[name] = str(value)[:MAX_PARAM_VALUE_LENGTH]
    return flat


def run_name(version: str | None, family: str, preset: str | None, started_ms: int) -> str:
    """`v3 · lora · cpu-small · 2026-10-01`: the registered version, the family, its preset
    (families without one leave it out) and the local day the run started."""
    day = datetime.fromtimestamp(started_ms / 1000).astimezone().date().isoformat()
    parts = [f"v{version}" if version else "unregistered", family, preset, day]
    return " · ".join(part for part in parts if part)


def metric_spelling(key: str) -> str:
    """The key with `.` and `_` the same: two keys equal here are one metric twice."""
    return metric_key(key).replace(".", "_")


def colliding_metric_keys(keys: Iterable[str]) -> list[tuple[str, str]]:
    """Pairs of distinct keys that differ only by `.`/`_` (`holdout.f1`/`holdout_f1`)."""
    seen: dict[str, str] = {}
    pairs = []
    for key in sorted(set(keys)):
        other = seen.setdefault(metric_spelling(key), key)
        if other != key:
            pairs.append((other, key))
    return pairs


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _now_ms() -> int:
    return int(time.time() * 1000)


def _local_path_or_uri(location: str) -> str:
    """Plain paths made absolute (runs may start in any folder); URIs (s3://, file:) kept."""
    if len(urlsplit(location).scheme) > 1:  # a one-letter scheme is a Windows drive
        return location
    return str(Path(location).expanduser().resolve())


def _error_code(error: Exception) -> str | None:
    return getattr(error, "error_code", None)


@dataclass(frozen=True, slots=True)
class ChampionInfo:
    """The registered version the `champion` alias points at.

    `local_path` is the model folder (a LoRA adapter or a ranker): for a local artifact store
    the stored folder itself (treat it as read-only), otherwise a downloaded copy. `metrics`
    has all of the run's latest metric values, `tags` the version's tags.
    """

    version: str
    run_id: str | None
    source: str
    local_path: Path
    metrics: dict[str, float]
    tags: dict[str, str]

    @property
    def family(self) -> str:
        """`ranker` or `lora` (versions registered before the ranker existed: `lora`)."""
        return self.tags.get(FAMILY_TAG, "lora")

    @property
    def recipe(self) -> str | None:
        """The family and configuration it was trained with (see `selection.heldout`)."""
        return self.tags.get(RECIPE_TAG)

    @property
    def label(self) -> str:
        return f"champion v{self.version} ({self.family})"


class ChampionCache:
    """The last champion lookup, kept in a JSON file beside a local SQLite tracking store and
    trusted only while the store's files are unchanged (size and modification time of the
    database and its journal): every MLflow write — a run, a tag, the alias moving — changes
    them, and the next lookup asks MLflow again. Only local artifact folders are cached."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self.path = store.with_name(store.name + ".champion.json")

    @classmethod
    def for_uri(cls, tracking_uri: str) -> ChampionCache | None:
        if not tracking_uri.startswith("sqlite:///"):
            return None
        return cls(Path(tracking_uri.removeprefix("sqlite:///")))

    def stamp(self) -> list[list[object]] | None:
        parts = []
        for suffix in ("", "-wal", "-journal"):
            file = self.store.with_name(self.store.name + suffix)
            try:
                info = file.stat()
            except FileNotFoundError:
                if not suffix:
                    return None
                continue
            parts.append([suffix, info.st_size, info.st_mtime_ns])
        return parts

    def read(self) -> ChampionInfo | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("stamp") != self.stamp() or data.get("champion") is None:
            return None
        champion = data["champion"]
        if not Path(champion["local_path"]).is_dir():
            return None
        return ChampionInfo(**{**champion, "local_path": Path(champion["local_path"])})

    def write(self, info: ChampionInfo | None, stamp_before: list[list[object]] | None) -> None:
        stamp = self.stamp()
        if stamp is None or stamp != stamp_before:  # MLflow wrote meanwhile: do not trust it
            return
        if info is not None and not _is_local_folder(info.source, info.local_path):
            return
        body = (
            None
            if info is None
            else {**dataclasses.asdict(info), "local_path": str(info.local_path)}
        )
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        try:
            tmp.write_text(json.dumps({"stamp": stamp, "champion": body}), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:  # a read-only store folder: no cache, no harm
            logger.debug("could not write %s", self.path, exc_info=True)


def _is_local_folder(source: str, local_path: Path) -> bool:
    """Whether `local_path` is the artifact folder `source` itself (a local store)."""
    path = source.removeprefix("file://")
    return len(urlsplit(path).scheme) <= 1 and Path(path).resolve() == local_path.resolve()


class RunHandle:
    """An MLflow run in progress; use it in a `with` block.

    Leaving the block normally ends the run FINISHED; an exception ends it FAILED (KILLED for
    KeyboardInterrupt and other BaseExceptions such as a Dagster run being terminated) and is
    re-raised.
    """

    def __init__(self, tracking: MlflowTracking, run_id: str, artifact_uri: str) -> None:
        self.tracking = tracking
        self.run_id = run_id
        self.artifact_uri = artifact_uri
        self._keys: dict[str, str] = {}  # metric_spelling -> the key logged under it

    def log_metrics(self, metrics: Mapping[str, float | None], step: int) -> None:
        """Log `metrics`; a key that differs from one already logged only by `.`/`_`
        is refused (ValueError), so that the run lists each metric under one name."""
        for key, value in metrics.items():
            if value is None:
                continue
            logged = self._keys.setdefault(metric_spelling(key), metric_key(key))
            if logged != metric_key(key):
                raise ValueError(f"metric {key!r} is {logged!r} under another name; use one")
        self.tracking.log_metrics(self.run_id, metrics, step)

    def log_artifacts(self, local_dir: str | Path, artifact_path: str) -> None:
        self.tracking.log_artifacts(self.run_id, local_dir, artifact_path)

    def log_text(self, text: str, artifact_file: str) -> None:
        self.tracking.log_text(self.run_id, text, artifact_file)

    def __enter__(self) -> RunHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            status = "FINISHED"
        else:
            status = "FAILED" if isinstance(exc, Exception) else "KILLED"
        try:
            self.tracking.client().set_terminated(self.run_id, status=status)
        except Exception:
            if exc is None:
                raise
            # Never hide the error that ended the run behind one from the tracking store.
            logger.exception("Could not mark MLflow run %s as %s", self.run_id, status)


class MlflowTracking(dg.ConfigurableResource):
    """An MLflow tracking store and model registry (SQLite file by default, or a server URL).

    `artifact_location` is the experiment's artifact folder; it only applies when the
    experiment is created (MLflow fixes it then). `tracking_uri` may be a `dg.EnvVar` (a
    database URL or a server URL may hold a password).
    """

    tracking_uri: EnvVarString
    artifact_location: str
    experiment_name: str = "vrdndi"
    model_name: str = "vrdndi-productive"

    _client: Any = PrivateAttr(default=None)
    _experiment_id: str | None = PrivateAttr(default=None)

    def client(self) -> MlflowClient:
        if self._client is None:
            from mlflow import MlflowClient

            # Passing registry_uri stops MLFLOW_REGISTRY_URI / mlflow.set_registry_uri from
            # sending registrations somewhere else than the runs.
            self._client = MlflowClient(
                tracking_uri=self.tracking_uri, registry_uri=self.tracking_uri
            )
        return self._client

    def experiment_id(self) -> str:
        """The experiment's id, creating (or restoring a deleted) experiment on first use."""
        if self._experiment_id is not None:
            return self._experiment_id
        from mlflow.exceptions import MlflowException

        client = self.client()
        location = _local_path_or_uri(self.artifact_location)
        if len(urlsplit(location).scheme) <= 1:  # a local folder, not s3:// or file:
            private_dir(Path(location))  # the trained models: this user's only (0700)
        experiment = client.get_experiment_by_name(self.experiment_name)
        if experiment is None:
            try:
                self._experiment_id = client.create_experiment(
                    self.experiment_name, artifact_location=location
                )
                return self._experiment_id
            except MlflowException:  # created by a concurrent run in the meantime?
                experiment = client.get_experiment_by_name(self.experiment_name)
                if experiment is None:
                    raise
        if experiment.lifecycle_stage == "deleted":
            logger.warning("Restoring the deleted MLflow experiment %r", self.experiment_name)
            client.restore_experiment(experiment.experiment_id)
        if experiment.artifact_location.rstrip("/") not in (
            location.rstrip("/"),
            f"file://{location}",
        ):
            logger.warning(
                "MLflow experiment %r keeps its artifacts in %s, not %s (fixed at creation)",
                self.experiment_name,
                experiment.artifact_location,
                location,
            )
        self._experiment_id = str(experiment.experiment_id)
        return self._experiment_id

    def start_run(
        self,
        run_name: str,
        params: Mapping[str, Any] | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> RunHandle:
        """Create a run with `params` (flattened, see :func:`flatten_params`) and `tags`."""
        from mlflow.entities import Param

        client = self.client()
        run = client.create_run(
            self.experiment_id(),
            run_name=run_name,
            tags={k: str(v) for k, v in (tags or {}).items()},
        )
        handle = RunHandle(self, run.info.run_id, run.info.artifact_uri)
        try:
            flat = [Param(key, value) for key, value in flatten_params(params or {}).items()]
            for batch in _chunks(flat, PARAMS_PER_BATCH):
                client.log_batch(run.info.run_id, params=batch, synchronous=True)
        except BaseException as error:  # e.g. a key MLflow refuses: the run ends FAILED
            handle.__exit__(type(error), error, error.__traceback__)
            raise
        return handle

    def log_metrics(self, run_id: str, metrics: Mapping[str, float | None], step: int) -> None:
        """Log every metric that is not `None` at `step` (e.g. the epoch), named in the
        people's words (:func:`~vrdndi_pipeline.core.vocabulary.metric_key`)."""
        from mlflow.entities import Metric

        timestamp = _now_ms()
        entries = [
            Metric(metric_key(key), float(value), timestamp, step)
            for key, value in metrics.items()
            if value is not None
        ]
        for batch in _chunks(entries, METRICS_PER_BATCH):
            self.client().log_batch(run_id, metrics=batch, synchronous=True)

    def log_artifacts(self, run_id: str, local_dir: str | Path, artifact_path: str) -> None:
        """Copy the files under `local_dir` into the run's `artifact_path` folder."""
        self.client().log_artifacts(run_id, str(local_dir), artifact_path)

    def log_text(self, run_id: str, text: str, artifact_file: str) -> None:
        """Store `text` as the run's artifact `artifact_file` (e.g. `comparison.md`)."""
        self.client().log_text(run_id, text, artifact_file)

    def log_image(self, run_id: str, png: bytes, artifact_file: str) -> None:
        """Store PNG bytes as the run's artifact `artifact_file` (e.g. `plots/roc.png`)."""
        folder, _, name = artifact_file.rpartition("/")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / name
            path.write_bytes(png)
            self.client().log_artifact(run_id, str(path), folder or None)

    def name_run(self, run_id: str, version: str | None, family: str) -> str:
        """Rename the run `v<version> · <family> · <preset> · <day>` (preset: its
        `preset` param, if it has one) once its version is known; returns the name."""
        run = self.client().get_run(run_id)
        name = run_name(version, family, run.data.params.get("preset"), run.info.start_time)
        self.client().set_tag(run_id, RUN_NAME_TAG, name)
        return name

    def register_version(
        self, run_id: str, artifact_path: str, tags: Mapping[str, str] | None = None
    ) -> str:
        """Register the run's `artifact_path` folder as a new version of `model_name`.

        Creates the registered model on first use. Returns the version number as a string
        (the SQLite store answers `int`, the REST API `str`).
        """
        client = self.client()
        artifact_path = artifact_path.strip("/")
        if not client.list_artifacts(run_id, artifact_path):
            raise ValueError(f"run {run_id} has no artifacts under {artifact_path!r} to register")
        self._ensure_registered_model()
        run = client.get_run(run_id)
        source = f"{run.info.artifact_uri.rstrip('/')}/{artifact_path}"
        version = client.create_model_version(
            self.model_name,
            source=source,
            run_id=run_id,
            tags={k: str(v) for k, v in (tags or {}).items()},
        )
        logger.info("Registered %s version %s from %s", self.model_name, version.version, source)
        return str(version.version)

    def _ensure_registered_model(self) -> None:
        from mlflow.exceptions import MlflowException

        client = self.client()
        try:
            client.get_registered_model(self.model_name)
            return
        except MlflowException as error:
            if _error_code(error) != "RESOURCE_DOES_NOT_EXIST":
                raise
        try:
            client.create_registered_model(self.model_name)
        except MlflowException as error:  # created concurrently: fine
            if _error_code(error) != "RESOURCE_ALREADY_EXISTS":
                raise

    def champion_version(self) -> str | None:
        """The version the `champion` alias points at, `None` before the first promotion."""
        from mlflow.exceptions import MlflowException

        try:
            model = self.client().get_registered_model(self.model_name)
        except MlflowException as error:
            if _error_code(error) == "RESOURCE_DOES_NOT_EXIST":
                return None
            raise
        # Read the alias map rather than get_model_version_by_alias: a missing alias is
        # INVALID_PARAMETER_VALUE there, indistinguishable from a bad request.
        version = model.aliases.get(CHAMPION_ALIAS)
        return None if version is None else str(version)

    def champion(self, download_dir: str | Path | None = None) -> ChampionInfo | None:
        """The champion version with its model folder and metrics, or `None`.

        `download_dir` is only used for remote artifact stores (default: a temporary folder).
        With a local SQLite store and artifacts, the answer is remembered beside the store
        (:class:`ChampionCache`) until the store changes: a feed refresh, a fresh process,
        then needs no MLflow import (~4 s on 2 cores) to learn that nothing changed.
        """
        cache = ChampionCache.for_uri(self.tracking_uri)
        if cache is not None and download_dir is None:
            cached = cache.read()
            if cached is not None:
                return cached
        stamp = cache.stamp() if cache is not None else None
        version = self.champion_version()
        info = None if version is None else self.version_info(version, download_dir)
        if cache is not None and download_dir is None:
            cache.write(info, stamp)
        return info

    def version_info(self, version: str, download_dir: str | Path | None = None) -> ChampionInfo:
        """A registered version with its model folder (downloaded if the store is remote)."""
        cache = ChampionCache.for_uri(self.tracking_uri)
        cached = cache.read() if cache is not None and download_dir is None else None
        if cached is not None and cached.version == str(version):
            return cached
        from mlflow.artifacts import download_artifacts

        client = self.client()
        model_version = client.get_model_version(self.model_name, str(version))
        source = model_version.source
        if not source:
            raise RuntimeError(f"{self.model_name} version {version} has no artifact source")
        local_path = download_artifacts(
            artifact_uri=source,
            dst_path=None if download_dir is None else str(download_dir),
            tracking_uri=self.tracking_uri,
            registry_uri=self.tracking_uri,
        )
        metrics: dict[str, float] = {}
        if model_version.run_id:
            metrics = dict(client.get_run(model_version.run_id).data.metrics)
        return ChampionInfo(
            version=str(version),
            run_id=model_version.run_id or None,
            source=source,
            local_path=Path(local_path),
            metrics=metrics,
            tags=dict(model_version.tags),
        )

    def set_champion(self, version: str) -> None:
        """Point the `champion` alias at `version` (moving it from the previous one)."""
        self.client().set_registered_model_alias(self.model_name, CHAMPION_ALIAS, str(version))
        logger.info("%s@%s is now version %s", self.model_name, CHAMPION_ALIAS, version)

    def set_version_tags(self, version: str, tags: Mapping[str, str]) -> None:
        for key, value in tags.items():
            self.client().set_model_version_tag(self.model_name, str(version), key, str(value))


__all__ = [
    "CHAMPION_ALIAS",
    "COMPARISON_TAG",
    "FAMILY_TAG",
    "RECIPE_TAG",
    "RUN_NAME",
    "ChampionInfo",
    "MlflowTracking",
    "RunHandle",
    "colliding_metric_keys",
    "flatten_params",
    "run_name",
]


def tracking_for(settings: Settings, *, env_vars: bool = False) -> MlflowTracking:
    """MLflow in a SQLite file and an artifact folder under the data folder (local-first), or at
    `VRDNDI_MLFLOW_TRACKING_URI`. With `env_vars` that URI is a `dg.EnvVar`, for Dagster to
    resolve; without, the resource is for use right here (the CLI), outside any Dagster run."""
    data_dir = settings.data_dir.expanduser().resolve()
    uri = settings.mlflow_tracking_uri
    if uri and env_vars:
        uri = from_variable(settings, "VRDNDI_MLFLOW_TRACKING_URI", uri)
    return MlflowTracking(
        tracking_uri=uri or f"sqlite:///{data_dir / 'mlflow.db'}",
        artifact_location=str(data_dir / "mlartifacts"),
    )
