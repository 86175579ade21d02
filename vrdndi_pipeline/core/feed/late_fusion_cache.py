"""Late fusion in ``encoded_inference_tensors``: reuse cached video vectors, encode the rest.

Only videos that are new, whose text changed, or that the current champion version has not
encoded yet go through the backbone; vectors of older adapter versions are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import torch
from sqlalchemy import Engine

from vrdndi_pipeline.core.model.batching import EncodedDataset
from vrdndi_pipeline.core.records import Video
from vrdndi_pipeline.core.store.database import read_transaction, write_transaction
from vrdndi_pipeline.core.store.video_encodings import (
    cached_vectors,
    forget_other_versions,
    store_vectors,
)


def adapter_fusion(adapter_folder: Path) -> str:
    """``early`` or ``late``, from the adapter's saved config (older adapters: early)."""
    from vrdndi_pipeline.core.model.adapter_files import read_config

    return read_config(adapter_folder).fusion


def late_fusion_tensors(
    engine: Engine,
    adapter_folder: Path,
    adapter_key: str,
    candidates: Sequence[Video],
    dataset: EncodedDataset,
    now: datetime,
) -> tuple[dict[str, torch.Tensor], dict[str, int]]:
    """The late-fusion tensors of a generation (rows in ``candidates`` order, ``dataset`` encoded
    from them), and the cache's hits / misses / dropped.

    ``adapter_key`` names the adapter the vectors belong to (version and MLflow run id)."""
    from vrdndi_pipeline.core.model.adapter_files import load_adapter
    from vrdndi_pipeline.core.model.late_inference import encode_video_vectors, shared_context

    texts = {c.video_id: c.text for c in candidates}
    with read_transaction(engine) as conn:
        hits = cached_vectors(conn, adapter_key, texts)
    missing = [i for i, c in enumerate(candidates) if c.video_id not in hits]
    fresh: dict[str, torch.Tensor] = {}
    if missing:
        model = load_adapter(adapter_folder, compile_model=False, merge_lora=True)
        subset = EncodedDataset([dataset.items[i] for i in missing], dataset.event_table)
        vectors = encode_video_vectors(model, subset)
        fresh = {candidates[i].video_id: vectors[j] for j, i in enumerate(missing)}
    with write_transaction(engine) as conn:
        store_vectors(conn, adapter_key, {v: texts[v] for v in fresh}, fresh, now)
        dropped = forget_other_versions(conn, [adapter_key])
    vectors = torch.stack(
        [hits[c.video_id] if c.video_id in hits else fresh[c.video_id] for c in candidates]
    )
    context_embeddings, context_features = shared_context(dataset)
    tensors = {
        "video_vectors": vectors,
        "condition": torch.stack([it.condition for it in dataset.items]),
        "context_embeddings": context_embeddings,
        "context_features": context_features,
    }
    return tensors, {"hits": len(hits), "misses": len(missing), "dropped": dropped}
