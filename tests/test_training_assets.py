"""trained_lora_adapter end to end: tables → training → MLflow run, registry and champion alias."""

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
from mlflow import MlflowClient

from tests.test_model_support import GAME, GAME_EVENTS, TECH, WORK_EVENTS
from vrdndi_pipeline.assets.trained_lora_adapter import PROMOTION_CHECK, trained_lora_adapter
from vrdndi_pipeline.assets.training_data import interest_data, productive_data
from vrdndi_pipeline.core.model.config import ModelConfig
from vrdndi_pipeline.core.records import AwEvent, Video
from vrdndi_pipeline.core.store.database import make_engine, write_transaction
from vrdndi_pipeline.core.store.migrate import upgrade_schema
from vrdndi_pipeline.core.store.schema import feedback, interest_labels
from vrdndi_pipeline.core.store.source_tables import write_aw_events, write_videos
from vrdndi_pipeline.resources.database import AppDatabase, SqlTableIOManager
from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning"),
]
START = datetime(2026, 10, 1, 8, tzinfo=UTC)
# The bundled MiniLM with short texts: learns the synthetic rule in a few seconds.
TINY = {
    "max_length": 24,
    "num_out_feature": 32,
    "batch_size": 16,
    "total_epoch": 10,
    "lr": 0.001,
    "min_rows_per_kind": 4,
    "sampler_productive_ratio": 0.75,
    "sampler_interest_ratio": 0.25,
    "compile_model": False,
    "device": "cpu",
    "log_every_steps": 1000,
    "wandb_config": {"purpose": "test"},
}


def _seed_tables(url: str, n_clicks: int = 160) -> None:
    """Clicks alternate work/gaming context and technical/game videos; the label is the rule
    "technical during work, games during play", so only context and video together predict it."""
    rng = random.Random(3)
    engine = make_engine(url)
    upgrade_schema(engine)
    videos, clicks, events, labels = [], [], [], []
    for i in range(n_clicks):
        work, tech = i % 2 == 0, (i // 2) % 2 == 0
        title, channel = rng.choice(TECH if tech else GAME)
        video_id = f"v{i:010d}"
        moment = START + timedelta(hours=5 * i)
        videos.append(
            Video(
                video_id,
                title,
                f"UC{i:022d}",
                channel,
                "a video",
                900,
                moment - timedelta(days=1),
                "subscription",
            )
        )
        clicks.append(
            {
                "click_id": f"c{i}",
                "video_id": video_id,
                "kind": "productive",
                "value": int(tech == work),
                "created_at": moment,
                "timezone": "Europe/Berlin",
            }
        )
        at = moment - timedelta(hours=3)
        for j in range(6):
            app, window, category = rng.choice(WORK_EVENTS if work else GAME_EVENTS)
            events.append(AwEvent("w", i * 10 + j, "h", at, 600.0, app, window, None, category))
            at += timedelta(minutes=11)
        if i % 3 == 0:
            labels.append(
                {
                    "video_id": video_id,
                    "label": int(tech),
                    "labelled_at": moment,
                    "source": "labeller",
                }
            )
    with write_transaction(engine) as conn:
        write_videos(conn, videos, START)
        write_aw_events(conn, events)
        conn.execute(feedback.insert(), clicks)
        conn.execute(interest_labels.insert(), labels)
    engine.dispose()


def _train(tmp_path: Path, url: str, **config):
    database = AppDatabase(url=url)
    tracking = MlflowTracking(
        tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}",
        artifact_location=str(tmp_path / "mlartifacts"),
    )
    return dg.materialize(
        [interest_data, productive_data, trained_lora_adapter],
        resources={
            "database": database,
            "io_manager": SqlTableIOManager(database=database),
            "tracking": tracking,
        },
        run_config={"ops": {"trained_lora_adapter": {"config": config}}},
        raise_on_error=False,
    ), tracking


def _outcome(result):
    [materialization] = result.asset_materializations_for_node("trained_lora_adapter")
    [check] = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    return {k: v.value for k, v in materialization.metadata.items()}, check


def _failure(result) -> str:
    [failure] = [e for e in result.all_events if e.is_step_failure]
    return failure.step_failure_data.error.to_string()


def test_runs_are_tracked_registered_and_promoted_only_on_improvement(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed_tables(url)

    first, tracking = _train(tmp_path, url, **TINY)
    assert first.success, _failure(first)
    meta, check = _outcome(first)
    assert meta["model_version"] == "1" and meta["promoted_to_champion"] is True, meta["reason"]
    assert check.check_name == PROMOTION_CHECK and check.passed
    assert tracking.champion_version() == "1"

    client = MlflowClient(tracking_uri=tracking.tracking_uri)
    run = client.get_run(meta["mlflow_run_id"])
    assert run.info.status == "FINISHED"
    params = run.data.params
    assert set(f.name for f in ModelConfig.__dataclass_fields__.values()) - {"wandb_config"} <= set(
        params
    )
    assert (
        params["max_length"] == "24"
        and params["preset"] == "cpu-small"
        and params["purpose"] == "test"
    )
    epochs = client.get_metric_history(run.info.run_id, "val_productive_f1")
    assert len(epochs) >= 2 and [m.step for m in epochs][:2] == [1, 2]
    assert (
        run.data.metrics["holdout.productive_roc_auc"]
        > run.data.metrics["baseline_holdout_productive_roc_auc"]
    )
    files = {a.path for a in client.list_artifacts(run.info.run_id, "adapter")}
    assert {"adapter/heads.safetensors", "adapter/config.json", "adapter/metadata.json"} <= files
    champion = tracking.champion()
    assert (champion.local_path / "adapter" / "adapter_config.json").is_file()

    # A barely trained adapter is registered but the alias stays where it is.
    second, _ = _train(tmp_path, url, **{**TINY, "total_epoch": 1, "lr": 1e-7})
    assert second.success, _failure(second)
    meta, check = _outcome(second)
    assert meta["model_version"] == "2" and meta["promoted_to_champion"] is False
    assert not check.passed and "does not beat" in meta["reason"]
    assert tracking.champion_version() == "1"
    version = client.get_model_version("vrdndi-productive", "2")
    assert version.tags["promoted"] == "false"


def test_too_little_data_fails_before_training_and_says_how_much(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed_tables(url, n_clicks=3)
    result, tracking = _train(tmp_path, url, **TINY)
    assert not result.success
    message = _failure(result)
    assert "Too little labelled data" in message and "3 productive" in message
    assert tracking.champion_version() is None


def test_an_unknown_config_field_fails_with_its_name(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed_tables(url, n_clicks=8)
    result, _ = _train(tmp_path, url, preset="no-such-preset")
    assert not result.success
    assert "Invalid training config" in _failure(result) and "no-such-preset" in _failure(result)


def test_late_fusion_trains_through_the_same_asset_and_is_saved_with_the_adapter(tmp_path):
    from vrdndi_pipeline.core.model import load_adapter

    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed_tables(url, n_clicks=48)
    result, tracking = _train(tmp_path, url, **{**TINY, "fusion": "late", "total_epoch": 2})
    assert result.success, _failure(result)
    meta, _ = _outcome(result)
    client = MlflowClient(tracking_uri=tracking.tracking_uri)
    assert client.get_run(meta["mlflow_run_id"]).data.params["fusion"] == "late"
    saved = tracking.version_info(meta["model_version"]).local_path
    model = load_adapter(saved, compile_model=False)
    assert model.config.fusion == "late" and model.fusion is not None  # the fusion weights
