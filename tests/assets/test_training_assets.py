"""The training assets end to end on a synthetic person: tables → ranker and LoRA candidates on
the same rolling-origin folds → MLflow runs and registered versions → ``champion_model``."""

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest
from mlflow import MlflowClient
from PIL import Image

from tests.harness.model_support import GAME, GAME_EVENTS, TECH, WORK_EVENTS
from vrdndi_pipeline.assets.champion_model import PROMOTION_CHECK, champion_model
from vrdndi_pipeline.assets.trained_lora_adapter import trained_lora_adapter
from vrdndi_pipeline.assets.trained_ranker import trained_ranker
from vrdndi_pipeline.assets.training_data import interest_data, productive_data
from vrdndi_pipeline.assets.video_embeddings import video_embeddings
from vrdndi_pipeline.core.model.config import ModelConfig
from vrdndi_pipeline.core.records import AwEvent, Video
from vrdndi_pipeline.core.selection.plots import PLOT_FILES
from vrdndi_pipeline.core.store.database import open_database, write_transaction
from vrdndi_pipeline.core.store.schema import feedback, interest_labels
from vrdndi_pipeline.core.store.source_tables import write_aw_events, write_videos
from vrdndi_pipeline.resources.clock import FixedClock
from vrdndi_pipeline.resources.database import AppDatabase, SqlTableIOManager
from vrdndi_pipeline.resources.evaluation_plan import EvaluationPlan
from vrdndi_pipeline.resources.mlflow_tracking import (
    RUN_NAME,
    MlflowTracking,
    colliding_metric_keys,
)
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder

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
    "total_epoch": 2,
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
    engine = open_database(url)
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


ALL = [video_embeddings, interest_data, productive_data, trained_ranker, trained_lora_adapter, champion_model]  # fmt: skip


def _train(tmp_path: Path, url: str, assets=tuple(ALL), ranker=None, **config):
    """Materialize ``assets`` (the others' tables stay as an earlier run left them)."""
    database = AppDatabase(url=url)
    tracking = MlflowTracking(
        tracking_uri=f"sqlite:///{tmp_path / 'mlflow.db'}",
        artifact_location=str(tmp_path / "mlartifacts"),
    )
    ops = {"trained_lora_adapter": {"config": config}}
    if ranker is not None:
        ops["trained_ranker"] = {"config": ranker}
    return dg.materialize(
        ALL,
        selection=[a.key for a in assets],
        resources={
            "database": database,
            "io_manager": SqlTableIOManager(database=database),
            "tracking": tracking,
            "text_encoder": SentenceEncoder(),
            "clock": FixedClock(moment=(START + timedelta(days=60)).isoformat()),
            "evaluation": EvaluationPlan(folds=2, test_share=0.4, resamples=200),
        },
        run_config={
            "ops": {k: v for k, v in ops.items() if any(a.key.path[-1] == k for a in assets)}
        },
        raise_on_error=False,
    ), tracking


def _metadata(result, node: str) -> dict:
    [materialization] = result.asset_materializations_for_node(node)
    return {k: v.value for k, v in materialization.metadata.items()}


def _check(result):
    [check] = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    return check


def _failure(result) -> str:
    failures = [e for e in result.all_events if e.is_step_failure]
    return "\n".join(f.step_failure_data.error.to_string() for f in failures)


