"""MlflowTracking against a real MLflow store: runs, the registry, the ``champion`` alias and the
family of each version (the rule that moves the alias is tested in ``test_selection``).

Every store test gets its own SQLite file, copied from one migrated once per module: MLflow's
migrations take 3-6 s on a fresh file, a copy a few ms. Everything written is read back
through a fresh ``MlflowClient``, not through the resource under test.
"""

from __future__ import annotations

import dataclasses
import math
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from tests.harness.mlflow_server import mlflow_server
from vrdndi_pipeline.resources.mlflow_tracking import (
    CHAMPION_ALIAS,
    FAMILY_TAG,
    MAX_PARAM_VALUE_LENGTH,
    METRICS_PER_BATCH,
    PARAMS_PER_BATCH,
    RECIPE_TAG,
    RUN_NAME,
    MlflowTracking,
    colliding_metric_keys,
    flatten_params,
    run_name,
)

MODEL = "vrdndi-productive"

# MLflow 3.17's store uses SQLAlchemy's `noload`, deprecated in SQLAlchemy 2.1 (harmless here).
pytestmark = pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning")


# --- MlflowTracking: real SQLite store ---------------------------------------------------


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mlflow import MlflowClient

    path = tmp_path_factory.mktemp("mlflow-template") / "mlflow.db"
    MlflowClient(tracking_uri=f"sqlite:///{path}").search_experiments()
    return path


@pytest.fixture
def tracking(tmp_path: Path, migrated_db: Path) -> MlflowTracking:
    shutil.copyfile(migrated_db, tmp_path / "mlflow.db")
    return MlflowTracking(
        tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}",
        artifact_location=str(tmp_path / "mlartifacts"),
    )


def fresh_client(tracking: MlflowTracking):
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=tracking.tracking_uri, registry_uri=tracking.tracking_uri)


def adapter_folder(root: Path, marker: str) -> Path:
    folder = root / f"adapter-{marker}"
    (folder / "nested").mkdir(parents=True)
    (folder / "adapter_config.json").write_text(f'{{"marker": "{marker}"}}')
    (folder / "nested" / "weights.bin").write_bytes(marker.encode() * 3)
    return folder


@dataclasses.dataclass
class LoraConfig:
    r: int = 8
    target_modules: tuple[str, ...] = ("query", "value")


@pytest.mark.slow
def test_run_holds_exactly_its_params_metrics_and_artifacts(
    tracking: MlflowTracking, tmp_path: Path
) -> None:
    params = {
        "model": {"backbone": "all-MiniLM-L6-v2", "lora": LoraConfig()},
        "train": {"lr": 3e-4, "epochs": 3, "device": None},
        "notes": "x" * (MAX_PARAM_VALUE_LENGTH + 50),
    }
    losses = [0.9, 0.6, 0.45]
    with tracking.start_run("train-1", params, tags={"trigger": "test"}) as run:
        for epoch, loss in enumerate(losses):
            run.log_metrics({"train.loss": loss, "holdout.productive_roc_auc": None}, step=epoch)
        run.log_artifacts(adapter_folder(tmp_path, "a"), "adapter")

    client = fresh_client(tracking)
    stored = client.get_run(run.run_id)
    assert stored.info.status == "FINISHED"
    assert stored.info.run_name == "train-1"
    assert stored.data.tags["trigger"] == "test"
    assert stored.data.params == {
        "model.backbone": "all-MiniLM-L6-v2",
        "model.lora.r": "8",
        "model.lora.target_modules": "('query', 'value')",
        "train.lr": "0.0003",
        "train.epochs": "3",
        "train.device": "None",
        "notes": "x" * MAX_PARAM_VALUE_LENGTH,
    }
    history = client.get_metric_history(run.run_id, "train.loss")
    assert [(m.step, m.value) for m in sorted(history, key=lambda m: m.step)] == [
        (0, 0.9),
        (1, 0.6),
        (2, 0.45),
    ]
    assert set(stored.data.metrics) == {"train.loss"}  # None was skipped
    files = {a.path for a in client.list_artifacts(run.run_id, "adapter")}
    assert files == {"adapter/adapter_config.json", "adapter/nested"}
    experiment = client.get_experiment(stored.info.experiment_id)
    assert experiment.name == "vrdndi"
    assert experiment.artifact_location == str(tmp_path / "mlartifacts")
    assert Path(stored.info.artifact_uri).is_relative_to(tmp_path / "mlartifacts")
    assert stat.S_IMODE((tmp_path / "mlartifacts").stat().st_mode) == 0o700  # models: private


