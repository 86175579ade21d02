"""Owners and catalog tags of the assets, in one place.

Every asset names the same owner and a `layer` tag (where in the pipeline it sits); assets
built from one kind of input (ActivityWatch, YouTube, the user's labels) also carry a `source`
tag, so the catalog can be filtered by either. Dagster accepts an email or `team:<name>` as
owner, and tag values of at most 63 letters, digits, `_`, `-` or `.`: the literals keep to that.
"""

from typing import Any, Literal, get_args

OWNERS = ("team:vrdndi",)  # one person's pipeline: one team, named after the app

LAYER = "layer"
SOURCE = "source"
Layer = Literal["ingest", "features", "training", "serving"]
Source = Literal["activitywatch", "youtube", "labels"]
LAYERS: tuple[Layer, ...] = get_args(Layer)


def asset_tags(layer: Layer, source: Source | None = None) -> dict[str, str]:
    """The tags of one asset: its layer and, if it reads one outside source, that source."""
    return {LAYER: layer} if source is None else {LAYER: layer, SOURCE: source}


def asset_catalog(
    layer: Layer, source: Source | None = None, *, group: str | None = None
) -> dict[str, Any]:
    """Where one asset stands in the catalog, as `@dg.asset` arguments: its group (its layer
    unless ``group`` is named), the owners and :func:`asset_tags`."""
    return {"group_name": group or layer, "owners": OWNERS, "tags": asset_tags(layer, source)}
