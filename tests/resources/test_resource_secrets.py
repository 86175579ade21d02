"""URLs that may hold a password reach Dagster resources as `EnvVar`s, never as text.

Dagster shows resource config in its UI and keeps it in the repository snapshot the UI reads
and in each run's stored job snapshot; an `EnvVar` is kept there as the variable's name only.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import dagster as dg
import pandas as pd
import pytest
from dagster._core.remote_representation.external_data import (
    RepositorySnap,
    ResourceConfigEnvVarSnap,
)
from dagster._serdes import serialize_value
from sqlalchemy import inspect

from vrdndi_pipeline.core.settings import load_settings
from vrdndi_pipeline.core.store.database import make_engine
from vrdndi_pipeline.definitions import build_definitions
from vrdndi_pipeline.resources.database import AppDatabase
from vrdndi_pipeline.resources.mlflow_tracking import tracking_for

# the variable, its value (each with a password of its own) and the resource field it feeds
SECRET_URLS = {
    "VRDNDI_DATABASE_URL": "postgresql+psycopg2://u:db-s3cret@127.0.0.1:1/vrdndi",
    "VRDNDI_MLFLOW_TRACKING_URI": "postgresql://m:mlflow-s3cret@127.0.0.1:2/mlflow",
    "VRDNDI_AW_URL": "http://a:aw-s3cret@127.0.0.1:5600",
    "VRDNDI_YOUTUBE_API_ENDPOINT": "https://y:yt-s3cret@127.0.0.1:4/",
}
FIELDS = {
    "VRDNDI_DATABASE_URL": ("database", "url"),
    "VRDNDI_MLFLOW_TRACKING_URI": ("tracking", "tracking_uri"),
    "VRDNDI_AW_URL": ("activitywatch", "url"),
    "VRDNDI_YOUTUBE_API_ENDPOINT": ("youtube", "api_endpoint"),
}
PASSWORDS = ("db-s3cret", "mlflow-s3cret", "aw-s3cret", "yt-s3cret")

Environment = Callable[..., None]


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> Environment:
    """Sets the process environment to the given ``VRDNDI_*`` variables (and a data folder in
    ``tmp_path``), removing any others the test runner's shell had."""

    def set_environment(**variables: str) -> None:
        for name in [n for n in os.environ if n.startswith("VRDNDI_")]:
            monkeypatch.delenv(name)
        monkeypatch.setenv("VRDNDI_DATA_DIR", str(tmp_path / "data"))
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return set_environment


@pytest.fixture
def secret_definitions(environment: Environment) -> Iterator[dg.Definitions]:
    environment(**SECRET_URLS)
    yield build_definitions(load_settings())


def _serialized_repository(defs: dg.Definitions) -> str:
    """The repository snapshot a code server sends to the UI (resources, jobs with their
    config schemas and defaults, sensors, schedules), as the text it is sent as."""
    return serialize_value(RepositorySnap.from_def(defs.get_repository_def()))


def test_urls_set_in_the_environment_reach_resources_as_env_vars(secret_definitions) -> None:
    resources = secret_definitions.resources
    for variable, (resource, field) in FIELDS.items():
        value = getattr(resources[resource], field)
        assert isinstance(value, dg.EnvVar), (variable, type(value))
        assert value.env_var_name == variable
    # the IO manager's database is the same resource, so it reads the same variable
    assert resources["io_manager"].database.url.env_var_name == "VRDNDI_DATABASE_URL"
    # file paths hold no secret and stay readable in the UI
    assert not isinstance(resources["youtube"].token_file, dg.EnvVar)
    assert resources["youtube"].token_file == "secrets/youtube_token.json"


def test_no_password_reaches_the_snapshot_the_ui_reads(environment: Environment) -> None:
    # the same URLs from a mapping stay plain values: the snapshot then shows the passwords,
    # which proves the search below would find one
    plain = build_definitions(load_settings(SECRET_URLS))
    assert all(p in _serialized_repository(plain) for p in PASSWORDS)

    environment(**SECRET_URLS)
    defs = build_definitions(load_settings())
    snapshot = RepositorySnap.from_def(defs.get_repository_def())
    text = serialize_value(snapshot)
    assert [p for p in PASSWORDS if p in text] == []
    configured = {r.name: r.configured_values for r in snapshot.resources}
    for variable, (resource, field) in FIELDS.items():
        assert configured[resource][field] == ResourceConfigEnvVarSnap(name=variable)