def test_candidates_are_tracked_registered_and_the_champion_chosen_on_the_folds(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed_tables(url)

    first, tracking = _train(tmp_path, url, **TINY)
    assert first.success, _failure(first)
    ranker, lora = _metadata(first, "trained_ranker"), _metadata(first, "trained_lora_adapter")
    chosen = _metadata(first, "champion_model")
    assert {ranker["model_version"], lora["model_version"]} == {"1", "2"}
    assert chosen["promoted_to_champion"] is True, chosen["reason"]
    assert _check(first).check_name == PROMOTION_CHECK and _check(first).passed
    winner = chosen["winner"]
    assert tracking.champion_version() == {"ranker": ranker, "lora": lora}[winner]["model_version"]
    table = chosen["comparison"].splitlines()
    assert len([line for line in table if line.startswith("| ")]) == 4  # header + 3 models
    assert any(line.startswith("| baseline (no context) |") for line in table)
    # the synthetic rule needs context and video together: the winner beats the baseline
    scores = chosen["scores"]
    assert (
        scores[winner]["productive"]["roc_auc"]["value"]
        > scores["baseline"]["productive"]["roc_auc"]["value"] + 0.15
    )

    client = MlflowClient(tracking_uri=tracking.tracking_uri)
    run = client.get_run(lora["mlflow_run_id"])
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
    epochs = client.get_metric_history(run.info.run_id, "val_good_time_now_f1")
    assert len(epochs) == 2 * 3  # 2 epochs in each of 2 folds and the final model
    assert "heldout.good_time_now_roc_auc_low" in run.data.metrics
    files = {a.path for a in client.list_artifacts(run.info.run_id, "adapter")}
    assert {"adapter/heads.safetensors", "adapter/config.json", "adapter/metadata.json"} <= files
    ranker_files = {a.path for a in client.list_artifacts(ranker["mlflow_run_id"], "ranker")}
    assert ranker_files == {
        "ranker/ranker.json",
        "ranker/productive_trees.txt",
        "ranker/arrays.safetensors",
    }
    for family, meta in (("ranker", ranker), ("lora", lora)):
        version = client.get_model_version("vrdndi-productive", meta["model_version"])
        assert version.tags["family"] == family and version.tags["recipe"].startswith(family)
        assert version.tags["reason"] == chosen["reason"]
        assert version.tags["comparison"] == chosen["comparison"]
    champion = tracking.champion()
    assert champion is not None and champion.family == winner
    for family, meta in (("ranker", ranker), ("lora", lora)):
        stored = client.get_run(meta["mlflow_run_id"])
        name = stored.info.run_name
        assert name == meta["mlflow_run_name"] and RUN_NAME.match(name), name
        assert name.startswith(f"v{meta['model_version']} · {family} · ")
        assert colliding_metric_keys(stored.data.metrics) == []
        plots = {a.path for a in client.list_artifacts(stored.info.run_id, "plots")}
        assert plots == {f"plots/{file}" for file in PLOT_FILES}
        assert "comparison.md" in {a.path for a in client.list_artifacts(stored.info.run_id)}
        folder = Path(client.download_artifacts(stored.info.run_id, "plots", str(tmp_path)))
        for file in PLOT_FILES:
            with Image.open(folder / file) as image:
                assert image.format == "PNG" and image.width > 200 and image.height > 200
                image.verify()
    assert " · cpu-small · " in client.get_run(lora["mlflow_run_id"]).info.run_name

    # A weaker ranker recipe, compared with the LoRA candidate of the first run (its table of
    # held-out predictions is still there): registered, not promoted, because the champion's
    # own recipe, re-fitted on the same folds, does better.
    second, _ = _train(
        tmp_path,
        url,
        assets=[trained_ranker, champion_model],
        ranker={"max_rounds": 1, "num_leaves": 2, "video_components": 1},
    )
    assert second.success, _failure(second)
    again = _metadata(second, "champion_model")
    assert again["promoted_to_champion"] is False, again["reason"]
    assert not _check(second).passed and "not champion v" in again["reason"]
    assert tracking.champion_version() == champion.version
    assert "re-fitted" in again["comparison"]


def test_too_little_data_fails_before_training_and_says_how_much(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed_tables(url, n_clicks=3)
    result, tracking = _train(tmp_path, url, **TINY)
    assert not result.success
    message = _failure(result)
    assert "Too little labelled data" in message and "clicks" in message and "1 and 2" in message
    assert tracking.champion_version() is None


def test_an_unknown_config_field_fails_with_its_name(tmp_path):
    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed_tables(url, n_clicks=8)
    result, _ = _train(
        tmp_path, url, assets=ALL[:3] + [trained_lora_adapter], preset="no-such-preset"
    )
    assert not result.success
    assert "Invalid training config" in _failure(result) and "no-such-preset" in _failure(result)


def test_late_fusion_trains_through_the_same_asset_and_is_saved_with_the_adapter(tmp_path):
    from vrdndi_pipeline.core.model.adapter_files import load_adapter

    url = f"sqlite:///{tmp_path / 'vrdndi.db'}"
    _seed_tables(url, n_clicks=60)
    result, tracking = _train(
        tmp_path,
        url,
        assets=ALL[:3] + [trained_lora_adapter],
        **{**TINY, "fusion": "late", "total_epoch": 1},
    )
    assert result.success, _failure(result)
    meta = _metadata(result, "trained_lora_adapter")
    client = MlflowClient(tracking_uri=tracking.tracking_uri)
    assert client.get_run(meta["mlflow_run_id"]).data.params["fusion"] == "late"
    saved = tracking.version_info(meta["model_version"]).local_path
    model = load_adapter(saved, compile_model=False)
    assert model.config.fusion == "late" and model.fusion is not None  # the fusion weights
