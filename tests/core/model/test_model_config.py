"""ModelConfig: the seed's fields and defaults, validation, presets, devices, import purity."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import pytest
import torch

from tests.harness.model_support import TINY_POSITIONS, tiny_config
from vrdndi_pipeline.core.model.backbone import load_backbone, resolve_model_path, token_limit
from vrdndi_pipeline.core.model.config import (
    BUNDLED_MINILM,
    DEFAULT_MAX_LENGTH,
    ConfigError,
    ModelConfig,
    config_field_help,
)
from vrdndi_pipeline.core.model.config_checks import SETTINGS_VARIABLES, env_overrides
from vrdndi_pipeline.core.model.presets import (
    build_config,
    build_layered_config,
    load_preset,
    merged,
)
from vrdndi_pipeline.core.model.runtime import configure_threads, pick_device

# The seed's two tables (000_06cd1c4c70871689.txt); `g` (a generator placeholder) is the
# trainer's seeded sampler generator, not a config field; wandb_config's {lr} is documented.
SEED_DEFAULTS = {
    "model_name": BUNDLED_MINILM,  # the seed's BAAI/bge-m3 lives in the bge-m3-gpu preset
    "seed": 42,
    "compile_model": True,
    "batch_size": 4,
    "total_epoch": 10,
    "lr": 5e-5,
    "weight_decay": 0.01,
    "ignore_index": -100,
    "wandb_config": {},
    "productive_out_feature": 2,
    "interest_out_feature": 2,
    "productive_output_layer_dropout": 0.1,
    "interest_output_layer_dropout": 0.1,
    "use_lora": True,
    "lora_rank": 8,
    "lora_alpha": 16,
    "lora_target_modules": "all-linear",
    "productive_loss_weight": 1,
    "interest_loss_weight": 1,
    "ema_alpha": 0.6,
    "ema_productive_weight": 0.65,
    "num_in_feature": 3,
    "num_out_feature": 384,
    "cond_dim": 1,
    "max_length": DEFAULT_MAX_LENGTH,  # the seed's 8094 (for bge-m3) is the bge-m3-gpu preset's
    "accumulation_steps": 4,
    "sampler_interest_ratio": 0.5,
    "sampler_productive_ratio": 0.5,
    "interest_label_smooth": 0,
    "productive_label_smooth": 0,
}


def test_every_seed_field_exists_with_its_default() -> None:
    config = ModelConfig()
    for name, default in SEED_DEFAULTS.items():
        assert getattr(config, name) == default, name
    assert config.event_encoder_name == BUNDLED_MINILM


def test_every_field_has_help_and_a_group() -> None:
    helps = config_field_help()
    assert list(helps) == [f.name for f in fields(ModelConfig)]
    assert all(group and text for group, text in helps.values())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sampler_interest_ratio": 0.7}, "must be 1"),
        ({"sampler_productive_ratio": 1.5, "sampler_interest_ratio": -0.5}, "in [0, 1]"),
        ({"interest_label_smooth": 1.0}, "interest_label_smooth must be in [0, 1)"),
        ({"productive_output_layer_dropout": 1.0}, "productive_output_layer_dropout"),
        ({"batch_size": 0}, "batch_size must be a positive integer"),
        ({"batch_size": 2.5}, "batch_size must be an integer"),
        ({"lr": 0}, "lr must be positive"),
        ({"ema_alpha": 0}, "ema_alpha"),
        ({"lora_target_modules": "some"}, "lora_target_modules"),
        ({"lora_target_modules": []}, "lora_target_modules"),
        ({"device": "tpu"}, "device must be one of"),
        ({"cond_dim": 5}, "cond_dim must be between 1 and 4"),
        ({"num_in_feature": 0}, "num_in_feature"),
        ({"productive_out_feature": 1}, "at least 2"),
        ({"ignore_index": 1}, "ignore_index must be negative"),
        ({"interest_loss_weight": 0, "productive_loss_weight": 0}, "cannot both be 0"),
        ({"val_fraction": 0.6, "holdout_fraction": 0.5}, "below 1"),
        ({"use_lora": "yes"}, "use_lora must be true or false"),
        ({"wandb_config": {"lr": 1}}, "is a config field"),
        ({"wandb_config": {"note": [1]}}, "wandb_config['note']"),
    ],
)
def test_invalid_values_are_named(overrides: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        ModelConfig(**overrides)


def test_all_problems_are_reported_together() -> None:
    with pytest.raises(ConfigError) as err:
        ModelConfig(batch_size=0, lr=-1.0, device="tpu")
    assert "batch_size" in str(err.value) and "lr" in str(err.value) and "device" in str(err.value)


def test_dict_round_trip_is_json_safe() -> None:
    config = ModelConfig(lora_target_modules=["query", "value"], wandb_config={"note": "x"})
    data = json.loads(json.dumps(config.to_dict()))
    assert data["lora_target_modules"] == ["query", "value"]
    assert ModelConfig.from_dict(data) == config


def test_unknown_keys_are_named_with_a_suggestion() -> None:
    with pytest.raises(ConfigError, match=r"'batchsize' \(did you mean 'batch_size'\?\)"):
        ModelConfig.from_dict({"batchsize": 3})
    with pytest.raises(ConfigError, match="overrides: 'totally_unknown'"):
        build_config("cpu-small", {"totally_unknown": 1})


def test_presets_merge_defaults_preset_overrides(tmp_path) -> None:
    small = build_config()  # the default preset
    assert small == build_config("cpu-small")
    assert (
        small.model_name == BUNDLED_MINILM
        and small.compile_model is False
        and small.max_length <= 256
    )
    gpu = build_config("bge-m3-gpu")
    assert gpu.model_name == "BAAI/bge-m3" and gpu.compile_model and gpu.max_length == 8094
    assert build_config("cpu-small", {"lr": 0.5}).lr == 0.5
    custom = tmp_path / "mine.yaml"
    custom.write_text("batch_size: 3\nwandb_config: {a: 1}\n")
    config = build_config(custom, {"wandb_config": {"b": 2}})
    assert config.batch_size == 3 and config.wandb_config == {"a": 1, "b": 2}
    assert config.lr == ModelConfig().lr  # untouched fields keep the defaults
    assert merged({"a": 1}, None, {"a": 2}) == {"a": 2}
    custom.write_text("batchsize: 3\n")
    with pytest.raises(ConfigError, match="batchsize"):
        load_preset(custom)
    with pytest.raises(ConfigError, match="no preset 'nope'"):
        load_preset("nope")


def test_wandb_config_appears_in_the_tracking_params() -> None:
    params = ModelConfig(
        wandb_config={"experiment": "context-v2", "dataset_rows": 120}
    ).tracking_params()
    assert params["experiment"] == "context-v2" and params["dataset_rows"] == 120
    assert params["lr"] == 5e-5  # the seed's default {lr}: every field is a param
    assert params["lora_target_modules"] == "all-linear"
    assert all(isinstance(v, str | int | float | bool) or v is None for v in params.values())


@pytest.mark.minilm
def test_the_default_config_loads_the_default_backbone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the bundled weights need no download
    config = ModelConfig()
    backbone, tokenizer = load_backbone(config)
    assert config.model_name == BUNDLED_MINILM
    assert config.max_length <= token_limit(backbone, tokenizer)


@pytest.mark.minilm
def test_max_length_above_the_backbone_limit_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ConfigError, match=r"max_length=8094 exceeds .* 511 text tokens") as err:
        load_backbone(ModelConfig(max_length=8094))  # the seed's bge-m3 length on the MiniLM
    assert str(err.value).endswith(f"set max_length <= 511 (the default is {DEFAULT_MAX_LENGTH})")
    assert DEFAULT_MAX_LENGTH > TINY_POSITIONS - 1  # so the tiny backbone's error names no default
    with pytest.raises(ConfigError, match=f"set max_length <= {TINY_POSITIONS - 1}$"):
        load_backbone(tiny_config(max_length=TINY_POSITIONS))
    backbone, _ = load_backbone(tiny_config(max_length=TINY_POSITIONS - 1))
    assert token_limit(backbone) == TINY_POSITIONS - 1


def test_roberta_style_models_reserve_positions() -> None:
    from transformers import XLMRobertaConfig, XLMRobertaModel

    config = XLMRobertaConfig(
        vocab_size=100, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
        intermediate_size=32, max_position_embeddings=66, pad_token_id=1,
    )  # fmt: skip
    assert token_limit(XLMRobertaModel(config)) == 66 - 2 - 1  # bge-m3: 8194 → 8191


@pytest.mark.minilm
def test_bundled_model_resolves_to_a_local_folder() -> None:
    assert Path(resolve_model_path(BUNDLED_MINILM), "model.safetensors").is_file()
    assert resolve_model_path("BAAI/bge-m3") == "BAAI/bge-m3"
    with pytest.raises(ConfigError):
        resolve_model_path("bundled:other")


def test_device_detection_and_threads(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="vrdndi_pipeline.core.model.runtime"):
        chosen = pick_device("auto")
    assert f"device auto-detected: {chosen.type}" in caplog.text
    assert pick_device("cpu") == torch.device("cpu")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            pick_device("cuda")
    before = torch.get_num_threads()
    try:
        assert configure_threads(1) == 1 and torch.get_num_threads() == 1
        assert configure_threads(None) >= 1
    finally:
        torch.set_num_threads(before)


@pytest.mark.slow
def test_importing_the_package_loads_nothing_heavy() -> None:
    code = (
        "import sys, vrdndi_pipeline.core.model as m\n"
        "from vrdndi_pipeline.core.model import config, presets, examples\n"
        "from vrdndi_pipeline.core.training import splits, metrics\n"
        "bad = [n for n in ('dagster', 'nicegui', 'streamlit', 'sentence_transformers', 'peft') if n in sys.modules]\n"
        "assert not bad, bad\n"
        "import vrdndi_pipeline.core.training.trainer, vrdndi_pipeline.core.model.inference\n"
        "import vrdndi_pipeline.core.model.adapter_files, vrdndi_pipeline.core.training.lora_run\n"
        "bad = [n for n in ('dagster', 'nicegui', 'streamlit', 'sentence_transformers') if n in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


# --- configuration layers: defaults < preset < YAML file < run config < VRDNDI_TRAIN_* ---

_LAYER_CASES = [
    # (layer that sets batch_size last, preset?, file?, run?, env?, expected, source)
    ("defaults", None, None, None, None, ModelConfig().batch_size, None),
    ("preset", "cpu-small", None, None, None, 16, "preset"),
    ("file", "cpu-small", 3, None, None, 3, "file"),
    ("run", "cpu-small", 3, 5, None, 5, "run"),
    ("env", "cpu-small", 3, 5, "7", 7, "env"),
    ("env over preset", "cpu-small", None, None, "9", 9, "env"),
    ("run over file", None, 3, 6, None, 6, "run"),
]


@pytest.mark.parametrize(
    ("preset", "from_file", "from_run", "from_env", "expected", "source"),
    [case[1:] for case in _LAYER_CASES],
    ids=[case[0] for case in _LAYER_CASES],
)
def test_each_layer_overrides_the_one_below(
    tmp_path, preset, from_file, from_run, from_env, expected, source
) -> None:
    config_file = None
    if from_file is not None:
        config_file = tmp_path / "mine.yaml"
        config_file.write_text(f"batch_size: {from_file}\nwandb_config: {{from_file: 1}}\n")
    environ = {"VRDNDI_TRAIN_BATCH_SIZE": from_env} if from_env is not None else {}
    overrides = {"batch_size": from_run} if from_run is not None else None
    layered = build_layered_config(preset, overrides, config_file=config_file, environ=environ)
    assert layered.config.batch_size == expected
    assert layered.sources.get("batch_size") == source
    assert build_config(preset, overrides, config_file=config_file, environ=environ) == (
        layered.config
    )
    if config_file is not None:  # the file's other fields survive the layers above
        assert layered.config.wandb_config == {"from_file": 1}
        assert layered.sources["wandb_config"] == "file"


def test_env_values_are_typed() -> None:
    env = {
        "VRDNDI_TRAIN_LR": "3e-4",
        "VRDNDI_TRAIN_TOTAL_EPOCH": "2",
        "VRDNDI_TRAIN_USE_LORA": "false",
        "VRDNDI_TRAIN_COMPILE_MODEL": "yes",
        "VRDNDI_TRAIN_GRAD_CLIP_NORM": "none",
        "VRDNDI_TRAIN_NUM_THREADS": "2",
        "VRDNDI_TRAIN_DEVICE": "cpu",
        "VRDNDI_TRAIN_LORA_TARGET_MODULES": "query, value",
        "VRDNDI_TRAIN_WANDB_CONFIG": "{note: env}",
        "PATH": "/usr/bin",  # other variables are not read
    }
    assert env_overrides(env) == {
        "lr": 3e-4,
        "total_epoch": 2,
        "use_lora": False,
        "compile_model": True,
        "grad_clip_norm": None,
        "num_threads": 2,
        "device": "cpu",
        "lora_target_modules": ("query", "value"),
        "wandb_config": {"note": "env"},
    }
    layered = build_layered_config("cpu-small", {"lr": 0.5, "total_epoch": 9}, environ=env)
    config = layered.config
    assert (config.lr, config.total_epoch, config.use_lora, config.grad_clip_norm) == (
        3e-4,
        2,
        False,
        None,
    )
    assert isinstance(config.total_epoch, int) and isinstance(config.lr, float)
    assert layered.sources["lr"] == "env" and layered.sources["max_length"] == "preset"
    assert layered.describe()["layers"] == ["defaults", "preset", "file", "run", "env"]
    assert env_overrides({"VRDNDI_TRAIN_LORA_TARGET_MODULES": "all-linear"}) == {
        "lora_target_modules": "all-linear"
    }
    assert env_overrides({"VRDNDI_TRAIN_LORA_TARGET_MODULES": "[q, v]"}) == {
        "lora_target_modules": ("q", "v")
    }


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("VRDNDI_TRAIN_TOTAL_EPOCH", "two", "total_epoch must be an integer"),
        ("VRDNDI_TRAIN_LR", "fast", "lr must be a number"),
        ("VRDNDI_TRAIN_USE_LORA", "maybe", "use_lora must be true or false"),
        ("VRDNDI_TRAIN_WANDB_CONFIG", "[1, 2]", "wandb_config must be a YAML/JSON mapping"),
        ("VRDNDI_TRAIN_WANDB_CONFIG", "{a: [", "wandb_config must be a YAML/JSON mapping"),
        ("VRDNDI_TRAIN_BATCH_SIZE", "0", "batch_size must be a positive integer"),
        ("VRDNDI_TRAIN_LR", "-1", "lr must be positive"),
        ("VRDNDI_TRAIN_DEVICE", "tpu", "device must be one of"),
    ],
)
def test_env_values_are_validated_naming_the_field(variable, value, message) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as err:
        build_config("cpu-small", environ={variable: value})
    assert variable in str(err.value)  # the variable the value came from is named too


@pytest.mark.parametrize(
    ("variable", "nearest"),
    [
        ("VRDNDI_TRAIN_BATCHSIZE", "VRDNDI_TRAIN_BATCH_SIZE"),
        ("VRDNDI_TRAIN_TOTAL_EPOCHS", "VRDNDI_TRAIN_TOTAL_EPOCH"),
        ("VRDNDI_TRAIN_LEARNING_RATE", "VRDNDI_TRAIN_LR"),
        ("VRDNDI_TRAIN_lr", "VRDNDI_TRAIN_LR"),  # names are upper case
    ],
)
def test_an_unknown_variable_names_the_nearest_field(variable, nearest) -> None:
    with pytest.raises(ConfigError, match=f"unknown variable {variable} .*did you mean {nearest}"):
        build_config("cpu-small", environ={variable: "1"})


def test_settings_variables_are_not_fields() -> None:
    settings = {"VRDNDI_TRAIN_PRESET": "bge-m3-gpu", "VRDNDI_TRAIN_MIN_NEW_LABELS": "5"}
    assert SETTINGS_VARIABLES == set(settings)
    assert env_overrides(settings) == {}
    layered = build_layered_config("cpu-small", environ=settings)
    assert layered.config == build_config("cpu-small", environ={}) and "env" not in set(
        layered.sources.values()
    )


def test_the_process_environment_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VRDNDI_TRAIN_TOTAL_EPOCH", "2")
    assert build_config("cpu-small").total_epoch == 2
    assert build_config("cpu-small", environ={}).total_epoch == 5


def test_the_dagster_run_config_builds_every_layer(tmp_path, monkeypatch) -> None:
    from vrdndi_pipeline.assets.train_config import TrainConfig

    mine = tmp_path / "mine.yaml"
    mine.write_text("batch_size: 3\nlr: 0.002\n")
    monkeypatch.setenv("VRDNDI_TRAIN_LR", "3e-4")
    run = TrainConfig(preset="cpu-small", config_file=str(mine), total_epoch=4)
    layered = run.build_layered_config()
    assert (layered.config.batch_size, layered.config.total_epoch, layered.config.lr) == (
        3,
        4,
        3e-4,
    )
    assert {k: layered.sources[k] for k in ("batch_size", "total_epoch", "lr")} == {
        "batch_size": "file",
        "total_epoch": "run",
        "lr": "env",
    }
    assert run.build_model_config() == layered.config
    assert run.build_model_config(environ={}).lr == 0.002
