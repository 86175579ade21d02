"""The feed's Declarative Automation, evaluated with Dagster's own helper on the real definitions.

The conditions come from `build_definitions`; the events they read are written by stand-ins
with the same asset keys (materializing the real `champion_model` means training), run by
Dagster like the jobs run them: a train run, a daily run that trains and refreshes, a feed
refresh. The champion's data version is the one the real asset reports
(`champion_data_version`).
"""

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import dagster as dg
import pytest

from vrdndi_pipeline.assets.champion_model import champion_data_version
from vrdndi_pipeline.core.settings import load_settings
from vrdndi_pipeline.definitions import build_definitions
from vrdndi_pipeline.resources.mlflow_tracking import ChampionInfo

CHAMPION = dg.AssetKey("champion_model")
TENSORS = dg.AssetKey("encoded_inference_tensors")
FEED = dg.AssetKey("feed_predictions")
INGEST = dg.AssetKey("raw_aw_events")
UPSTREAM = {TENSORS: [INGEST, CHAMPION], FEED: [TENSORS]}  # as in the real graph


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory) -> dg.Definitions:
    data = tmp_path_factory.mktemp("data")
    return build_definitions(
        load_settings({"VRDNDI_DATA_DIR": str(data), "VRDNDI_SOURCES": "demo"})
    )


class Ticks:
    """Successive ticks of the automation sensor: each evaluation continues from the last."""

    def __init__(self, defs: dg.Definitions, instance: dg.DagsterInstance) -> None:
        self.defs, self.instance, self.cursor = defs, instance, None

    def __call__(self) -> set[dg.AssetKey]:
        # Dagster evaluates with `asyncio.run`, which refuses a thread with a running event loop:
        # under pytest-xdist a browser test in the same worker leaves Playwright's loop running
        # in the main thread, so each tick runs in a thread of its own, as the daemon's do.
        with ThreadPoolExecutor(max_workers=1) as pool:
            result = pool.submit(
                dg.evaluate_automation_conditions,
                defs=self.defs,
                instance=self.instance,
                asset_selection=dg.AssetSelection.all(),
                cursor=self.cursor,
            ).result()
        self.cursor = result.cursor
        return {key for key in (TENSORS, FEED) if result.get_num_requested(key)}


def _champion(version: str) -> ChampionInfo:
    return ChampionInfo(version, f"run-{version}", "", Path("."), {}, {})


def _run(
    instance: dg.DagsterInstance,
    champion: str | None = None,
    *,
    steps: Sequence[dg.AssetKey] = (),
    during: tuple[dg.AssetKey, Callable[[], object]] | None = None,
) -> None:
    """One run of stand-ins: `champion_model` (when `champion` is given, reporting it as the
    real asset would) and `steps`, in the order of the real graph; `during` = (step, call): the
    call is made while that step runs (the run is in progress, later steps still planned)."""
    keys = {*steps, *([CHAMPION] if champion is not None else [])}
    assets = [
        _standin(
            key,
            deps=[d for d in UPSTREAM.get(key, []) if d in keys],
            during=during[1] if during and during[0] == key else None,
            data_version=champion_data_version(_champion(champion))
            if key == CHAMPION and champion
            else None,
        )
        for key in keys
    ]
    assert dg.materialize(assets, instance=instance).success


def _standin(
    key: dg.AssetKey,
    deps: list[dg.AssetKey],
    during: Callable[[], object] | None,
    data_version: dg.DataVersion | None,
) -> dg.AssetsDefinition:
    @dg.asset(key=key, deps=deps)
    def standin() -> dg.MaterializeResult:
        if during is not None:
            during()
        return dg.MaterializeResult(data_version=data_version)

    return standin


def test_a_new_champion_refreshes_the_feed_once(defs):
    instance = dg.DagsterInstance.ephemeral()
    tick = Ticks(defs, instance)
    assert tick() == set()  # the first evaluation only looks

    _run(instance, champion="1")  # train_job promoted version 1
    assert tick() == {TENSORS, FEED}  # the tensors and the feed, in one run
    assert tick() == set()  # requested: handled, even before that run has finished

    _run(instance, champion="1")  # the next training promoted nothing: the same champion
    assert tick() == set()
    _run(instance, steps=[INGEST, TENSORS, FEED])  # the scheduled refresh
    assert tick() == set()

    _run(instance, champion="2")
    assert tick() == {TENSORS, FEED}


def test_a_daily_run_that_trains_and_refreshes_the_feed_asks_for_nothing_more(defs):
    instance = dg.DagsterInstance.ephemeral()
    tick = Ticks(defs, instance)
    tick()
    seen: list[set[dg.AssetKey]] = []

    # a tick while the run encodes the tensors: the champion changed, the feed is in progress
    _run(
        instance,
        champion="1",
        steps=[INGEST, TENSORS, FEED],
        during=(TENSORS, lambda: seen.append(tick())),
    )
    assert seen == [set()]
    assert tick() == set()  # the run refreshed the feed after the promotion
    assert tick() == set()

    # no tick in between: the promotion and the refresh are seen on the same tick
    _run(instance, champion="2", steps=[INGEST, TENSORS, FEED])
    assert tick() == set()


def test_a_feed_refresh_already_running_after_the_promotion_handles_it(defs):
    instance = dg.DagsterInstance.ephemeral()
    tick = Ticks(defs, instance)
    tick()
    _run(instance, champion="1")  # train_job; the scheduled refresh starts before the next tick
    seen: list[set[dg.AssetKey]] = []
    _run(instance, steps=[INGEST, TENSORS, FEED], during=(INGEST, lambda: seen.append(tick())))
    assert seen == [set()]  # its inputs and the feed itself are in progress: wait
    assert tick() == set()  # and it refreshed the feed with the new champion


def test_while_an_input_is_ingested_the_refresh_waits_and_then_runs(defs):
    instance = dg.DagsterInstance.ephemeral()
    tick = Ticks(defs, instance)
    tick()
    _run(instance, champion="1")
    seen: list[set[dg.AssetKey]] = []
    _run(instance, steps=[INGEST], during=(INGEST, lambda: seen.append(tick())))  # ingest_job
    assert seen == [set()]
    assert tick() == {TENSORS, FEED}


def test_the_champion_data_version_names_the_champion_and_its_run():
    assert champion_data_version(None) == dg.DataVersion("none")
    assert champion_data_version(_champion("3")) == dg.DataVersion("3-run-3")
    no_run = ChampionInfo("3", None, "", Path("."), {}, {})
    assert champion_data_version(no_run) == dg.DataVersion("3")


def test_one_sensor_running_by_default_evaluates_every_automation_condition(defs):
    repository = defs.get_repository_def()
    automated = {
        key
        for key in defs.resolve_asset_graph().get_all_asset_keys()
        if defs.resolve_asset_graph().get(key).automation_condition is not None
    }
    assert automated == {TENSORS, FEED}
    [sensor] = [
        s for s in repository.sensor_defs if isinstance(s, dg.AutomationConditionSensorDefinition)
    ]
    # Dagster's own default sensor (stopped by default) would take any asset not targeted here
    assert sensor.name == "feed_automation"
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
    assert sensor.asset_selection.resolve(defs.resolve_asset_graph()) == automated


def test_automation_launched_runs_execute_in_one_process_like_the_jobs(defs):
    job = defs.resolve_implicit_global_asset_job_def()
    assert job.executor_def is dg.in_process_executor
    assert all(
        defs.resolve_job_def(j.name).executor_def is dg.in_process_executor for j in defs.jobs
    )
