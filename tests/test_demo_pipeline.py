"""The code location loads, and ingest_job runs on the bundled demo data, idempotently."""

import subprocess
import sys

import dagster as dg
import pytest
from sqlalchemy import func, select

from vrdndi_pipeline.core.settings import load_settings
from vrdndi_pipeline.core.store.database import make_engine
from vrdndi_pipeline.core.store.schema import (
    aw_events,
    metadata,
    video_ratings,
    videos,
    watch_history,
)
from vrdndi_pipeline.definitions import build_definitions
from vrdndi_pipeline.resources.activitywatch import ActivityWatchExport, ActivityWatchServer
from vrdndi_pipeline.resources.youtube.source import YouTubeApi, YouTubeSnapshot


def _demo_definitions(tmp_path) -> dg.Definitions:
    return build_definitions(
        load_settings({"VRDNDI_SOURCES": "demo", "VRDNDI_DATA_DIR": str(tmp_path)})
    )


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in metadata.sorted_tables
        }


def test_settings_choose_live_or_demo_resources(tmp_path):
    demo = _demo_definitions(tmp_path).resources
    assert isinstance(demo["activitywatch"], ActivityWatchExport)
    assert isinstance(demo["youtube"], YouTubeSnapshot)
    live = build_definitions(load_settings({"VRDNDI_DATA_DIR": str(tmp_path)})).resources
    assert isinstance(live["activitywatch"], ActivityWatchServer)
    assert isinstance(live["youtube"], YouTubeApi)
    exported = build_definitions(load_settings({"VRDNDI_AW_EXPORT_FILE": "x.json"})).resources
    assert isinstance(exported["activitywatch"], ActivityWatchExport)


@pytest.mark.slow
def test_dagster_definitions_validate_passes(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DAGSTER_HOME": str(tmp_path),
        "VRDNDI_SOURCES": "demo",
        "VRDNDI_DATA_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-w", "workspace.yaml"],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert not (tmp_path / "vrdndi.db").exists()  # loading the definitions touches no database


@pytest.mark.slow
def test_ingest_job_on_demo_data_twice_equals_once(tmp_path):
    """The sources only: embedding the demo's 1,046 videos (30 s) is what the dagster dev test
    runs, and test_embeddings checks that a second embedding pass encodes nothing."""
    defs = _demo_definitions(tmp_path)
    job = defs.resolve_job_def("ingest_job")
    url = defs.resources["database"].url
    sources = [dg.AssetKey("raw_aw_events"), dg.AssetKey("youtube_videos")]

    first = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), asset_selection=sources)
    assert first.success
    counts = _counts(url)
    assert counts[aw_events.name] > 15_000
    assert counts[videos.name] >= 1_000
    assert counts[video_ratings.name] > 150
    assert counts[watch_history.name] > 1_000
    checks = [
        e.asset_check_evaluation_data
        for e in first.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    assert len(checks) == 5 and all(c.passed for c in checks), checks

    second = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), asset_selection=sources
    )
    assert second.success
    assert _counts(url) == counts
    for node in ("raw_aw_events", "youtube_videos"):
        [materialization] = second.asset_materializations_for_node(node)
        changed = {
            k: v.value
            for k, v in materialization.metadata.items()
            if k.endswith(("_inserted", "_updated"))
        }
        assert changed and set(changed.values()) == {0}, (node, changed)
