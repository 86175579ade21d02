"""Resource config strings that may arrive as a `dg.EnvVar` (a variable's name).

`resources_for` passes URLs that may hold a password (`VRDNDI_DATABASE_URL`, ...) as
`EnvVar`s, which Dagster reads from the environment only when a run builds the resource. It
reads the raw value, while `load_settings` strips surrounding whitespace; resources strip it
again with :func:`stripped`, so both paths give the resource the same string.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import dagster as dg
from pydantic import BeforeValidator

if TYPE_CHECKING:
    from vrdndi_pipeline.core.settings import Settings


def stripped(value: object) -> object:
    """A config string without surrounding whitespace; an `EnvVar` as it is (its text is the
    variable's name, resolved later: Dagster validates the resource again with the value)."""
    if isinstance(value, str) and not isinstance(value, dg.EnvVar):
        return value.strip()
    return value


EnvVarString = Annotated[str, BeforeValidator(stripped)]
"""A resource's config string that may be a `dg.EnvVar`: :func:`stripped` before validation."""


def from_variable(settings: Settings, variable: str, value: str) -> str:
    """`dg.EnvVar(variable)` when `settings` read `value` from that variable of the process
    environment, else `value` itself: a default, or settings read from a given mapping (a test),
    which the environment a run resolves an `EnvVar` in need not hold."""
    if variable in settings.from_environment:
        return dg.EnvVar(variable)
    return value
