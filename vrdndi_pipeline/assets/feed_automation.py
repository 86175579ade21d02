"""When Dagster refreshes the feed on its own: once after the champion changed.

`champion_model` reports the champion it leaves behind as its data version
(`champion_data_version`), so the version changes when the alias moves and stays when a
training promotes nothing. The feed's tensors are requested once after that change, and not
while any of their inputs or they themselves are still in a run: a `daily_job` that trains
and then refreshes the feed has handled the new champion itself, so nothing more is asked for.
`feed_predictions` is requested with its tensors, in the same run.
"""

import dagster as dg

AC = dg.AutomationCondition


def champion_changed(champion: dg.AssetKey) -> dg.AutomationCondition:
    """True on the tick after `champion`'s data version changed."""
    return (
        AC.any_deps_match(AC.data_version_changed())
        .allow(dg.AssetSelection.assets(champion))
        .with_label(f"{champion.to_user_string()} data version changed")
    )


def refresh_on_new_champion(champion: dg.AssetKey) -> dg.AutomationCondition:
    """Requested once after the champion changed, when no input and no run of it is pending:
    the reset (`since_last_handled`) is the next request or materialization of the asset."""
    return (
        champion_changed(champion).since_last_handled()
        & ~AC.any_deps_in_progress()
        & ~AC.in_progress()
    ).with_label("refresh on a new champion")


def with_its_inputs() -> dg.AutomationCondition:
    """Requested whenever an upstream asset is requested on the same tick (one run)."""
    return AC.any_deps_match(AC.will_be_requested()).with_label("an input is requested")
