"""One feed refresh once its inputs are encoded: score every candidate with the champion (or a
cold-start fallback), add the reasons every ranking shares, order the feed (diversity and
exploration), and write it with its exposures in one transaction.

The ``feed_predictions`` asset reads the generation and calls :func:`refresh_feed`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, cast, get_args
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import Engine

from vrdndi_pipeline.core.feed.candidate_scores import CHAMPION, champion_scores, fallback_scores
from vrdndi_pipeline.core.feed.candidates import select_candidates
from vrdndi_pipeline.core.feed.inference_tensors import InferenceTensors, without_context
from vrdndi_pipeline.core.feed.neighbours import candidate_vectors, liked_videos, neighbour_reasons
from vrdndi_pipeline.core.feed.ranking import (
    Diversity,
    FeedOrder,
    ScoredCandidate,
    channel_share,
    order_feed,
)
from vrdndi_pipeline.core.feed.reasons import context_effect_reason, duration_reason, with_reason
from vrdndi_pipeline.core.feed.rows import drop_judged, exposure_rows, feed_rows
from vrdndi_pipeline.core.model.examples import examples_from_frames
from vrdndi_pipeline.core.records import Video
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.feed_tables import FeedGeneration, record_exposures, replace_feed
from vrdndi_pipeline.core.training.training_data import interest_rows


@dataclass(frozen=True, slots=True)
class RefreshSettings:
    order: FeedOrder
    interest_weight: float = 0.5  # w in interest^w * good_time_now^(1-w)
    batch_size: int = 32  # LoRA scoring


def refresh_settings(
    *,
    interest_weight: float,
    diversity: str,
    relevance_weight: float,
    max_per_channel: int,
    exploration_share: float,
    batch_size: int,
) -> RefreshSettings:
    """The settings of the ``feed_predictions`` asset's config (its fields by name); an unknown
    diversity rule is an error before anything is read."""
    if diversity not in get_args(Diversity):
        raise ValueError(f"unknown diversity rule {diversity!r}: use one of {get_args(Diversity)}")
    order = FeedOrder(
        diversity=cast(Diversity, diversity),
        relevance_weight=relevance_weight,
        max_per_channel=max_per_channel,
        exploration_share=exploration_share,
    )
    return RefreshSettings(order, interest_weight, batch_size)


@dataclass(frozen=True, slots=True)
class FeedRefresh:
    """What one refresh wrote, for the asset's metadata."""

    ranking: str
    model_version: str
    generation: str
    generated_at: datetime
    rows: list[dict[str, Any]]
    ranked: list[ScoredCandidate]
    encoded: int  # candidates in the generation
    with_neighbour: int  # cards with a "like X" reason
    scoring_seconds: float
    page_size: int

    def metadata(self, seconds: float | None = None) -> dict[str, Any]:
        """The asset's metadata; with the asset's ``seconds``, those and the ``top`` rows too
        (a Markdown table)."""
        meta = {
            "ranking": self.ranking,
            "model_version": self.model_version,
            "videos": len(self.rows),
            "dropped_since_encoding": self.encoded - len(self.rows),
            "generation": self.generation,
            "generated_at": self.generated_at.isoformat(),
            "max_videos_of_one_channel_per_page": channel_share(self.ranked, self.page_size),
            "explored": sum(bool(r["explored"]) for r in self.rows),
            "with_a_similar_liked_video": self.with_neighbour,
            "scoring_seconds": round(self.scoring_seconds, 2),
            "videos_per_second": (
                round(len(self.rows) / self.scoring_seconds, 1) if self.scoring_seconds else 0
            ),
        }
        if seconds is not None:
            meta.update(seconds=round(seconds, 2), top=self.top_table())
        return meta

    def top_table(self, limit: int = 10) -> str:
        """The first rows as a Markdown table."""
        lines = [
            f"| {r['rank']} | {r['title'][:60].replace('|', '/')} | {r['channel_title'] or ''} "
            f"| {r['combined_score']:.3f} |"
            for r in self.rows[:limit]
        ]
        return "| rank | title | channel | score |\n|---|---|---|---|\n" + "\n".join(lines)


