"""``feed_predictions``: the ranked feed the site shows, replaced in one transaction."""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
from pydantic import Field

from vrdndi_pipeline.assets.encoded_inference_tensors import encoded_inference_tensors
from vrdndi_pipeline.core.feed.candidates import select_candidates
from vrdndi_pipeline.core.feed.inference_tensors import (
    InferenceTensorsError,
    read_generation,
    without_context,
)
from vrdndi_pipeline.core.feed.neighbours import candidate_vectors, liked_videos, neighbour_reasons
from vrdndi_pipeline.core.feed.ranking import FeedOrder, channel_share, order_feed
from vrdndi_pipeline.core.feed.reasons import context_effect_reason, duration_reason, with_reason
from vrdndi_pipeline.core.feed.rows import drop_judged, exposure_rows, feed_rows
from vrdndi_pipeline.core.feed.scoring import CHAMPION, champion_scores, fallback_scores
from vrdndi_pipeline.core.model.examples import examples_from_frames
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.feed_tables import FeedGeneration, record_exposures, replace_feed
from vrdndi_pipeline.core.training_data import interest_rows
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
    max_per_channel: int = Field(default=3, ge=1)
    page_size: int = Field(default=21, ge=1, description="Cards per page of the feed site.")
    exploration_share: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="Share of slots filled by a uniform draw from the candidates (marked on "
        "the card; every choice's probability is logged in feed_exposures).",
    )
    batch_size: int = Field(default=32, ge=1)


