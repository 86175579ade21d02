"""Run configs of the training assets, generated from the core dataclasses so they never drift.

``TrainConfig`` (``trained_lora_adapter``): one optional field per
:class:`~vrdndi_pipeline.core.model.config.ModelConfig` field; every field left unset (``None``)
comes from the layers below. The layers, each overriding the ones before: defaults < preset <
YAML file (``config_file``) < this run config < ``VRDNDI_TRAIN_<FIELD>`` environment variables
(see :mod:`vrdndi_pipeline.core.model.presets`). ``RankerTrainConfig``
(``trained_ranker``): every :class:`~vrdndi_pipeline.core.ranker.config.RankerConfig` field.
"""

from collections.abc import Mapping
from dataclasses import fields
from typing import Any, Optional, get_args, get_type_hints

import dagster as dg
from pydantic import Field, create_model

from vrdndi_pipeline.core.model.config import ModelConfig, config_field_help
from vrdndi_pipeline.core.model.presets import DEFAULT_PRESET, LayeredConfig, build_layered_config
from vrdndi_pipeline.core.ranker.config import RankerConfig, ranker_field_help

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
    config_file: Optional[str] = Field(  # noqa: UP045 - pydantic needs a runtime type here
        default=None,
        description="Path to a YAML file of model fields applied on top of the preset (and "
        "below this run's fields and the VRDNDI_TRAIN_* environment variables).",
    )

    def overrides(self) -> dict[str, Any]:
        """The model fields this run sets explicitly."""
        values = {f.name: getattr(self, f.name) for f in fields(ModelConfig)}
        out = {k: v for k, v in values.items() if v is not None}
        targets = out.get("lora_target_modules")
        if targets == ["all-linear"]:
            out["lora_target_modules"] = "all-linear"
        return out

    def build_layered_config(self, environ: Mapping[str, str] | None = None) -> LayeredConfig:
        """Defaults < preset < config_file < this run's fields < ``VRDNDI_TRAIN_*`` variables
        of ``environ`` (default: the process environment), validated (ConfigError names the
        field), with the layer that set each field (for the saved model's metadata)."""
        return build_layered_config(
            self.preset, self.overrides(), config_file=self.config_file, environ=environ
        )

    def build_model_config(self, environ: Mapping[str, str] | None = None) -> ModelConfig:
        """The merged, validated ModelConfig of :meth:`build_layered_config`."""
        return self.build_layered_config(environ).config


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


class _RankerTrainConfigBase(dg.Config):
    def build_ranker_config(self) -> RankerConfig:
        """The validated :class:`RankerConfig` of this run (ConfigError names the field)."""
        return RankerConfig(**{f.name: getattr(self, f.name) for f in fields(RankerConfig)})


_ranker_types = get_type_hints(RankerConfig)
RankerTrainConfig = create_model(  # type: ignore[call-overload]
    "RankerTrainConfig",
    __base__=_RankerTrainConfigBase,
    __doc__="Ranker training run config: every RankerConfig field, with its default.",
    **{
        f.name: (_ranker_types[f.name], Field(default=f.default, description=text))
        for f in fields(RankerConfig)
        for text in [ranker_field_help()[f.name]]
    },
)
