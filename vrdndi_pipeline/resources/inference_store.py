"""Where `encoded_inference_tensors` keeps its generations (safetensors + manifest)."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from vrdndi_pipeline.core.private_files import private_dir


class InferenceTensorStore(dg.ConfigurableResource):
    """A folder of encoded-input generations; `keep` of them survive each refresh. The folder
    is made (or kept) mode 0700 when a run starts: it holds what the model reads of the feed."""

    root: str
    keep: int = 3

    @property
    def path(self) -> Path:
        return Path(self.root).expanduser()

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        private_dir(self.path)
