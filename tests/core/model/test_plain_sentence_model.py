"""The event encoder without sentence-transformers computes what sentence-transformers does."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests.harness.model_support import TINY_HIDDEN, minilm_dir
from vrdndi_pipeline.core.model.config import BUNDLED_MINILM
from vrdndi_pipeline.core.model.context_encoder import ContextEncoder
from vrdndi_pipeline.core.model.plain_sentence_model import (
    load_plain_sentence_model,
    plain_pooling,
)

BUNDLED = minilm_dir()  # its files; loading it is what the tests below do
TEXTS = [
    "main.py - vrdndi - Visual Studio Code",
    "  YouTube — Mozilla Firefox  ",
    "Slack | #general | 3 new messages",
    "日本語のウィンドウ — ターミナル",
    "",
    "Stack Overflow: how to pool sentence embeddings " * 40,  # past max_seq_length (256)
    "x",
]


def test_bundled_minilm_is_plain_mean_pooling():
    assert plain_pooling(BUNDLED) == ("mean", 256, False)


@pytest.mark.minilm
@pytest.mark.slow
def test_embeddings_equal_sentence_transformers():
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(BUNDLED), device="cpu").encode(
        TEXTS, convert_to_tensor=True, normalize_embeddings=True, batch_size=3
    )
    plain = load_plain_sentence_model(str(BUNDLED))
    assert plain is not None
    ours = plain.encode(TEXTS, batch_size=4)
    assert ours.shape == (len(TEXTS), 384) and ours.dtype == torch.float32
    assert torch.allclose(ours, reference.float(), atol=2e-6), (ours - reference).abs().max()
    assert torch.allclose(ours.norm(dim=1), torch.ones(len(TEXTS)), atol=1e-5)
    assert plain.encode([]).shape == (0, 384)


def _copy_with(tmp_path: Path, source: Path = BUNDLED, **changes: object) -> Path:
    folder = tmp_path / "model"
    shutil.copytree(source, folder)
    for name, content in changes.items():
        target = folder / name.replace("__", "/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(content))
    return folder


def test_other_pipelines_are_left_to_sentence_transformers(tmp_path):
    modules = json.loads((BUNDLED / "modules.json").read_text())
    dense = [*modules[:2], {"idx": 2, "name": "2", "path": "2_Dense", "type": "x.Dense"}]
    assert plain_pooling(_copy_with(tmp_path / "a", **{"modules.json": dense})) is None
    max_pool = {"word_embedding_dimension": 384, "pooling_mode_max_tokens": True}
    assert plain_pooling(_copy_with(tmp_path / "b", **{"1_Pooling__config.json": max_pool})) is None
    prompts = {"prompts": {"query": "query: "}, "default_prompt_name": "query"}
    folder = _copy_with(tmp_path / "c", **{"config_sentence_transformers.json": prompts})
    assert plain_pooling(folder) is None
    assert load_plain_sentence_model("BAAI/bge-m3") is None  # a hub id: not a folder here
    assert plain_pooling(_copy_with(tmp_path / "e", **{"modules.json": {"0": "x"}})) is None
    cls = {"word_embedding_dimension": 384, "pooling_mode_cls_token": True}
    assert plain_pooling(_copy_with(tmp_path / "d", **{"1_Pooling__config.json": cls}))[0] == "cls"


def test_cls_pooling_equals_sentence_transformers(tmp_path, tiny_backbone):
    """The pooling is the claim, not the weights: on the tiny backbone."""
    from sentence_transformers import SentenceTransformer

    cls = {"word_embedding_dimension": TINY_HIDDEN, "pooling_mode_cls_token": True}
    folder = _copy_with(tmp_path, tiny_backbone, **{"1_Pooling__config.json": cls})
    reference = SentenceTransformer(str(folder), device="cpu").encode(
        TEXTS, convert_to_tensor=True, normalize_embeddings=True
    )
    ours = load_plain_sentence_model(str(folder)).encode(TEXTS)
    assert torch.allclose(ours, reference.float(), atol=2e-6)


@pytest.mark.minilm
@pytest.mark.slow
def test_a_refresh_process_never_imports_sentence_transformers():
    code = (
        "import sys\n"
        "from vrdndi_pipeline.core.model.context_encoder import ContextEncoder\n"
        f"e = ContextEncoder({BUNDLED_MINILM!r})\n"
        "assert e.embed(['a', 'b', 'a']).shape == (3, 384)\n"
        "print('sentence_transformers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("texts", [["same", "same", "other"], []])
def test_context_encoder_caches_by_text(texts, tiny_backbone):
    encoder = ContextEncoder(str(tiny_backbone))
    vectors = encoder.embed(texts)
    assert vectors.shape == (len(texts), TINY_HIDDEN)
    if texts:
        assert torch.equal(vectors[0], vectors[1]) and not torch.equal(vectors[0], vectors[2])
