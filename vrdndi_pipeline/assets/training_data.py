"""``interest_data`` and ``productive_data``: the labelled rows the model learns from."""

import dagster as dg
import pandas as pd
from pydantic import Field

from vrdndi_pipeline.assets.asset_tags import asset_catalog
from vrdndi_pipeline.assets.raw_aw_events import raw_aw_events
from vrdndi_pipeline.assets.video_embeddings import video_embeddings
from vrdndi_pipeline.assets.youtube_videos import youtube_videos
from vrdndi_pipeline.core.embeddings.cached import title_vectors, video_vectors
from vrdndi_pipeline.core.embeddings.vector_store import video_texts
from vrdndi_pipeline.core.model.config import DEFAULT_CONTEXT_HOURS
from vrdndi_pipeline.core.store.database import read_transaction
from vrdndi_pipeline.core.training.training_data import (
    CONTEXT_FEATURES,
    RowStats,
    context_feature_column,
    context_texts,
    interest_rows,
    productive_rows,
)
from vrdndi_pipeline.resources.clock import Clock
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder


def _metadata(stats: RowStats) -> dict[str, object]:
    return {
        "dagster/row_count": stats.rows,
        **{f"label_{label}": count for label, count in stats.by_label.items()},
        **{f"dropped_{reason}": count for reason, count in stats.dropped.items()},
        **stats.extra,
    }


@dg.asset(
    **asset_catalog("training", source="labels"),
    deps=[youtube_videos],
    kinds={"pandas", "sql"},
)
def interest_data(context: dg.AssetExecutionContext, database: AppDatabase) -> pd.DataFrame:
    """One row per video the user judged: title (original case), channel, description,
    duration, `interest_label` (1 interest / 0 uninterest), where the label came from (liked,
    disliked, labeller, feedback) and when. The latest judgement of a video wins."""
    with read_transaction(database.engine()) as conn:
        frame, stats = interest_rows(conn)
    context.add_output_metadata(_metadata(stats))
    return frame


class ProductiveDataConfig(dg.Config):
    context_hours: float = Field(
        default=DEFAULT_CONTEXT_HOURS,
        gt=0,
        description="Hours of ActivityWatch events before a click that form its context.",
    )


@dg.asset(
    **asset_catalog("training", source="labels"),
    deps=[raw_aw_events, youtube_videos, video_embeddings],
    kinds={"pandas", "sql"},
)
def productive_data(
    context: dg.AssetExecutionContext,
    config: ProductiveDataConfig,
    database: AppDatabase,
    text_encoder: SentenceEncoder,
    clock: Clock,
) -> pd.DataFrame:
    """One row per "good time now" (1) / "not now" (0) click: the video's text and duration,
    the click time (UTC) and the user's timezone, `context_events`: the ActivityWatch
    window events of the `context_hours` before the click as a JSON list, clipped at the
    click, and `context_features`: the named features of that moment and video (JSON), from
    the same function the feed uses for "now". Clicks without any events are kept and counted
    (`rows_without_context`)."""
    engine = database.engine()
    with read_transaction(engine) as conn:
        frame, stats = productive_rows(conn, config.context_hours)
        texts = video_texts(conn, frame["video_id"])
    encoder, now = text_encoder.model_name, clock.now()
    videos, video_counts = video_vectors(engine, encoder, texts, text_encoder.load, now)
    titles, title_counts = title_vectors(
        engine, encoder, context_texts(frame), text_encoder.load, now
    )
    frame[CONTEXT_FEATURES] = context_feature_column(frame, videos, titles)
    context.add_output_metadata(
        {
            **_metadata(stats),
            "context_hours": config.context_hours,
            "encoder": encoder,
            **video_counts.as_metadata("videos_"),
            **title_counts.as_metadata("event_texts_"),
        }
    )
    return frame