def test_one_metric_has_one_name(tracking: MlflowTracking) -> None:
    assert colliding_metric_keys(["holdout.interest_f1", "holdout_interest_f1", "lr"]) == [
        ("holdout.interest_f1", "holdout_interest_f1")
    ]
    assert colliding_metric_keys(["heldout.interest_f1", "val_interest_f1", "train_loss"]) == []
    with tracking.start_run("names", {}) as run:
        run.log_metrics({"heldout.productive_f1": 0.5, "val_interest_f1": 0.4}, step=0)
        run.log_metrics({"heldout.productive_f1": 0.6}, step=1)  # the same key again: fine
        with pytest.raises(ValueError, match="under another name"):
            run.log_metrics({"heldout_good_time_now_f1": 0.6}, step=1)
    stored = fresh_client(tracking).get_run(run.run_id).data.metrics
    assert set(stored) == {"heldout.good_time_now_f1", "val_interest_f1"}
    assert colliding_metric_keys(stored) == []


def test_runs_are_renamed_for_their_version_family_and_preset(tracking: MlflowTracking) -> None:
    with tracking.start_run("lora · cpu-small", {"preset": "cpu-small"}) as lora:
        pass
    with tracking.start_run("ranker", {"num_leaves": 4}) as ranker:
        pass
    assert RUN_NAME.match(tracking.name_run(lora.run_id, "3", "lora"))
    name = tracking.name_run(ranker.run_id, "4", "ranker")
    client = fresh_client(tracking)
    assert client.get_run(ranker.run_id).info.run_name == name
    assert RUN_NAME.match(name) and name.startswith("v4 · ranker · 20")
    assert client.get_run(lora.run_id).info.run_name.startswith("v3 · lora · cpu-small · 20")
    assert run_name("1", "baseline", None, 0).startswith("v1 · baseline · 19")


@pytest.mark.slow
def test_many_params_and_metrics_are_batched_within_mlflow_limits(
    tracking: MlflowTracking,
) -> None:
    params = {f"p{i}": i for i in range(PARAMS_PER_BATCH * 2 + 5)}
    with tracking.start_run("wide", params) as run:
        run.log_metrics({f"m{i}": float(i) for i in range(METRICS_PER_BATCH + 3)}, step=0)
    stored = fresh_client(tracking).get_run(run.run_id)
    assert len(stored.data.params) == len(params)
    assert len(stored.data.metrics) == METRICS_PER_BATCH + 3


def test_our_limits_match_mlflow() -> None:
    from mlflow.utils import validation

    assert MAX_PARAM_VALUE_LENGTH == validation.MAX_PARAM_VAL_LENGTH
    assert PARAMS_PER_BATCH == validation.MAX_PARAMS_TAGS_PER_BATCH
    assert METRICS_PER_BATCH == validation.MAX_METRICS_PER_BATCH


def test_failing_block_marks_the_run_failed(tracking: MlflowTracking) -> None:
    with pytest.raises(RuntimeError, match="diverged"):
        with tracking.start_run("boom", {"lr": 1.0}) as run:
            run.log_metrics({"train.loss": math.inf}, step=0)
            raise RuntimeError("loss diverged")
    with pytest.raises(KeyboardInterrupt):
        with tracking.start_run("interrupted") as interrupted:
            raise KeyboardInterrupt
    client = fresh_client(tracking)
    assert client.get_run(run.run_id).info.status == "FAILED"
    assert client.get_run(run.run_id).info.end_time is not None
    assert client.get_run(interrupted.run_id).info.status == "KILLED"


def test_a_param_mlflow_refuses_ends_the_new_run_failed(tracking: MlflowTracking) -> None:
    from mlflow.exceptions import MlflowException

    with pytest.raises(MlflowException):
        tracking.start_run("bad-param", {"what?!": 1})
    (run,) = fresh_client(tracking).search_runs([tracking.experiment_id()])
    assert run.info.status == "FAILED"


def run_with_adapter(tracking: MlflowTracking, tmp_path: Path, marker: str, auc: float) -> str:
    with tracking.start_run(f"train-{marker}", {"marker": marker}) as run:
        run.log_metrics({"train.loss": 0.5}, step=0)
        run.log_metrics({"heldout.productive_roc_auc": auc}, step=1)
        run.log_artifacts(adapter_folder(tmp_path, marker), "adapter")
        run.log_text(f"table of {marker}", "comparison.md")
    return run.run_id


