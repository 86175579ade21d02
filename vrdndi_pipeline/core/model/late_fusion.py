"""Late fusion: the pooled video vector and the context token meet after the backbone.

    video text ──backbone──> mean pool ──> v (B, H)           (cacheable per video and adapter)
    events ──ContextCompressor(neutral condition)──> c (H)    (once per refresh: same for all)
    fused = v + has_context · MLP(LayerNorm[v ‖ c ‖ duration features])   (B, H)

The video's duration enters the fusion network, not the compressor, so the context token does
not depend on the video and is computed once per feed refresh. The MLP's last layer starts at
zero: an untrained fusion passes the video vector through, and rows without context (interest
rows) always do.
"""

from __future__ import annotations

import torch
from torch import nn


class LateFusion(nn.Module):
    def __init__(self, hidden_size: int, cond_dim: int) -> None:
        super().__init__()
        width = 2 * hidden_size + cond_dim
        last = nn.Linear(hidden_size, hidden_size)
        nn.init.zeros_(last.weight)
        nn.init.zeros_(last.bias)
        self.net = nn.Sequential(
            nn.LayerNorm(width),
            nn.Linear(width, hidden_size),
            nn.SiLU(),
            last,
        )

    def forward(
        self,
        video: torch.Tensor,  # (B, H)
        context: torch.Tensor,  # (B, H) or (1, H), broadcast over the batch
        has_context: torch.Tensor,  # (B,) bool
        condition: torch.Tensor,  # (B, D)
    ) -> torch.Tensor:
        context = context.expand(video.shape[0], -1)  # (B, H)
        delta = self.net(torch.cat([video, context, condition], dim=-1))  # (B, H)
        return video + has_context.to(video.dtype).unsqueeze(-1) * delta  # (B, H)
