"""The two classification heads on the pooled backbone output ``(B, H)``."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


class MlpHead(nn.Module):
    """Productive head: dropout → Linear(H, H) → GELU → dropout → Linear(H, K)."""

    def __init__(self, hidden_size: int, out_features: int, dropout: float) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(hidden_size, hidden_size),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden_size, out_features),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)  # (B, K)


class SwiGLUHead(nn.Module):
    """Interest head: dropout → SiLU(x W_gate) ⊙ (x W_up) → dropout → Linear(H, K)."""

    def __init__(self, hidden_size: int, out_features: int, dropout: float) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.gate = nn.Linear(hidden_size, hidden_size)
        self.up = nn.Linear(hidden_size, hidden_size)
        self.out = nn.Linear(hidden_size, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.dropout(x)  # (B, H)
        h = F.silu(self.gate(x)) * self.up(x)  # (B, H)
        return self.out(self.dropout(h))  # (B, K)
