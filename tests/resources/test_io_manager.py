"""DataFrame assets live as tables of the application database (SqlTableIOManager)."""

import dagster as dg
import pandas as pd
from sqlalchemy import inspect

from vrdndi_pipeline.core.store.database import make_engine
from vrdndi_pipeline.core.store.frame_tables import read_frame
from vrdndi_pipeline.resources.database import AppDatabase, SqlTableIOManager


def test_frames_are_stored_as_tables_and_loaded_downstream(database_url):
    scores = {"value": [0.1, 0.9]}

    @dg.asset
    def scored_videos() -> pd.DataFrame:
        return pd.DataFrame(
            {
                "video_id": ["aaaaaaaaaaa", "bbbbbbbbbbb"],
                "score": scores["value"],
                "at": pd.Timestamp("2026-11-01 09:00", tz="UTC"),
            }
        )

    @dg.asset
    def top_video(scored_videos: pd.DataFrame) -> pd.DataFrame:
        return scored_videos.nlargest(1, "score")[["video_id", "score"]]

    database = AppDatabase(url=database_url)
    resources = {"io_manager": SqlTableIOManager(database=database)}
    result = dg.materialize([scored_videos, top_video], resources=resources)
    assert result.success
    [materialization] = result.asset_materializations_for_node("scored_videos")
    assert materialization.metadata["dagster/row_count"].value == 2
    engine = make_engine(database_url)
    assert read_frame(engine, "top_video")["video_id"].tolist() == ["bbbbbbbbbbb"]

    scores["value"] = [0.8, 0.2]
    assert dg.materialize([scored_videos, top_video], resources=resources).success
    assert read_frame(engine, "top_video")["video_id"].tolist() == ["aaaaaaaaaaa"]
    assert read_frame(engine, "scored_videos")["at"].dt.tz is not None
    assert not {"scored_videos__staging", "top_video__staging"} & set(
        inspect(engine).get_table_names()
    )
    engine.dispose()


def test_a_non_frame_output_fails_with_a_clear_message(tmp_path):
    @dg.asset
    def not_a_frame() -> dict:
        return {"a": 1}

    database = AppDatabase(url=f"sqlite:///{tmp_path / 'v.db'}")
    result = dg.materialize(
        [not_a_frame],
        resources={"io_manager": SqlTableIOManager(database=database)},
        raise_on_error=False,
    )
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "stores pandas DataFrames only" in failure.step_failure_data.error.to_string()
