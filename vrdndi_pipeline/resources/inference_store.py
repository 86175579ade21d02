"""Where ``encoded_inference_tensors`` keeps its generations (safetensors + manifest)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg


class InferenceTensorStore(dg.ConfigurableResource):
    """A folder of encoded-input generations; ``keep`` of them survive each refresh."""

    root: str
    keep: int = 3

    @property
    def path(self) -> Path:
        return Path(self.root).expanduser()
