"""``feed_predictions``: the ranked feed the site shows, replaced in one transaction."""

import time

import dagster as dg
from pydantic import Field

from vrdndi_pipeline.assets.asset_tags import asset_catalog
from vrdndi_pipeline.assets.encoded_inference_tensors import encoded_inference_tensors
from vrdndi_pipeline.assets.feed_automation import with_its_inputs
from vrdndi_pipeline.core.feed.candidate_scores import CHAMPION
from vrdndi_pipeline.core.feed.inference_tensors import InferenceTensorsError, read_generation
from vrdndi_pipeline.core.feed.page import MAX_PER_CHANNEL, PAGE_SIZE
from vrdndi_pipeline.core.feed.refresh import refresh_feed, refresh_settings
from vrdndi_pipeline.resources.clock import Clock
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.inference_store import InferenceTensorStore
from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking
from vrdndi_pipeline.resources.text_encoder import SentenceEncoder


class FeedConfig(dg.Config):
    interest_weight: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="w in interest^w * good_time_now^(1-w): how much interest counts against "
        "being a good time now.",
    )
    diversity: str = Field(
        default="mmr",
        description="'mmr': maximal marginal relevance over video embeddings, with the channel "
        "cap; 'channel_cap': at most max_per_channel videos of a channel per page; 'none': by "
        "score only.",
    )
    relevance_weight: float = Field(
        default=0.8, ge=0, le=1, description="MMR's lambda: 1 = by score, lower = more varied."
    )
    max_per_channel: int = Field(
        default=MAX_PER_CHANNEL,
        ge=1,
        description="Most videos of one channel per page of the site (the site's pages hold "
        f"{PAGE_SIZE} cards: core/feed/page.py's PAGE_SIZE, which the site reads too).",
    )
    exploration_share: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="Share of slots filled by a uniform draw from the candidates (marked on "
        "the card; every choice's probability is logged in feed_exposures).",
    )
    batch_size: int = Field(default=32, ge=1)


@dg.asset(
    **asset_catalog("serving", group="feed"),
    kinds={"pytorch", "sql"},
    deps=[encoded_inference_tensors],
    automation_condition=with_its_inputs(),
)
def feed_predictions(
    context: dg.AssetExecutionContext,
    config: FeedConfig,
    database: AppDatabase,
    tracking: MlflowTracking,
    inference_store: InferenceTensorStore,
    clock: Clock,
    text_encoder: SentenceEncoder,
) -> dg.MaterializeResult:
    """One row of table `feed_predictions` per candidate video: title, channel, duration,
    published time, interest / good-time-now / combined score, rank, the ranking used
    (`champion` or a cold-start fallback), model version, the top reasons (JSON), whether an
    exploration slot chose it and with what probability. The whole table is replaced in one
    transaction (readers see the previous feed or this one); every shown video is also
    appended to `feed_exposures`."""
    started = time.perf_counter()
    try:
        inputs = read_generation(inference_store.path)
    except InferenceTensorsError as error:
        raise dg.Failure(description=str(error)) from error
    refresh = refresh_feed(
        database.engine(),
        inputs,
        model_folder=lambda version: tracking.version_info(version).local_path,
        text_encoder=text_encoder.model_name,
        settings=refresh_settings(**config.model_dump()),
        generated_at=clock.now(),
    )
    if refresh.ranking != CHAMPION:
        context.log.warning(
            "cold start: feed ranked by %s (no champion model yet)", refresh.ranking
        )
    context.log.info("feed of %d videos written (%s)", len(refresh.rows), refresh.ranking)
    metadata = refresh.metadata(seconds=time.perf_counter() - started)
    return dg.MaterializeResult(metadata={**metadata, "top": dg.MetadataValue.md(metadata["top"])})
