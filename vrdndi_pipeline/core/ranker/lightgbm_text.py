"""LightGBM's text model format, scored with numpy.

Importing ``lightgbm`` takes ~3 s on 2 cores (it pulls in scikit-learn), more than a whole
feed refresh may take. The model is saved in LightGBM's own text format (LightGBM and its
tools read it), and the feed scores it here: numerical splits exactly as LightGBM decides them
(missing values, zero-as-missing, default directions), so the raw scores equal
``Booster.predict(raw_score=True)`` (tested). Per-feature contributions follow each row's path
(the change of the expected value at every split, Saabas' method); they sum to the raw score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_ZERO = 1e-35  # LightGBM's kZeroThreshold
_MISSING_ZERO, _MISSING_NAN = 1, 2


class TreeModelError(ValueError):
    """A model text this scorer cannot read (e.g. categorical splits)."""


@dataclass(frozen=True, slots=True)
class Tree:
    split_feature: np.ndarray  # (I,) int
    threshold: np.ndarray  # (I,) float
    decision_type: np.ndarray  # (I,) int
    left: np.ndarray  # (I,) child: >= 0 internal node, < 0 leaf ~index
    right: np.ndarray  # (I,)
    leaf_value: np.ndarray  # (L,)
    node_value: np.ndarray  # (I,) expected value below each internal node


def _numbers(fields: dict[str, str], key: str, dtype: type) -> np.ndarray:
    text = fields.get(key, "").strip()
    return np.array(text.split(), dtype=dtype) if text else np.zeros(0, dtype=dtype)


def _node_values(
    left: np.ndarray, right: np.ndarray, leaf_value: np.ndarray, leaf_weight: np.ndarray
) -> np.ndarray:
    """Hessian-weighted mean of the leaves below each internal node (LightGBM's
    ``internal_value``, recomputed at full precision)."""
    values = np.zeros(len(left))
    weights = np.zeros(len(left))

    def visit(child: int) -> tuple[float, float]:
        if child < 0:
            return float(leaf_value[~child]), float(leaf_weight[~child])
        lv, lw = visit(int(left[child]))
        rv, rw = visit(int(right[child]))
        total = lw + rw
        values[child] = (lv * lw + rv * rw) / total if total > 0 else (lv + rv) / 2
        weights[child] = total
        return float(values[child]), total

    if len(left):
        visit(0)
    return values


def _tree(fields: dict[str, str]) -> Tree:
    if int(fields.get("num_cat", "0")) > 0:
        raise TreeModelError("categorical splits are not supported by the numpy scorer")
    leaf_value = _numbers(fields, "leaf_value", float)
    left = _numbers(fields, "left_child", int)
    right = _numbers(fields, "right_child", int)
    leaf_weight = _numbers(fields, "leaf_weight", float)
    if len(leaf_weight) != len(leaf_value):
        leaf_weight = np.ones(len(leaf_value))
    return Tree(
        split_feature=_numbers(fields, "split_feature", int),
        threshold=_numbers(fields, "threshold", float),
        decision_type=_numbers(fields, "decision_type", int),
        left=left,
        right=right,
        leaf_value=leaf_value,
        node_value=_node_values(left, right, leaf_value, leaf_weight),
    )


def parse_model(text: str) -> list[Tree]:
    """The trees of a binary LightGBM model in its text format (``Booster.model_to_string``)."""
    header = text.split("\nTree=", 1)[0]
    if "num_tree_per_iteration=1" not in header:
        raise TreeModelError("only single-output (binary or regression) models are supported")
    trees = []
    for block in text.split("\nTree=")[1:]:
        block = block.split("end of trees", 1)[0]
        fields = dict(line.split("=", 1) for line in block.splitlines()[1:] if "=" in line.strip())
        trees.append(_tree(fields))
    if not trees:
        raise TreeModelError("the model text holds no trees")
    return trees


def _go_left(tree: Tree, nodes: np.ndarray, x: np.ndarray) -> np.ndarray:
    decision = tree.decision_type[nodes]
    missing = (decision >> 2) & 3
    default_left = (decision & 2) != 0
    nan = np.isnan(x)
    x = np.where(nan & (missing != _MISSING_NAN), 0.0, x)
    use_default = ((missing == _MISSING_ZERO) & (np.abs(x) <= _ZERO)) | (
        (missing == _MISSING_NAN) & nan
    )
    with np.errstate(invalid="ignore"):
        return np.where(use_default, default_left, x <= tree.threshold[nodes])


def _walk(tree: Tree, features: np.ndarray, contributions: np.ndarray | None) -> np.ndarray:
    """Leaf values of every row; adds each split's change of value to ``contributions``."""
    n = features.shape[0]
    if len(tree.left) == 0:  # a single leaf
        if contributions is not None:
            contributions[:, -1] += tree.leaf_value[0]
        return np.full(n, tree.leaf_value[0])
    node = np.zeros(n, dtype=np.int64)
    if contributions is not None:
        contributions[:, -1] += tree.node_value[0]
    while (internal := node >= 0).any():
        rows = np.nonzero(internal)[0]
        at = node[rows]
        feature = tree.split_feature[at]
        left = _go_left(tree, at, features[rows, feature])
        child = np.where(left, tree.left[at], tree.right[at])
        if contributions is not None:
            child_value = np.where(
                child >= 0,
                tree.node_value[np.maximum(child, 0)],
                tree.leaf_value[np.where(child < 0, ~child, 0)],
            )
            np.add.at(contributions, (rows, feature), child_value - tree.node_value[at])
        node[rows] = child
    return tree.leaf_value[~node]


def raw_scores(trees: list[Tree], features: np.ndarray) -> np.ndarray:
    """Sum of the trees' leaf values per row, ``(N,)``: LightGBM's raw score."""
    x = np.asarray(features, dtype=np.float64)
    return np.sum([_walk(tree, x, None) for tree in trees], axis=0)


def contributions(trees: list[Tree], features: np.ndarray) -> np.ndarray:
    """``(N, F + 1)``: what each feature added along each row's paths; the last column is the
    expected value (bias). Each row sums to its raw score."""
    x = np.asarray(features, dtype=np.float64)
    out = np.zeros((x.shape[0], x.shape[1] + 1))
    for tree in trees:
        _walk(tree, x, out)
    return out
