"""``video_embeddings``: every video's text through the frozen sentence encoder, once."""

import dagster as dg

from vrdndi_pipeline.assets.asset_tags import asset_catalog
from vrdndi_pipeline.assets.youtube_videos import youtube_videos
from vrdndi_pipeline.core.embeddings.cached import video_vectors
from vrdndi_pipeline.core.embeddings.vector_store import video_texts
from vrdndi_pipeline.core.store.database import read_transaction
from vrdndi_pipeline.resources.clock import Clock
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder


@dg.asset(
    **asset_catalog("features", source="youtube"),
    deps=[youtube_videos],
    kinds={"pytorch", "sql"},
)
def video_embeddings(
    context: dg.AssetExecutionContext,
    database: AppDatabase,
    text_encoder: SentenceEncoder,
    clock: Clock,
) -> dg.MaterializeResult:
    """One row of table `video_embeddings` per (video, encoder): the L2-normalised sentence
    embedding of `title | channel | description`. Only videos that are new, or whose text
    changed, go through the encoder; training, every feed refresh and the ranker read these."""
    engine = database.engine()
    with read_transaction(engine) as conn:
        texts = video_texts(conn)
    vectors, counts = video_vectors(
        engine, text_encoder.model_name, texts, text_encoder.load, clock.now()
    )
    context.log.info(
        "%d videos: %d embedded, %d unchanged (%.1f s)",
        len(texts),
        counts.embedded,
        counts.reused,
        counts.seconds,
    )
    dim = len(next(iter(vectors.values()))) if vectors else 0
    return dg.MaterializeResult(
        metadata={
            "encoder": text_encoder.model_name,
            "videos": len(texts),
            "dim": dim,
            **counts.as_metadata(""),
        }
    )
