"""YAML presets merged into a :class:`ModelConfig`: defaults < preset < overrides.

A preset is a flat YAML mapping of ModelConfig fields. ``load_preset("cpu-small")`` reads
``configs/cpu-small.yaml`` of the repository (or of ``VRDNDI_CONFIG_DIR`` when set); any other
argument that names an existing file is read as that file.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from vrdndi_pipeline.core.model.config import ConfigError, ModelConfig, unknown_keys

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


def build_config(
    preset: str | os.PathLike[str] | None = DEFAULT_PRESET,
    overrides: dict[str, Any] | None = None,
) -> ModelConfig:
    """ModelConfig from its defaults, then ``preset`` (None: no preset), then ``overrides``.

    Unknown keys in the preset or the overrides raise :class:`ConfigError` naming them.
    """
    preset_values = load_preset(preset) if preset is not None else {}
    unknown_keys(overrides or {}, "overrides")
    config = ModelConfig.from_dict(merged(preset_values, overrides))
    log.debug("model config from preset %s with overrides %s", preset, sorted(overrides or {}))
    return config
