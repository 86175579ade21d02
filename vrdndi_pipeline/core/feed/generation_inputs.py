"""What one ``encoded_inference_tensors`` run writes: the candidates and the context "now",
encoded for the champion, with the cache counts and the manifest.

A ranker champion needs the candidates' frozen embeddings and the context features of "now"
(no backbone pass); a LoRA champion the tokenized texts and embedded events (early fusion) or
cached video vectors and one shared context (late fusion). Without a champion (cold start), or
without candidates, nothing is encoded: the manifest alone records the candidates and the
context, and the feed uses a fallback ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import torch
from sqlalchemy import Engine

from vrdndi_pipeline.core.feed.candidates import CandidateSelection, summarize_context
from vrdndi_pipeline.core.feed.inference_tensors import write_generation
from vrdndi_pipeline.core.feed.late_fusion_cache import adapter_fusion, late_fusion_tensors
from vrdndi_pipeline.core.feed.ranker_inputs import ranker_refresh_inputs
from vrdndi_pipeline.core.model.batching import EncodedDataset
from vrdndi_pipeline.core.model.context_encoder import shared_context_encoder
from vrdndi_pipeline.core.model.context_features import ContextEvent
from vrdndi_pipeline.core.ranker.model import FAMILY as RANKER
from vrdndi_pipeline.core.ranker.model import ranker_encoder
from vrdndi_pipeline.core.ranker.moment_features import context_to_json

NO_CHAMPION_WARNING = (
    "no champion adapter yet: %d candidates recorded without encoding; the feed will use a "
    "fallback ranking until train_job promotes a model"
)


class ChampionModel(Protocol):
    """The champion as the feed needs it (MLflow's ``ChampionInfo`` is one)."""

    @property
    def version(self) -> str: ...

    @property
    def run_id(self) -> str | None: ...

    @property
    def family(self) -> str: ...  # "ranker" or "lora"

    @property
    def local_path(self) -> Path: ...  # the model folder


@dataclass(frozen=True, slots=True)
class InferenceWindow:
    """Which moment's candidates and context a generation holds."""

    context_hours: float  # ActivityWatch events before now
    candidate_days: float  # videos published within this many days
    timezone: str  # the user's IANA zone


@dataclass(frozen=True, slots=True)
class GenerationInputs:
    """One generation as :func:`~vrdndi_pipeline.core.feed.inference_tensors.write_generation`
    writes it.

    At most one of ``dataset`` (early fusion), ``late`` and ``ranker`` is set; none when nothing
    was encoded."""

    selection: CandidateSelection
    manifest: dict[str, Any]
    dataset: EncodedDataset | None = None
    late: dict[str, torch.Tensor] | None = None
    ranker: dict[str, torch.Tensor] | None = None
    cache: dict[str, Any] = field(default_factory=dict)  # what the embedding caches did

    @property
    def video_ids(self) -> list[str]:
        return [c.video_id for c in self.selection.candidates]

    @property
    def encoded(self) -> bool:
        return self.dataset is not None or self.late is not None or self.ranker is not None

    @property
    def fusion(self) -> str:
        return "late" if self.late is not None else "none" if self.ranker is not None else "early"

    def write(self, root: Path, generation: str) -> Path:
        """Write it as ``generation`` under ``root`` and point ``CURRENT`` at it; its folder."""
        return write_generation(
            root,
            generation,
            self.video_ids,
            self.dataset,
            self.manifest,
            late=self.late,
            ranker=self.ranker,
        )

    def log_line(self, generation: str) -> str:
        return (
            f"{len(self.video_ids)} candidates, {self.manifest['context_events']} context "
            f"events, generation {generation}"
        )

    def metadata(
        self, generation: str, folder: Path, removed: Sequence[str], seconds: float
    ) -> dict[str, Any]:
        """The asset's metadata once ``generation`` is written to ``folder`` (plain values:
        ``path`` and ``excluded`` are for Dagster's path and JSON kinds)."""
        m = self.manifest
        cache_prefix = "cache_" if self.ranker is not None else "video_cache_"
        return {
            "generation": generation,
            "path": str(folder),
            "moment": m["moment"],
            "candidates": len(self.video_ids),
            "published_in_window": self.selection.published_in_window,
            "excluded": dict(self.selection.excluded),
            "context_events": m["context_events"],
            "context": m["context_summary"],
            "model_version": m["model_version"] or "none (cold start)",
            "encoded": self.encoded,
            "family": m["model_family"] or "none",
            "fusion": self.fusion,
            **{cache_prefix + k: v for k, v in self.cache.items()},
            "bytes": sum(f.stat().st_size for f in folder.iterdir()),
            "generations_removed": len(removed),
            "seconds": round(seconds, 2),
        }


def adapter_key(champion: ChampionModel) -> str:
    """What late fusion's cached vectors belong to: the version and the MLflow run id (a reset
    MLflow store numbers versions from 1 again)."""
    return f"{champion.version}-{champion.run_id}" if champion.run_id else champion.version


def generation_inputs(
    engine: Engine,
    champion: ChampionModel | None,
    selection: CandidateSelection,
    events: Sequence[ContextEvent],
    now: datetime,
    window: InferenceWindow,
    *,
    device: str = "cpu",
    run_id: str | None = None,
) -> GenerationInputs:
    """The candidates of ``selection`` and the context ``events`` at ``now``, encoded for
    ``champion`` (see the module doc); ``device`` runs the sentence encoder (a ranker champion,
    loaded only for texts not embedded yet), ``run_id`` is recorded in the manifest."""
    candidates = selection.candidates
    manifest: dict[str, Any] = {
        "moment": now.isoformat(),
        "timezone": window.timezone,
        "context_hours": window.context_hours,
        "candidate_days": window.candidate_days,
        "context_events": len(events),
        "context_summary": summarize_context(events, window.context_hours),
        "model_version": champion.version if champion else None,
        "model_family": champion.family if champion else None,
        "moment_context": None,
        "dagster_run_id": run_id,
    }
    if champion is None or not candidates:
        return GenerationInputs(selection, manifest)
    if champion.family == RANKER:
        encoder = ranker_encoder(champion.local_path)
        vectors, moment, cache = ranker_refresh_inputs(
            engine,
            encoder,
            lambda: shared_context_encoder(encoder, device),
            candidates,
            events,
            now,
            window.timezone,
        )
        manifest["moment_context"] = context_to_json(moment)
        ranker = {"video_vectors": torch.from_numpy(vectors)}
        return GenerationInputs(selection, manifest, ranker=ranker, cache=cache)
    from vrdndi_pipeline.core.model.inference import encode_candidates

    dataset = encode_candidates(champion.local_path, candidates, now, events, window.timezone)
    if adapter_fusion(champion.local_path) != "late":
        return GenerationInputs(selection, manifest, dataset=dataset)
    late, cache = late_fusion_tensors(
        engine, champion.local_path, adapter_key(champion), candidates, dataset, now
    )
    return GenerationInputs(selection, manifest, late=late, cache=cache)