def refresh_feed(
    engine: Engine,
    inputs: InferenceTensors,
    *,
    model_folder: Callable[[str], Path],
    text_encoder: str,
    settings: RefreshSettings,
    generated_at: datetime,
) -> FeedRefresh:
    """Score, explain, order and write the feed of generation ``inputs`` (see the module doc).
    ``model_folder(version)`` is the champion's model folder; ``text_encoder`` the frozen
    encoder whose stored embeddings give the neighbours and the diversity."""
    manifest = inputs.manifest
    moment = datetime.fromisoformat(manifest["moment"])
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

    version = manifest.get("model_version")
    started = time.perf_counter()
    ranking, scored, encoder = _score(
        inputs, candidates, keep, version, model_folder, settings, interest_frame
    )
    scoring_seconds = time.perf_counter() - started
    encoder = encoder or text_encoder
    with read_transaction(engine) as conn:
        stored = candidate_vectors(conn, encoder, [c.video_id for c in candidates])
        liked = liked_videos(conn, encoder)
    similar = neighbour_reasons(stored, [s.video.video_id for s in scored], liked)
    scored = [
        s.with_reasons(duration_reason(s.video.duration_s), near)
        for s, near in zip(scored, similar, strict=True)
    ]
    ranked = order_feed(scored, settings.order, generation=inputs.generation, vectors=stored)
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
    return FeedRefresh(
        ranking=ranking,
        model_version=version or "none",
        generation=inputs.generation,
        generated_at=generated_at,
        rows=rows,
        ranked=ranked,
        encoded=len(inputs.video_ids),
        with_neighbour=sum(n is not None for n in similar),
        scoring_seconds=scoring_seconds,
        page_size=settings.order.page_size,
    )


def _score(
    inputs: InferenceTensors,
    candidates: Sequence[Video],
    keep: list[int],
    version: str | None,
    model_folder: Callable[[str], Path],
    settings: RefreshSettings,
    interest_frame: pd.DataFrame | None,
) -> tuple[str, list[ScoredCandidate], str | None]:
    """The ranking, the scored candidates with their ranking's reasons, and the encoder of a
    ranker champion (``None``: the default text encoder)."""
    manifest = inputs.manifest
    w = settings.interest_weight
    if version is not None and inputs.ranker is not None and keep:
        from vrdndi_pipeline.core.feed.ranker_inputs import ranker_scores
        from vrdndi_pipeline.core.ranker.model import load_ranker, ranker_encoder
        from vrdndi_pipeline.core.ranker.moment_features import context_from_json

        folder = model_folder(version)
        model = load_ranker(folder)
        moment = datetime.fromisoformat(manifest["moment"])
        local = moment.astimezone(ZoneInfo(manifest.get("timezone") or "UTC"))
        p_interest, p_good, reasons = ranker_scores(
            model,
            candidates,
            inputs.ranker["video_vectors"].numpy()[keep],
            context_from_json(manifest["moment_context"]),
            local,
        )
        scored = champion_scores(
            candidates, p_interest.tolist(), p_good.tolist(), reasons, interest_weight=w
        )
        return CHAMPION, scored, ranker_encoder(folder)
    if version is not None and inputs.late is not None and keep:
        import torch

        from vrdndi_pipeline.core.model.adapter_files import load_adapter
        from vrdndi_pipeline.core.model.late_inference import score_late

        adapter = load_adapter(model_folder(version), compile_model=False, merge_lora=True)
        rows = torch.tensor(keep, dtype=torch.long)
        interest, productive = score_late(
            adapter,
            inputs.late["video_vectors"][rows],
            inputs.late["condition"][rows],
            inputs.late["context_embeddings"],
            inputs.late["context_features"],
        )
        no_reasons: list[list[Any]] = [[] for _ in candidates]
        scored = champion_scores(candidates, interest, productive, no_reasons, interest_weight=w)
        return CHAMPION, scored, None
    cold = interest_frame is not None  # read only when nothing was encoded for a champion
    if version is not None and (cold or not keep):
        return CHAMPION, [], None  # a champion, but no new uploads to rank
    if inputs.dataset is not None and version is not None:
        from vrdndi_pipeline.core.model.adapter_files import load_adapter
        from vrdndi_pipeline.core.model.batching import EncodedDataset
        from vrdndi_pipeline.core.model.inference import score_with_context_effect

        adapter = load_adapter(model_folder(version), compile_model=False, merge_lora=True)
        dataset = EncodedDataset(
            [inputs.dataset.items[i] for i in keep], inputs.dataset.event_table
        )
        interest, productive, without = score_with_context_effect(
            adapter, dataset, without_context(dataset), batch_size=settings.batch_size
        )
        reasons = [
            with_reason([], context_effect_reason(p, q))
            for p, q in zip(productive, without or productive, strict=True)
        ]
        scored = champion_scores(candidates, interest, productive, reasons, interest_weight=w)
        return CHAMPION, scored, None
    ranking, scored = fallback_scores(
        candidates,
        examples_from_frames(interest_frame, None),
        datetime.fromisoformat(manifest["moment"]),
        manifest["candidate_days"],
    )
    return ranking, scored, None
