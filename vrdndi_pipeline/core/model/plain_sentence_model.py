"""Sentence embeddings from a plain sentence-transformers folder, with transformers alone.

A folder whose pipeline is ``Transformer → Pooling (mean or CLS) → [Normalize]`` (the bundled
all-MiniLM-L6-v2 and most sentence models) is computed here with ``AutoModel`` and a few lines
of pooling. Importing ``sentence_transformers`` costs ~4 s on 2 cores (it pulls in
scikit-learn and more), which every feed refresh — a fresh process under Dagster — paid before
encoding a single event title. Anything else (Dense layers, prompts, custom modules, hub ids)
returns ``None`` and the caller uses ``SentenceTransformer`` itself.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

log = logging.getLogger(__name__)

_TRANSFORMER = "sentence_transformers.models.Transformer"
_POOLING = "sentence_transformers.models.Pooling"
_NORMALIZE = "sentence_transformers.models.Normalize"
_POOLING_MODES = {"pooling_mode_mean_tokens": "mean", "pooling_mode_cls_token": "cls"}
_KNOWN_BERT_CONFIG = {"max_seq_length", "do_lower_case"}


def plain_pooling(folder: Path) -> tuple[str, int | None, bool] | None:
    """``(pooling, max_seq_length, do_lower_case)`` when ``folder`` holds a plain pipeline,
    else ``None``. Reads only the folder's small JSON files."""
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        bert_config = _json_or_empty(folder / "sentence_bert_config.json")
        st_config = _json_or_empty(folder / "config_sentence_transformers.json")
    except (OSError, ValueError):
        return None
    if not isinstance(modules, list) or not all(isinstance(m, dict) for m in modules):
        return None
    types = [m.get("type") for m in modules]
    if types not in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE]):
        return None
    if modules[0].get("path", "") != "" or set(bert_config) - _KNOWN_BERT_CONFIG:
        return None
    if st_config.get("prompts") or st_config.get("default_prompt_name"):
        return None
    try:
        pooling_config = json.loads(
            (folder / modules[1]["path"] / "config.json").read_text(encoding="utf-8")
        )
    except (OSError, ValueError, KeyError):
        return None
    modes = [k for k, v in pooling_config.items() if k.startswith("pooling_mode") and v]
    if len(modes) != 1 or modes[0] not in _POOLING_MODES:
        return None
    if pooling_config.get("include_prompt") is False:
        return None
    max_length = bert_config.get("max_seq_length")
    return _POOLING_MODES[modes[0]], max_length, bool(bert_config.get("do_lower_case", False))


def _json_or_empty(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


class PlainSentenceModel:
    """``encode(texts) -> (N, E)`` L2-normalised float32, as ``SentenceTransformer.encode``
    with ``normalize_embeddings=True`` computes it for the same folder."""

    def __init__(
        self, folder: Path, pooling: str, max_length: int | None, lower: bool, device: str
    ) -> None:
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(str(folder))
        self.model = AutoModel.from_pretrained(str(folder)).to(device).eval()
        for p in self.model.parameters():
            p.requires_grad_(False)
        self.pooling, self.lower, self.device = pooling, lower, device
        # as sentence-transformers' Transformer module: the folder's max_seq_length, else the
        # smaller of the model's positions and the tokenizer's limit
        self.max_length = max_length or min(
            int(self.model.config.max_position_embeddings), int(self.tokenizer.model_max_length)
        )
        self.dim = int(self.model.config.hidden_size)

    @torch.inference_mode()
    def encode(self, texts: Sequence[str], batch_size: int = 64) -> torch.Tensor:
        if not texts:
            return torch.zeros(0, self.dim)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # less padding
        out = torch.empty(len(texts), self.dim)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            batch = [str(texts[i]).strip() for i in rows]  # sentence-transformers strips
            batch = [t.lower() for t in batch] if self.lower else batch
            inputs = self.tokenizer(
                batch,
                padding=True,
                truncation="longest_first",
                max_length=self.max_length,
                return_tensors="pt",
            ).to(self.device)
            hidden = self.model(**inputs).last_hidden_state  # (B, T, H)
            if self.pooling == "cls":
                pooled = hidden[:, 0]  # (B, H)
            else:
                mask = inputs["attention_mask"].unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)  # (B, H)
            out[rows] = torch.nn.functional.normalize(pooled, p=2, dim=1).float().cpu()
        return out


def load_plain_sentence_model(path: str, device: str = "cpu") -> PlainSentenceModel | None:
    """The model at local folder ``path`` when its pipeline is plain, else ``None``."""
    folder = Path(path)
    if not folder.is_dir():
        return None  # a hub id: sentence-transformers resolves and downloads it
    plain = plain_pooling(folder)
    if plain is None:
        log.info("%s is not a plain Transformer+Pooling folder; using sentence-transformers", path)
        return None
    return PlainSentenceModel(folder, *plain, device=device)
