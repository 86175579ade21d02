"""Configuration layers merged into a :class:`ModelConfig`, each overriding the ones before:

    defaults < preset < YAML file < run config < ``VRDNDI_TRAIN_*`` environment

A preset is a flat YAML mapping of ModelConfig fields. ``load_preset("cpu-small")`` reads
``configs/cpu-small.yaml`` of the repository (or of ``VRDNDI_CONFIG_DIR`` when set); any other
argument that names an existing file is read as that file. The YAML file layer is a second
such mapping on top of the preset (a user's own tweaks, kept out of ``configs/``). The
environment layer has one variable per field, named after it in upper case
(``VRDNDI_TRAIN_LR=3e-4``, ``VRDNDI_TRAIN_TOTAL_EPOCH=2``); its text is parsed to the field's
type (see :mod:`config_checks`). ``VRDNDI_TRAIN_PRESET`` and ``VRDNDI_TRAIN_MIN_NEW_LABELS``
are settings (:mod:`vrdndi_pipeline.core.settings`), not fields; any other unknown
``VRDNDI_TRAIN_*`` variable is a :class:`ConfigError` naming the nearest field.
:func:`build_layered_config` also says which layer set each field that is not a default.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vrdndi_pipeline.core.model.config import ConfigError, ModelConfig, unknown_keys
from vrdndi_pipeline.core.model.config_checks import env_overrides

log = logging.getLogger(__name__)

DEFAULT_PRESET = "cpu-small"
_REPO_CONFIGS = Path(__file__).resolve().parents[3] / "configs"


def preset_dir() -> Path:
    """The folder of named presets: ``$VRDNDI_CONFIG_DIR`` or the repository's ``configs/``."""
    return Path(os.environ.get("VRDNDI_CONFIG_DIR") or _REPO_CONFIGS)


def load_preset(name_or_path: str | os.PathLike[str]) -> dict[str, Any]:
    """The preset's fields as a dict (keys checked against ModelConfig, values not yet)."""
    import yaml

    candidate = Path(name_or_path)
    if not candidate.is_file():
        candidate = preset_dir() / f"{name_or_path}.yaml"
    if not candidate.is_file():
        known = sorted(p.stem for p in preset_dir().glob("*.yaml"))
        raise ConfigError(f"no preset {str(name_or_path)!r} (known: {', '.join(known) or 'none'})")
    data = yaml.safe_load(candidate.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ConfigError(f"preset {candidate} must be a mapping of config fields")
    unknown_keys(data, f"preset {candidate.name}")
    return data


def merged(*layers: dict[str, Any] | None) -> dict[str, Any]:
    """Later layers win; ``wandb_config`` dicts are merged key by key rather than replaced."""
    out: dict[str, Any] = {}
    for layer in layers:
        for key, value in (layer or {}).items():
            if key == "wandb_config" and isinstance(value, dict):
                out[key] = {**out.get(key, {}), **value}
            else:
                out[key] = value
    return out


LAYERS = ("preset", "file", "run", "env")
"""The layers above the defaults, lowest first (the names :attr:`LayeredConfig.sources` uses)."""


@dataclass(frozen=True)
class LayeredConfig:
    """A merged :class:`ModelConfig` and, per field a layer set, the last layer that set it."""

    config: ModelConfig
    sources: dict[str, str] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        """JSON-safe record for the model's metadata: the layers and each field's source."""
        return {"layers": ["defaults", *LAYERS], "sources": dict(sorted(self.sources.items()))}


def build_layered_config(
    preset: str | os.PathLike[str] | None = DEFAULT_PRESET,
    overrides: dict[str, Any] | None = None,
    *,
    config_file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> LayeredConfig:
    """ModelConfig from its defaults < ``preset`` < ``config_file`` < ``overrides`` (the run
    config) < the ``VRDNDI_TRAIN_*`` variables of ``environ`` (default: the process
    environment; pass ``{}`` for none). None for ``preset`` or ``config_file`` skips that layer.

    Unknown keys in any layer raise :class:`ConfigError` naming them; an invalid value raises
    it naming the field (and, for an environment value, the variable).
    """
    preset_values = load_preset(preset) if preset is not None else {}
    file_values = load_preset(config_file) if config_file is not None else {}
    unknown_keys(overrides or {}, "overrides")
    env_values = env_overrides(os.environ if environ is None else environ)
    layers = dict(
        zip(LAYERS, (preset_values, file_values, overrides or {}, env_values), strict=True)
    )
    sources = {key: name for name, values in layers.items() for key in values}
    try:
        config = ModelConfig.from_dict(merged(*layers.values()))
    except ConfigError as error:
        from_env = [k for k in env_values if re.search(rf"\b{k}\b", str(error))]
        if not from_env:
            raise
        hint = ", ".join(f"{k} from VRDNDI_TRAIN_{k.upper()}" for k in from_env)
        raise ConfigError(f"{error} (set by the environment: {hint})") from error
    log.debug("model config layers: %s", sources)
    return LayeredConfig(config, sources)


def build_config(
    preset: str | os.PathLike[str] | None = DEFAULT_PRESET,
    overrides: dict[str, Any] | None = None,
    *,
    config_file: str | os.PathLike[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> ModelConfig:
    """ModelConfig from its defaults, then ``preset`` (None: no preset), then ``config_file``,
    then ``overrides``, then the ``VRDNDI_TRAIN_*`` environment (see
    :func:`build_layered_config`).

    Unknown keys in the preset or the overrides raise :class:`ConfigError` naming them.
    """
    return build_layered_config(preset, overrides, config_file=config_file, environ=environ).config