def test_champion_alias_moves_where_it_is_set_and_versions_keep_their_family(
    tracking: MlflowTracking, tmp_path: Path
) -> None:
    assert tracking.champion() is None  # no registered model yet
    versions = []
    for marker, family in (("v1", "lora"), ("v2", "ranker"), ("v3", "ranker")):
        run_id = run_with_adapter(
            tracking, tmp_path, marker, {"v1": 0.7, "v2": 0.65, "v3": 0.8}[marker]
        )
        tags = {"marker": marker, FAMILY_TAG: family, RECIPE_TAG: f"{family}:{marker}"}
        versions.append(tracking.register_version(run_id, "adapter", tags=tags))
        if marker == "v1":
            assert tracking.champion() is None  # registered, but nothing promoted
            tracking.set_champion(versions[-1])
        if marker == "v3":
            tracking.set_champion(versions[-1])
        tracking.set_version_tags(versions[-1], {"reason": f"decided {marker}"})
        alias = fresh_client(tracking).get_model_version_by_alias(MODEL, CHAMPION_ALIAS)
        assert str(alias.version) == {"v1": "1", "v2": "1", "v3": "3"}[marker]
    assert versions == ["1", "2", "3"]

    champion = tracking.champion()
    assert champion is not None
    assert champion.version == "3" and champion.family == "ranker"
    assert champion.recipe == "ranker:v3" and champion.label == "champion v3 (ranker)"
    assert champion.metrics["heldout.good_time_now_roc_auc"] == 0.8
    assert champion.tags["marker"] == "v3" and champion.tags["reason"] == "decided v3"
    assert (champion.local_path / "adapter_config.json").read_text() == '{"marker": "v3"}'
    assert (champion.local_path / "nested" / "weights.bin").read_bytes() == b"v3v3v3"
    client = fresh_client(tracking)
    source = client.get_model_version(MODEL, "3").source
    assert source == f"{client.get_run(champion.run_id).info.artifact_uri}/adapter"
    assert client.download_artifacts(champion.run_id, "comparison.md", str(tmp_path))
    assert (tmp_path / "comparison.md").read_text() == "table of v3"
    assert tracking.version_info("1").family == "lora"

    copy = tracking.champion(download_dir=tmp_path / "download")
    assert copy is not None and copy.local_path.is_relative_to(tmp_path / "download")
    assert (copy.local_path / "nested" / "weights.bin").read_bytes() == b"v3v3v3"


def test_a_version_registered_before_families_counts_as_lora(
    tracking: MlflowTracking, tmp_path: Path
) -> None:
    version = tracking.register_version(run_with_adapter(tracking, tmp_path, "old", 0.6), "adapter")
    tracking.set_champion(version)
    champion = tracking.champion()
    assert champion is not None and champion.family == "lora" and champion.recipe is None


def test_register_refuses_a_missing_artifact_folder(tracking: MlflowTracking) -> None:
    with tracking.start_run("empty") as run:
        pass
    with pytest.raises(ValueError, match="no artifacts under 'adapter'"):
        tracking.register_version(run.run_id, "adapter")


