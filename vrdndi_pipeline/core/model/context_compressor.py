"""Compress a sequence of activity events into one token of the backbone's width.

Per event: [LayerNorm(sentence embedding) (E) ‖ Linear(num_in_feature → num_out_feature)(numeric)],
so C = E + num_out_feature channels; three 1-D residual blocks (pre-activation AdaLN conditioned on
the video duration, SiLU, Conv1d k=3, squeeze-and-excitation gate, residual add); a masked mean
over events; a Linear to the backbone's hidden size H.

Padded event positions are zeroed before every convolution, so a row's token does not depend on
how many padded positions its batch has.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean of ``x (B, N, C)`` over positions where ``mask (B, N, 1)`` is 1 → ``(B, C)``;
    an all-masked row gives zeros."""
    return (x * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)


class AdaLN(nn.Module):
    """LayerNorm without affine parameters; scale and shift predicted from the condition.

    The modulation starts at zero (adaLN-zero, as in DiT), so training begins from a plain norm.
    """

    def __init__(self, channels: int, cond_dim: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(channels, elementwise_affine=False)
        self.modulation = nn.Linear(cond_dim, 2 * channels)
        nn.init.zeros_(self.modulation.weight)
        nn.init.zeros_(self.modulation.bias)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        scale, shift = self.modulation(cond).unsqueeze(1).chunk(2, dim=-1)  # (B, 1, C) each
        return self.norm(x) * (1 + scale) + shift  # (B, N, C)


class SqueezeExcite(nn.Module):
    """Channel gate from the masked mean over events: C → C/r → C, sigmoid."""

    def __init__(self, channels: int, reduction: int = 8) -> None:
        super().__init__()
        hidden = max(channels // reduction, 4)
        self.down = nn.Linear(channels, hidden)
        self.up = nn.Linear(hidden, channels)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        gate = torch.sigmoid(self.up(F.silu(self.down(masked_mean(x, mask)))))  # (B, C)
        return x * gate.unsqueeze(1)  # (B, N, C)


class ResidualBlock1d(nn.Module):
    """x + SE(Conv1d(SiLU(AdaLN(x, cond)))), padded positions kept at zero."""

    def __init__(self, channels: int, cond_dim: int, kernel_size: int = 3) -> None:
        super().__init__()
        self.norm = AdaLN(channels, cond_dim)
        self.conv = nn.Conv1d(channels, channels, kernel_size, padding=kernel_size // 2)
        self.gate = SqueezeExcite(channels)

    def forward(self, x: torch.Tensor, cond: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        h = F.silu(self.norm(x, cond)) * mask  # (B, N, C)
        h = self.conv(h.transpose(1, 2)).transpose(1, 2)  # (B, N, C), same length
        h = self.gate(h, mask)  # (B, N, C)
        return (x + h) * mask  # (B, N, C)


class ContextCompressor(nn.Module):
    """Events ``(B, N, E)`` + numeric ``(B, N, F)`` + condition ``(B, D)`` → one token ``(B, H)``."""

    def __init__(
        self,
        embed_dim: int,
        num_in_feature: int,
        num_out_feature: int,
        cond_dim: int,
        hidden_size: int,
        num_blocks: int = 3,
    ) -> None:
        super().__init__()
        channels = embed_dim + num_out_feature
        # Sentence embeddings are unit vectors (~1/sqrt(E) per channel) while the projected
        # numeric features are O(1): normalising the embeddings keeps either from drowning the other.
        self.embed_norm = nn.LayerNorm(embed_dim)
        self.numeric = nn.Linear(num_in_feature, num_out_feature)
        self.blocks = nn.ModuleList(ResidualBlock1d(channels, cond_dim) for _ in range(num_blocks))
        # The token enters the backbone's embedding LayerNorm together with a position
        # embedding; a normalised token keeps the context from being a faint offset to it.
        self.to_token = nn.Sequential(nn.Linear(channels, hidden_size), nn.LayerNorm(hidden_size))

    def forward(
        self,
        event_embeddings: torch.Tensor,
        event_features: torch.Tensor,
        event_mask: torch.Tensor,
        condition: torch.Tensor,
    ) -> torch.Tensor:
        m = event_mask.unsqueeze(-1).to(event_embeddings.dtype)  # (B, N, 1)
        x = torch.cat([self.embed_norm(event_embeddings), self.numeric(event_features)], dim=-1)
        x = x * m  # (B, N, C)
        for block in self.blocks:
            x = block(x, condition, m)  # (B, N, C)
        return self.to_token(masked_mean(x, m))  # (B, H)
