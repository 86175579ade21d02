"""A frozen sentence encoder for event texts, with a cache by text (titles repeat a lot)."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

import torch

from vrdndi_pipeline.core.model.backbone import resolve_model_path
from vrdndi_pipeline.core.model.plain_sentence_model import load_plain_sentence_model

log = logging.getLogger(__name__)

# Texts sorted by length, 16 at a time: less padding than 64 (~45 instead of ~35 video texts/s
# and ~105 instead of ~100 window titles/s with the bundled MiniLM on 2 cores).
ENCODE_BATCH = 16


class EventTextEncoder(Protocol):
    """What the model needs from an event encoder: a width and ``texts -> (N, E)``."""

    @property
    def dim(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> torch.Tensor: ...


class ContextEncoder:
    """Frozen sentence model; ``embed`` returns L2-normalised CPU float32 ``(N, E)``. A plain
    Transformer+Pooling folder runs on transformers alone (:mod:`.plain_sentence_model`),
    anything else through sentence-transformers.

    Each distinct text is encoded once and kept in an LRU cache of ``cache_size`` texts: an
    event title recurs across many training rows and every feed refresh.
    """

    def __init__(
        self, model_name: str, *, device: str | torch.device = "cpu", cache_size: int = 50_000
    ) -> None:
        path = resolve_model_path(model_name)
        self.name = model_name
        self._plain = load_plain_sentence_model(path, device=str(device))
        if self._plain is not None:
            self._dim = self._plain.dim
        else:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(path, device=str(device))
            self._model.eval()
            for p in self._model.parameters():
                p.requires_grad_(False)
            model: Any = self._model
            get_dim = (
                getattr(model, "get_embedding_dimension", None)
                or model.get_sentence_embedding_dimension
            )
            self._dim = int(get_dim())
        self._cache: OrderedDict[str, torch.Tensor] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        log.info("event encoder %s loaded (%d-d, %s)", model_name, self._dim, device)

    @property
    def dim(self) -> int:
        return self._dim

    def embed(self, texts: Sequence[str]) -> torch.Tensor:
        """Embeddings of ``texts`` in order, ``(N, E)``; empty input gives ``(0, E)``."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if missing:
                vectors = self._encode(missing)  # (M, E)
                for text, vec in zip(missing, vectors.to("cpu", torch.float32), strict=True):
                    self._cache[text] = vec.clone()
            rows = []
            for text in texts:
                self._cache.move_to_end(text)
                rows.append(self._cache[text])
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        if not rows:
            return torch.zeros(0, self._dim)
        return torch.stack(rows)  # (N, E)

    def _encode(self, texts: list[str]) -> torch.Tensor:
        if self._plain is not None:
            return self._plain.encode(texts, batch_size=ENCODE_BATCH)
        with torch.inference_mode():
            return self._model.encode(
                texts,
                batch_size=ENCODE_BATCH,
                convert_to_tensor=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )


@lru_cache(maxsize=4)
def shared_context_encoder(model_name: str, device: str = "cpu") -> ContextEncoder:
    """One ContextEncoder per (name, device) in this process, loaded on first use."""
    return ContextEncoder(model_name, device=device)
