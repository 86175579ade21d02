"""``TrainConfig``: the run config of ``trained_lora_adapter``, one optional field per model field.

Generated from :class:`~vrdndi_pipeline.core.model.config.ModelConfig` so the two never drift:
every field left unset (``None``) comes from the preset, and the preset from the defaults.
"""

from dataclasses import fields
from typing import Any, Optional, get_args, get_type_hints

import dagster as dg
from pydantic import Field, create_model

from vrdndi_pipeline.core.model.config import ModelConfig, config_field_help
from vrdndi_pipeline.core.model.presets import DEFAULT_PRESET, build_config

# Dagster config has no unions other than Optional: these two travel in a simpler form.
LIST_FIELDS = {"lora_target_modules"}  # "all-linear", or module names
MAPPING_FIELDS = {"wandb_config"}


def _config_type(field_name: str, annotation: Any) -> Any:
    if field_name in LIST_FIELDS:
        return Optional[list[str]]  # noqa: UP045 - pydantic needs a runtime type here
    if field_name in MAPPING_FIELDS:
        return Optional[dict[str, str]]  # noqa: UP045
    simple = [a for a in get_args(annotation) if a is not type(None)] or [annotation]
    return Optional[simple[0]]  # noqa: UP045


class _TrainConfigBase(dg.Config):
    preset: str = Field(
        default=DEFAULT_PRESET,
        description="Preset in configs/ (cpu-small, bge-m3-gpu) or a path to a YAML file.",
    )
    cross_validation_folds: int = Field(
        default=0, ge=0, description="Also report k-fold (time-series) mean ± std per head; 0: off."
    )
    min_gain: float = Field(
        default=0.0,
        ge=0,
        description="How much the new adapter must beat the champion by to replace it.",
    )

    def overrides(self) -> dict[str, Any]:
        """The model fields this run sets explicitly."""
        values = {f.name: getattr(self, f.name) for f in fields(ModelConfig)}
        out = {k: v for k, v in values.items() if v is not None}
        targets = out.get("lora_target_modules")
        if targets == ["all-linear"]:
            out["lora_target_modules"] = "all-linear"
        return out

    def build_model_config(self) -> ModelConfig:
        """Defaults < preset < this run's fields, validated (ConfigError names the field)."""
        return build_config(self.preset, self.overrides())


_help = config_field_help()
_types = get_type_hints(ModelConfig)
TrainConfig = create_model(  # type: ignore[call-overload]
    "TrainConfig",
    __base__=_TrainConfigBase,
    __doc__="Training run config: a preset plus optional overrides of every model field.",
    **{
        name: (
            _config_type(name, _types[name]),
            Field(default=None, description=f"[{group}] {text}"),
        )
        for name, (group, text) in _help.items()
    },
)