def test_a_run_builds_the_resources_with_the_real_urls(environment: Environment) -> None:
    # load_settings strips surrounding whitespace; the resources do too with the raw value
    environment(**{name: f"  {url}\n" for name, url in SECRET_URLS.items()})
    resources = build_definitions(load_settings()).resources
    assert all(isinstance(getattr(resources[r], f), dg.EnvVar) for r, f in FIELDS.values())
    names = sorted({resource for resource, _ in FIELDS.values()})
    with dg.build_resources({name: resources[name] for name in names}) as built:
        for variable, (resource, field) in FIELDS.items():
            value = getattr(getattr(built, resource), field)
            assert value == SECRET_URLS[variable] and not isinstance(value, dg.EnvVar)


def test_defaults_and_settings_from_a_mapping_stay_plain_values(
    environment: Environment, tmp_path
) -> None:
    environment()
    resources = build_definitions(load_settings()).resources
    data = (tmp_path / "data").resolve()
    assert resources["database"].url == f"sqlite:///{data / 'vrdndi.db'}"
    assert resources["tracking"].tracking_uri == f"sqlite:///{data / 'mlflow.db'}"
    assert resources["activitywatch"].url == "http://127.0.0.1:5600"
    assert resources["youtube"].api_endpoint is None
    for resource, field in FIELDS.values():
        assert not isinstance(getattr(resources[resource], field), dg.EnvVar)

    # tests and tools that pass a mapping get its values: the environment may not hold them
    mapped = build_definitions(load_settings({"VRDNDI_DATABASE_URL": "sqlite:///x.db"}))
    assert mapped.resources["database"].url == "sqlite:///x.db"
    assert not isinstance(mapped.resources["database"].url, dg.EnvVar)


def test_the_cli_tracking_resource_keeps_the_uri_it_uses_directly(environment) -> None:
    environment(**SECRET_URLS)
    tracking = tracking_for(load_settings())  # vrdndi summary, outside any Dagster run
    assert tracking.tracking_uri == SECRET_URLS["VRDNDI_MLFLOW_TRACKING_URI"]
    assert not isinstance(tracking.tracking_uri, dg.EnvVar)


def test_an_unsafe_endpoint_in_the_environment_still_fails_at_load(environment) -> None:
    environment(VRDNDI_YOUTUBE_API_ENDPOINT="http://youtube.example")
    with pytest.raises(ValueError, match="VRDNDI_YOUTUBE_API_ENDPOINT") as raised:
        build_definitions(load_settings())
    assert "is plain http to youtube.example" in str(raised.value)


def test_a_run_on_postgresql_uses_the_password_and_stores_only_its_variable(
    environment: Environment, postgres_url: str
) -> None:
    # the harness's server trusts local users, so it accepts the URL with any password
    url = postgres_url.replace("postgres@", "postgres:pg-s3cret@", 1)
    environment(VRDNDI_DATABASE_URL=url)
    resources = build_definitions(load_settings()).resources
    seen: list[str | None] = []

    @dg.asset
    def secret_probe(database: AppDatabase) -> pd.DataFrame:
        seen.append(database.engine().url.password)
        return pd.DataFrame({"n": [1, 2]})

    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [secret_probe],
        resources={"database": resources["database"], "io_manager": resources["io_manager"]},
        instance=instance,
    )
    assert result.success
    assert seen == ["pg-s3cret"]
    assert "secret_probe" in inspect(make_engine(postgres_url)).get_table_names()

    run = instance.get_run_by_id(result.run_id)
    assert run is not None
    stored = [
        serialize_value(run),
        serialize_value(instance.get_job_snapshot(run.job_snapshot_id)),
        *(serialize_value(event) for event in instance.all_logs(result.run_id)),
    ]
    assert any("VRDNDI_DATABASE_URL" in text for text in stored)
    assert [text for text in stored if "pg-s3cret" in text] == []