@dg.asset(group_name="feed", kinds={"pytorch", "sql"}, deps=[encoded_inference_tensors])
def feed_predictions(
    context: dg.AssetExecutionContext,
    config: FeedConfig,
    database: AppDatabase,
    tracking: MlflowTracking,
    inference_store: InferenceTensorStore,
    clock: Clock,
    text_encoder: SentenceEncoder,
) -> dg.MaterializeResult:
    """One row of table ``feed_predictions`` per candidate video: title, channel, duration,
    published time, interest / good-time-now / combined score, rank, the ranking used
    (``champion`` or a cold-start fallback), model version, the top reasons (JSON), whether an
    exploration slot chose it and with what probability. The whole table is replaced in one
    transaction (readers see the previous feed or this one); every shown video is also
    appended to ``feed_exposures``."""
    started = time.perf_counter()
    try:
        inputs = read_generation(inference_store.path)
    except InferenceTensorsError as error:
        raise dg.Failure(description=str(error)) from error
    manifest = inputs.manifest
    moment = datetime.fromisoformat(manifest["moment"])
    local = moment.astimezone(ZoneInfo(manifest.get("timezone") or "UTC"))
    engine = database.engine()
    with read_transaction(engine) as conn:
        # Re-checked now: feedback or hides given since the tensors were encoded still count.
        current = select_candidates(
            conn, moment, manifest["candidate_days"], only_ids=inputs.video_ids
        ).candidates
        cold = inputs.dataset is None and inputs.late is None and inputs.ranker is None
        interest_frame = interest_rows(conn)[0] if cold else None
    by_id = {c.video_id: c for c in current}
    keep = [i for i, vid in enumerate(inputs.video_ids) if vid in by_id]
    candidates = [by_id[inputs.video_ids[i]] for i in keep]
    encoder = text_encoder.model_name

    version = manifest.get("model_version")
    scoring_started = time.perf_counter()
    if version is not None and inputs.ranker is not None and keep:
        from vrdndi_pipeline.core.feed.ranker_inputs import ranker_scores
        from vrdndi_pipeline.core.ranker.model import load_ranker, ranker_encoder
        from vrdndi_pipeline.core.ranker.moment_features import context_from_json

        folder = tracking.version_info(version).local_path
        model, encoder = load_ranker(folder), ranker_encoder(folder)
        vectors = inputs.ranker["video_vectors"].numpy()[keep]
        moment_context = context_from_json(manifest["moment_context"])
        interest, productive, reasons = ranker_scores(
            model, candidates, vectors, moment_context, local
        )
        ranking, scored = (
            CHAMPION,
            champion_scores(
                candidates,
                interest.tolist(),
                productive.tolist(),
                reasons,
                interest_weight=config.interest_weight,
            ),
        )
    elif version is not None and inputs.late is not None and keep:
        import torch

        from vrdndi_pipeline.core.model import load_adapter
        from vrdndi_pipeline.core.model.late_scoring import score_late

        model = load_adapter(
            tracking.version_info(version).local_path, compile_model=False, merge_lora=True
        )
        rows = torch.tensor(keep, dtype=torch.long)
        interest, productive = score_late(
            model,
            inputs.late["video_vectors"][rows],
            inputs.late["condition"][rows],
            inputs.late["context_embeddings"],
            inputs.late["context_features"],
        )
        ranking, scored = (
            CHAMPION,
            champion_scores(
                candidates,
                interest,
                productive,
                [[] for _ in candidates],
                interest_weight=config.interest_weight,
            ),
        )
    elif version is not None and (cold or not keep):
        ranking, scored = CHAMPION, []  # a champion, but no new uploads to rank
    elif inputs.dataset is not None and version is not None:
        from vrdndi_pipeline.core.model import load_adapter, score_with_context_effect
        from vrdndi_pipeline.core.model.batching import EncodedDataset

        model = load_adapter(
            tracking.version_info(version).local_path, compile_model=False, merge_lora=True
        )
        dataset = EncodedDataset(
            [inputs.dataset.items[i] for i in keep], inputs.dataset.event_table
        )
        interest, productive, without = score_with_context_effect(
            model, dataset, without_context(dataset), batch_size=config.batch_size
        )
        ranking, scored = (
            CHAMPION,
            champion_scores(
                candidates,
                interest,
                productive,
                [
                    with_reason([], context_effect_reason(p, q))
                    for p, q in zip(productive, without or productive, strict=True)
                ],
                interest_weight=config.interest_weight,
            ),
        )
    else:
        ranking, scored = fallback_scores(
            candidates,
            examples_from_frames(interest_frame, None),
            moment,
            manifest["candidate_days"],
        )
    scoring_seconds = time.perf_counter() - scoring_started
    with read_transaction(engine) as conn:
        stored = candidate_vectors(conn, encoder, [c.video_id for c in candidates])
        liked = liked_videos(conn, encoder)
    similar = neighbour_reasons(stored, [s.candidate.video_id for s in scored], liked)
    scored = [
        s.with_reasons(duration_reason(s.candidate.duration_s), near)
        for s, near in zip(scored, similar, strict=True)
    ]
    order = FeedOrder(
        diversity=config.diversity,  # type: ignore[arg-type]
        relevance_weight=config.relevance_weight,
        max_per_channel=config.max_per_channel,
        page_size=config.page_size,
        exploration_share=config.exploration_share,
    )
    ranked = order_feed(scored, order, generation=inputs.generation, vectors=stored)
    generated_at = clock.now()
    rows = feed_rows(
        ranked,
        ranking=ranking,
        model_version=version or "none",
        generation=inputs.generation,
        generated_at=generated_at,
    )
    with write_transaction(engine) as conn:
        # Once more inside the write: a click given while the videos were scored counts too.
        rows = drop_judged(conn, rows, moment, manifest["candidate_days"])
        # Nothing new to rank is still a new feed: the site says so instead of "no feed yet".
        header = FeedGeneration(inputs.generation, generated_at, ranking, version or "none", 0)
        replace_feed(conn, rows, empty_feed=None if rows else header)
        record_exposures(conn, exposure_rows(rows))
    if ranking != CHAMPION:
        context.log.warning("cold start: feed ranked by %s (no champion model yet)", ranking)
    context.log.info("feed of %d videos written (%s)", len(rows), ranking)
    top = "\n".join(
        f"| {r['rank']} | {r['title'][:60].replace('|', '/')} | {r['channel_title'] or ''} "
        f"| {r['combined_score']:.3f} |"
        for r in rows[:10]
    )
    return dg.MaterializeResult(
        metadata={
            "ranking": ranking,
            "model_version": version or "none",
            "videos": len(rows),
            "dropped_since_encoding": len(inputs.video_ids) - len(rows),
            "generation": inputs.generation,
            "generated_at": generated_at.isoformat(),
            "max_videos_of_one_channel_per_page": channel_share(ranked, config.page_size),
            "explored": sum(bool(r["explored"]) for r in rows),
            "with_a_similar_liked_video": sum(n is not None for n in similar),
            "scoring_seconds": round(scoring_seconds, 2),
            "videos_per_second": round(len(rows) / scoring_seconds, 1) if scoring_seconds else 0,
            "seconds": round(time.perf_counter() - started, 2),
            "top": dg.MetadataValue.md(
                "| rank | title | channel | score |\n|---|---|---|---|\n" + top
            ),
        }
    )