def test_construction_touches_nothing_and_state_stays_local(
    tmp_path: Path, migrated_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow

    monkeypatch.chdir(tmp_path)
    global_uri = mlflow.get_tracking_uri()
    lazy = MlflowTracking(
        tracking_uri=f"sqlite:///{tmp_path / 'sub' / 'mlflow.db'}", artifact_location="mlartifacts"
    )
    assert not (tmp_path / "sub").exists()  # nothing at construction

    shutil.copyfile(migrated_db, tmp_path / "mlflow-copy.db")
    tracking = MlflowTracking(
        tracking_uri=f"sqlite:///{tmp_path / 'mlflow-copy.db'}", artifact_location="mlartifacts"
    )
    with tracking.start_run("r") as run:
        run.log_artifacts(adapter_folder(tmp_path, "x"), "adapter")
    tracking.set_champion(tracking.register_version(run.run_id, "adapter"))
    assert tracking.champion() is not None
    # A relative artifact_location is made absolute, so runs started elsewhere agree.
    assert Path(run.artifact_uri).is_relative_to(tmp_path / "mlartifacts")
    assert mlflow.get_tracking_uri() == global_uri
    assert not (tmp_path / "mlflow.db").exists() and not (tmp_path / "mlruns").exists()
    assert lazy._client is None


def test_existing_experiment_is_reused_warned_about_and_restored(
    tracking: MlflowTracking, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first = tracking.experiment_id()
    fresh_client(tracking).delete_experiment(first)
    moved = MlflowTracking(
        tracking_uri=tracking.tracking_uri, artifact_location=str(tmp_path / "elsewhere")
    )
    with caplog.at_level("WARNING", logger="vrdndi_pipeline.resources.mlflow_tracking"):
        with moved.start_run("after-restore") as run:
            pass
    assert moved.experiment_id() == first  # found and restored, not created twice
    assert fresh_client(tracking).get_experiment(first).lifecycle_stage == "active"
    assert Path(run.artifact_uri).is_relative_to(tmp_path / "mlartifacts")
    assert "Restoring the deleted MLflow experiment" in caplog.text
    assert "(fixed at creation)" in caplog.text


def test_flatten_params() -> None:
    assert flatten_params({"a": {"b": {"c": 1}}, "d": [1, 2], "e": True}) == {
        "a.b.c": "1",
        "d": "[1, 2]",
        "e": "True",
    }


def test_works_as_a_dagster_resource(tracking: MlflowTracking) -> None:
    @dg.asset
    def tracked(mlflow_tracking: MlflowTracking) -> dg.MaterializeResult:
        with mlflow_tracking.start_run("from-dagster", {"k": "v"}) as run:
            run.log_metrics({"x": 1.0}, step=0)
        return dg.MaterializeResult(metadata={"mlflow_run_id": run.run_id})

    result = dg.materialize([tracked], resources={"mlflow_tracking": tracking})
    assert result.success
    (materialization,) = result.asset_materializations_for_node("tracked")
    run_id = materialization.metadata["mlflow_run_id"].value
    assert fresh_client(tracking).get_run(run_id).data.params == {"k": "v"}


# --- one real `mlflow server` -------------------------------------------------------------


@pytest.mark.slow
def test_against_a_real_mlflow_server(tmp_path: Path, migrated_db: Path) -> None:
    shutil.copyfile(migrated_db, tmp_path / "server.db")
    with mlflow_server(tmp_path, tmp_path / "server.db") as url:
        tracking = MlflowTracking(tracking_uri=url, artifact_location=str(tmp_path / "mlartifacts"))
        run_id = run_with_adapter(tracking, tmp_path, "s1", 0.7)
        version = tracking.register_version(run_id, "adapter", tags={FAMILY_TAG: "ranker"})
        assert version == "1"
        tracking.set_champion(version)
        champion = tracking.champion()
        assert champion is not None and champion.version == "1" and champion.family == "ranker"
        assert champion.metrics["heldout.good_time_now_roc_auc"] == 0.7
        assert (champion.local_path / "nested" / "weights.bin").read_bytes() == b"s1s1s1"
        with pytest.raises(ValueError):
            with tracking.start_run("fails"):
                raise ValueError("boom")
        statuses = {
            r.info.run_name: r.info.status
            for r in fresh_client(tracking).search_runs([tracking.experiment_id()])
        }
        assert statuses == {"train-s1": "FINISHED", "fails": "FAILED"}


@pytest.mark.slow
def test_the_champion_lookup_is_remembered_until_the_store_changes(
    tracking: MlflowTracking, tmp_path: Path
) -> None:
    first = tracking.register_version(run_with_adapter(tracking, tmp_path, "c1", 0.7), "adapter")
    second = tracking.register_version(run_with_adapter(tracking, tmp_path, "c2", 0.8), "adapter")
    tracking.set_champion(first)
    assert tracking.champion().version == first  # asks MLflow, remembers the answer
    cache = Path(tracking.tracking_uri.removeprefix("sqlite:///") + ".champion.json")
    assert cache.is_file()
    # a fresh process (a feed refresh) answers from the cache without importing mlflow
    code = (
        "import sys\n"
        "from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking\n"
        f"t = MlflowTracking(tracking_uri={tracking.tracking_uri!r}, artifact_location='x')\n"
        "c = t.champion()\n"
        "assert 'mlflow' not in sys.modules, 'imported mlflow'\n"
        "print(c.version, t.version_info(c.version).local_path.name)\n"
    )
    answer = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert answer.stdout.split() == [first, "adapter"], answer.stderr
    # the alias moves (the store changes): the next lookup asks MLflow again
    tracking.set_champion(second)
    champion = MlflowTracking(
        tracking_uri=tracking.tracking_uri, artifact_location=tracking.artifact_location
    ).champion()
    assert champion is not None and champion.version == second
    assert (champion.local_path / "adapter_config.json").read_text() == '{"marker": "c2"}'
