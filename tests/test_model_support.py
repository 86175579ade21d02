"""The model tests' shared helpers, kept importable under their old name: they live in
:mod:`tests.harness.model_support` (the one tiny config and tiny backbone); import them
from there, or use the ``tiny_backbone`` / ``tiny_config`` fixtures of ``tests/conftest.py``."""

from tests.harness.model_support import (  # noqa: F401 - re-exported
    GAME,
    GAME_EVENTS,
    HASH_DIM,
    START,
    TECH,
    TINY_HIDDEN,
    TINY_POSITIONS,
    TINY_TRAINING,
    WORK_EVENTS,
    HashEncoder,
    activity,
    minilm_config,
    minilm_dir,
    synthetic_examples,
    tiny_backbone_dir,
    tiny_backbone_env,
    tiny_config,
    tiny_model,
    tiny_run_config,
)
