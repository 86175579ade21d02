"""HybridProductiveModel: a text backbone that also reads one token of computer-activity context.

    video text ──tokenize──> word embeddings (B, T, H) ──┐
                                                         ├─ insert after the last text token
    events ──ContextCompressor(cond = video duration)──> (B, H)
                                                         └─> backbone(inputs_embeds) (B, T+1, H)
    ──mean pool over the mask──> (B, H) ──> productive MLP (B, Kp), interest SwiGLU (B, Ki)

The context token sits right after each row's last text token (before any padding), so its
position id does not depend on how long the other rows of the batch are. Rows without context
(interest rows) mask it out. All widths come from the backbone's and the encoder's configs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, cast

import torch
from torch import nn

from vrdndi_pipeline.core.model.backbone import compile_or_eager, load_backbone, prepare_backbone
from vrdndi_pipeline.core.model.batching import Collator, EncodedDataset, encode_examples
from vrdndi_pipeline.core.model.config import ModelConfig
from vrdndi_pipeline.core.model.context_compressor import ContextCompressor
from vrdndi_pipeline.core.model.context_encoder import EventTextEncoder, shared_context_encoder
from vrdndi_pipeline.core.model.examples import TrainingExample
from vrdndi_pipeline.core.model.heads import MlpHead, SwiGLUHead
from vrdndi_pipeline.core.model.late_fusion import LateFusion
from vrdndi_pipeline.core.model.runtime import seed_everything

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

log = logging.getLogger(__name__)

BACKBONE_PREFIX = "backbone."


class HeadLogits(NamedTuple):
    interest: torch.Tensor  # (B, Ki)
    productive: torch.Tensor  # (B, Kp)


def insert_context_token(
    tokens: torch.Tensor,
    attention_mask: torch.Tensor,
    context: torch.Tensor,
    has_context: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Put ``context (B, H)`` after each row's last real token of ``tokens (B, T, H)``.

    Right padding assumed. Returns embeddings ``(B, T+1, H)`` and the mask ``(B, T+1)``, in
    which the context position is ``has_context (B,)``.
    """
    B, T, H = tokens.shape
    lengths = attention_mask.sum(dim=1, keepdim=True)  # (B, 1)
    pos = torch.arange(T + 1, device=tokens.device).unsqueeze(0)  # (1, T+1)
    source = torch.where(pos < lengths, pos, torch.where(pos == lengths, T, pos - 1))  # (B, T+1)
    joined = torch.cat([tokens, context.unsqueeze(1)], dim=1)  # (B, T+1, H)
    embeds = joined.gather(1, source.unsqueeze(-1).expand(B, T + 1, H))  # (B, T+1, H)
    mask = torch.cat([attention_mask, has_context.to(attention_mask.dtype).unsqueeze(1)], dim=1)
    return embeds, mask.gather(1, source)  # (B, T+1, H), (B, T+1)


