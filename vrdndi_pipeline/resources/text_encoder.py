"""The frozen sentence encoder of video and event texts, as a Dagster resource.

The same encoder serves the live and the demo sources (its weights ship with the package);
another one is configuration (`VRDNDI_TEXT_ENCODER`: a Hugging Face id or a local folder).
Loading is lazy: a run whose texts are all embedded already never loads it.
"""

from __future__ import annotations

import dagster as dg
from pydantic import Field

from vrdndi_pipeline.core.embeddings.cached import TextEncoder
from vrdndi_pipeline.core.model.config import BUNDLED_MINILM


class SentenceEncoder(dg.ConfigurableResource):
    """A frozen sentence-transformers model; its name is the id stored with each vector."""

    model_name: str = Field(
        default=BUNDLED_MINILM,
        description="HF id, local folder or 'bundled:all-MiniLM-L6-v2' (no download).",
    )
    device: str = Field(default="cpu", description="cpu, cuda or mps.")

    def load(self) -> TextEncoder:
        from vrdndi_pipeline.core.model.context_encoder import shared_context_encoder

        return shared_context_encoder(self.model_name, self.device)
