"""From named features and video embeddings to the tree's input matrix.

Which named features a model uses is learnt from its training rows (:func:`learn_spec`) and
saved with it, so a category the user only created later is simply absent (0) for that model.
Next to the named features: the first principal components of the video embedding, and their
products with the top-level category shares of every window — the explicit "this kind of video
while doing that" interactions a few hundred rows are too few for a tree to find on its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class FeatureSpec:
    names: tuple[str, ...]  # named features, in column order
    components: int  # video principal components
    interactions: tuple[str, ...]  # named features multiplied by each component

    def columns(self) -> list[str]:
        pcs = [f"video_pc{j}" for j in range(self.components)]
        products = [
            f"video_pc{j}*{name}" for j in range(self.components) for name in self.interactions
        ]
        return [*self.names, *pcs, *products]

    def to_dict(self) -> dict[str, object]:
        return {
            "names": list(self.names),
            "components": self.components,
            "interactions": list(self.interactions),
        }

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> FeatureSpec:
        return cls(
            names=tuple(str(n) for n in values["names"]),
            components=int(values["components"]),
            interactions=tuple(str(n) for n in values["interactions"]),
        )


def is_top_level_share(name: str) -> bool:
    return name.startswith("share@") and " > " not in name


def learn_spec(rows: Sequence[Mapping[str, float]], components: int, min_rows: int) -> FeatureSpec:
    """The named features non-zero in at least ``min_rows`` of ``rows`` (sorted)."""
    support: Counter[str] = Counter()
    for row in rows:
        support.update(name for name, value in row.items() if value != 0.0)
    names = tuple(sorted(name for name, count in support.items() if count >= min_rows))
    return FeatureSpec(names, components, tuple(n for n in names if is_top_level_share(n)))


@dataclass(frozen=True, slots=True)
class VideoProjection:
    """Principal axes of the video embeddings: ``(v - mean) @ components.T``."""

    mean: np.ndarray  # (E,)
    components: np.ndarray  # (k, E)

    def __call__(self, vectors: np.ndarray) -> np.ndarray:
        return (np.asarray(vectors, dtype=np.float64) - self.mean) @ self.components.T  # (N, k)


def fit_projection(vectors: np.ndarray, k: int) -> VideoProjection:
    """PCA by SVD of the centred vectors; fewer components when there are fewer rows."""
    data = np.asarray(vectors, dtype=np.float64)  # (N, E)
    mean = data.mean(axis=0)
    _, _, vt = np.linalg.svd(data - mean, full_matrices=False)
    axes = vt[:k]
    # one sign per axis (the largest loading positive), so refits on the same data agree
    signs = np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])
    axes = axes * np.where(signs == 0, 1.0, signs)[:, None]
    if len(axes) < k:  # fewer rows than components: pad with zero axes
        axes = np.vstack([axes, np.zeros((k - len(axes), data.shape[1]))])
    return VideoProjection(mean, axes)


def build_matrix(
    spec: FeatureSpec, rows: Sequence[Mapping[str, float]], video_pcs: np.ndarray
) -> np.ndarray:
    """``(N, len(spec.columns()))`` float64: named features (missing = 0), components, products."""
    named = np.array(
        [[row.get(name, 0.0) for name in spec.names] for row in rows], dtype=np.float64
    )
    named = named.reshape(len(rows), len(spec.names))
    pcs = np.asarray(video_pcs, dtype=np.float64).reshape(len(rows), spec.components)
    index = [spec.names.index(name) for name in spec.interactions]
    shares = named[:, index]  # (N, S)
    products = (pcs[:, :, None] * shares[:, None, :]).reshape(len(rows), -1)  # (N, k*S)
    return np.hstack([named, pcs, products])