class HybridProductiveModel(nn.Module):
    """Backbone (LoRA or full) + context compressor + productive and interest heads.

    The tokenizer and the frozen event encoder travel with the model (plain attributes, not
    submodules: they are not trained and not saved in its state).
    """

    def __init__(
        self,
        config: ModelConfig,
        backbone: nn.Module,
        tokenizer: PreTrainedTokenizerBase,
        event_encoder: EventTextEncoder,
    ) -> None:
        super().__init__()
        self.config = config
        self.tokenizer = tokenizer
        self.event_encoder = event_encoder
        self.backbone = backbone  # a transformers model, or a peft model wrapping one
        hidden = int(cast(Any, backbone).config.hidden_size)
        self.context = ContextCompressor(
            embed_dim=event_encoder.dim,
            num_in_feature=config.num_in_feature,
            num_out_feature=config.num_out_feature,
            cond_dim=config.cond_dim,
            hidden_size=hidden,
        )
        self.productive_head = MlpHead(
            hidden, config.productive_out_feature, config.productive_output_layer_dropout
        )
        self.interest_head = SwiGLUHead(
            hidden, config.interest_out_feature, config.interest_output_layer_dropout
        )
        self.fusion = LateFusion(hidden, config.cond_dim) if config.fusion == "late" else None
        self._run_backbone = compile_or_eager(self.backbone.forward, config.compile_model)

    @classmethod
    def from_config(
        cls, config: ModelConfig, *, event_encoder: EventTextEncoder | None = None
    ) -> HybridProductiveModel:
        """A fresh model: pre-trained backbone (LoRA applied when ``use_lora``), new heads.

        Seeds torch with ``config.seed`` first, so LoRA and head initialisation repeat.
        """
        seed_everything(config.seed)
        backbone, tokenizer = load_backbone(config)
        encoder = event_encoder or shared_context_encoder(config.event_encoder_name)
        model = cls(config, prepare_backbone(backbone, config), tokenizer, encoder)
        log.info(
            "model %s: %d trainable / %d parameters",
            config.model_name,
            model.num_parameters(trainable=True),
            model.num_parameters(),
        )
        return model

    # --- forward ---
    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        event_embeddings: torch.Tensor,
        event_features: torch.Tensor,
        event_mask: torch.Tensor,
        condition: torch.Tensor,
    ) -> HeadLogits:
        if self.fusion is not None:
            video = self.video_vectors(input_ids, attention_mask)  # (B, H)
            context = self.context_token(event_embeddings, event_features, event_mask)  # (B, H)
            return self.fused_logits(video, context, event_mask.any(dim=1), condition)
        context = self.context(event_embeddings, event_features, event_mask, condition)  # (B, H)
        tokens = cast(Any, self.backbone).get_input_embeddings()(input_ids)  # (B, T, H)
        embeds, mask = insert_context_token(tokens, attention_mask, context, event_mask.any(dim=1))
        return self._heads(self._pooled(embeds, mask))

    def _pooled(self, embeds: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        out = self._run_backbone(inputs_embeds=embeds, attention_mask=mask)
        hidden = out.last_hidden_state  # (B, T, H)
        m = mask.unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
        return (hidden * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)  # (B, H)

    def _heads(self, pooled: torch.Tensor) -> HeadLogits:
        interest = self.interest_head(pooled)  # (B, Ki)
        return HeadLogits(interest=interest, productive=self.productive_head(pooled))  # (B, Kp)

    # --- late fusion: the two towers, usable on their own ---
    def video_vectors(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The backbone's mean-pooled reading of the video text alone ``(B, H)``."""
        tokens = cast(Any, self.backbone).get_input_embeddings()(input_ids)  # (B, T, H)
        return self._pooled(tokens, attention_mask)

    def context_token(
        self, event_embeddings: torch.Tensor, event_features: torch.Tensor, event_mask: torch.Tensor
    ) -> torch.Tensor:
        """The compressed context ``(B, H)`` with a neutral condition (late fusion: the
        video's duration enters the fusion network instead, so this is per context only)."""
        B = event_embeddings.shape[0]
        neutral = event_embeddings.new_zeros(B, self.config.cond_dim)
        return self.context(event_embeddings, event_features, event_mask, neutral)

    def fused_logits(
        self,
        video: torch.Tensor,
        context: torch.Tensor,
        has_context: torch.Tensor,
        condition: torch.Tensor,
    ) -> HeadLogits:
        """Heads on the fused vector (late fusion only)."""
        if self.fusion is None:
            raise ValueError("fused_logits needs a model with fusion='late'")
        return self._heads(self.fusion(video, context, has_context, condition))

    # --- data ---
    def encode(self, examples: Sequence[TrainingExample]) -> EncodedDataset:
        """Tensors for ``examples`` (tokenized, context windowed and embedded)."""
        return encode_examples(examples, self.tokenizer, self.event_encoder, self.config)

    def collator(self, dataset: EncodedDataset) -> Collator:
        pad = self.tokenizer.pad_token_id
        return Collator(dataset.event_table, int(pad) if pad is not None else 0)

    # --- parameters ---
    def num_parameters(self, *, trainable: bool = False) -> int:
        return sum(p.numel() for p in self.parameters() if p.requires_grad or not trainable)

    def trainable_state(self) -> dict[str, torch.Tensor]:
        """CPU copies of the trainable parameters (the best-epoch snapshot kept in memory;
        on the CPU so that a GPU holds one copy of the weights only)."""
        return {
            n: p.detach().to("cpu", copy=True)
            for n, p in self.named_parameters()
            if p.requires_grad
        }

    def load_trainable_state(self, state: dict[str, torch.Tensor]) -> None:
        params = dict(self.named_parameters())
        with torch.no_grad():
            for name, value in state.items():
                params[name].copy_(value)

    def head_state(self) -> dict[str, torch.Tensor]:
        """State of everything but the backbone: context compressor and heads."""
        return {k: v for k, v in self.state_dict().items() if not k.startswith(BACKBONE_PREFIX)}

    def load_head_state(self, state: dict[str, Any]) -> None:
        missing, unexpected = self.load_state_dict(state, strict=False)
        missing = [k for k in missing if not k.startswith(BACKBONE_PREFIX)]
        if missing or unexpected:
            raise ValueError(f"head weights do not fit: missing {missing}, unexpected {unexpected}")

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device
