"""Dagster conventions of the code location: owners and tags on every asset, descriptions that
render as Markdown, and a freshness policy that shows a stale ActivityWatch ingest."""

import asyncio
import heapq
import itertools
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest
from dagster._core.definitions.freshness import FreshnessState, TimeWindowFreshnessPolicy
from dagster._core.definitions.freshness_evaluator import TimeWindowFreshnessPolicyEvaluator
from dagster._core.loader import LoadingContextForTest
from dagster._core.test_utils import freeze_time
from dagster._utils.schedules import cron_string_iterator

from vrdndi_pipeline.assets.asset_tags import LAYER, LAYERS, OWNERS
from vrdndi_pipeline.core.settings import load_settings
from vrdndi_pipeline.definitions import build_definitions

ACTIVITY = dg.AssetKey("raw_aw_events")


@pytest.fixture(scope="module")
def defs(tmp_path_factory: pytest.TempPathFactory) -> dg.Definitions:
    data = tmp_path_factory.mktemp("data")
    settings = {"VRDNDI_DATA_DIR": str(data), "VRDNDI_SOURCES": "demo"}
    return build_definitions(load_settings(settings))


def test_every_asset_has_the_owner_and_a_layer(defs):
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    assert len(keys) == 10
    for key in keys:
        node = graph.get(key)
        assert tuple(node.owners) == OWNERS, key
        assert node.tags.get(LAYER) in LAYERS, key
    layers = {key.to_user_string(): graph.get(key).tags[LAYER] for key in keys}
    assert layers["raw_aw_events"] == "ingest" and layers["feed_predictions"] == "serving"
    assert graph.get(ACTIVITY).tags["source"] == "activitywatch"


def _descriptions(defs: dg.Definitions) -> dict[str, str | None]:
    """Every description the Dagster UI shows for this code location."""
    repository = defs.get_repository_def()
    graph = repository.asset_graph
    found: dict[str, str | None] = {}
    for key in graph.get_all_asset_keys():
        found[f"asset {key.to_user_string()}"] = graph.get(key).description
    for key in graph.asset_check_keys:
        found[f"check {key.name}"] = graph.get(key).description
    for job in repository.get_all_jobs():
        found[f"job {job.name}"] = job.description
    for schedule in repository.schedule_defs:
        found[f"schedule {schedule.name}"] = schedule.description
    for sensor in repository.sensor_defs:
        found[f"sensor {sensor.name}"] = sensor.description
    for name, resource in defs.resources.items():
        if isinstance(resource, dg.ConfigurableResource | dg.ConfigurableIOManager):
            found[f"resource {name}"] = type(resource).__doc__
            for field_name, field in type(resource).model_fields.items():
                if field.description:
                    found[f"resource {name}.{field_name}"] = field.description
    return found


def test_descriptions_use_markdown_code_spans_not_rst(defs):
    found = _descriptions(defs)
    assert len([name for name in found if name.startswith("asset ")]) == 10
    assert len([name for name in found if name.startswith("check ")]) == 6
    # Dagster renders descriptions as Markdown, where ``name`` shows its backticks
    assert {name for name, text in found.items() if text and "``" in text} == set()
    assert len([name for name in found if name.startswith("resource ")]) > 8
    undescribed = {n for n, text in found.items() if not text and not n.startswith("job __")}
    assert undescribed == set()  # every asset, check, job, schedule and sensor says what it is
    assert "`aw_events`" in found["asset raw_aw_events"]  # code spans are kept, single


def _freshness(defs: dg.Definitions, instance: dg.DagsterInstance, at: datetime) -> FreshnessState:
    node = defs.resolve_asset_graph().get(ACTIVITY)
    with freeze_time(at):
        return asyncio.run(
            TimeWindowFreshnessPolicyEvaluator().evaluate_freshness(
                context=LoadingContextForTest(instance), node=node
            )
        )


def test_a_stale_activitywatch_ingest_warns_after_4_hours_and_fails_after_8(defs):
    policy = defs.resolve_asset_graph().get(ACTIVITY).freshness_policy
    assert isinstance(policy, TimeWindowFreshnessPolicy)
    ingested = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
    with dg.instance_for_test() as instance:
        assert _freshness(defs, instance, ingested) == FreshnessState.UNKNOWN  # never ingested
        with freeze_time(ingested):
            instance.report_runless_asset_event(dg.AssetMaterialization(ACTIVITY))
        states = {
            hours: _freshness(defs, instance, ingested + timedelta(hours=hours))
            for hours in (1, 3.9, 4.1, 7.9, 8.1)
        }
    assert states == {
        1: FreshnessState.PASS,
        3.9: FreshnessState.PASS,
        4.1: FreshnessState.WARN,
        7.9: FreshnessState.WARN,
        8.1: FreshnessState.FAIL,
    }


def test_the_nightly_pause_of_the_feed_refresh_never_warns(defs):
    """The longest gap between two ticks of the refresh schedule (which ingests ActivityWatch)
    stays under the warning window, so a normal night shows no warning."""
    [schedule] = [s for s in defs.schedules if s.name == "feed_refresh_schedule"]
    crons = [schedule.cron_schedule] if isinstance(schedule.cron_schedule, str) else []
    crons = crons or list(schedule.cron_schedule)
    start = datetime(2026, 6, 10, tzinfo=UTC).timestamp()
    iterators = [cron_string_iterator(start, c, schedule.execution_timezone) for c in crons]
    ticks = list(itertools.islice(heapq.merge(*iterators), 28 * 7))  # a week
    longest = max(b - a for a, b in itertools.pairwise(ticks))
    policy = defs.resolve_asset_graph().get(ACTIVITY).freshness_policy
    assert longest == timedelta(hours=3, minutes=45)
    assert policy.warn_window.to_timedelta() > longest


def test_the_context_window_is_one_number():
    """The training rows, the model and the feed refresh read the same hours of activity by
    default; a second literal for any of them would let a click be judged on another window
    than the one the feed reads."""
    from vrdndi_pipeline.assets.encoded_inference_tensors import InferenceTensorsConfig
    from vrdndi_pipeline.assets.training_data import ProductiveDataConfig
    from vrdndi_pipeline.core.model.config import DEFAULT_CONTEXT_HOURS, ModelConfig

    windows = {
        "productive_data": ProductiveDataConfig().context_hours,
        "model": ModelConfig().context_hours,
        "encoded_inference_tensors": InferenceTensorsConfig().context_hours,
    }
    assert windows == dict.fromkeys(windows, DEFAULT_CONTEXT_HOURS)
