"""The MLflow link that ``make mlflow`` / ``make demo-mlflow`` print, in headless Chromium
against a real ``mlflow server``: it opens the classic ("Model training") run table.

MLflow 3 opens in its GenAI view by default. Only ``workflowType=machine_learning`` on the
experiment's own page switches it: on the experiment list (``#/experiments?workflowType=...``)
the parameter is lost as soon as the experiment is clicked, so the link names the
experiment (``vrdndi``, id 1: the first one the pipeline creates in its own store). The two
views differ in the experiment's side menu: "Runs" and "Models" (and "Model registry" in
the main menu) in the classic one, "Overview", "Sessions", "Judges" and "Training runs" in
the GenAI one. Screenshots land in the test's ``tmp_path``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.harness.mlflow_server import mlflow_server
from vrdndi_pipeline.resources.mlflow_tracking import MlflowTracking

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # MLflow 3.17's store uses SQLAlchemy's `noload`, deprecated in SQLAlchemy 2.1.
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy:DeprecationWarning"),
]

REPO = Path(__file__).resolve().parents[1]
LINK = re.compile(r"http://127\.0\.0\.1:5000/\S*workflowType=[^\s')]*")
CLASSIC_ONLY = {"Runs", "Models", "Model registry"}
GENAI_ONLY = {"Overview", "Sessions", "Judges", "Prompts", "Training runs"}
TIMEOUT_MS = 30_000


def printed_link() -> str:
    """The classic-view link the Makefile prints; the README must show the same one."""
    links = {LINK.search(line).group() for line in _lines_with_link(REPO / "Makefile")}
    assert len(links) == 1, links  # `make mlflow` and `make demo-mlflow` print one link
    (link,) = links
    assert link in (REPO / "README.md").read_text(encoding="utf-8")
    return link


def _lines_with_link(path: Path) -> list[str]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if LINK.search(line)]
    assert len(lines) == 2, lines
    return lines


def rendered_view(chromium: Any, url: str, wait_for: str, shot: Path) -> tuple[str, set[str]]:
    """Open ``url`` in a fresh browser context (no stored MLflow settings), wait until the
    text ``wait_for`` shows; return the final URL and the visible menu entries."""
    context = chromium.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.goto(url)
        page.get_by_text(wait_for, exact=True).first.wait_for(state="visible", timeout=TIMEOUT_MS)
        page.screenshot(path=str(shot))
        texts = page.locator("aside, [role=tab], a, h1, h2, h3").all_inner_texts()
        menu = {line.strip() for text in texts for line in text.splitlines() if line.strip()}
        return page.url, menu
    finally:
        context.close()


def test_the_printed_link_opens_the_classic_run_table(chromium: Any, tmp_path: Path) -> None:
    """The Makefile's link shows the run by name in the classic view; without its
    ``workflowType`` the same page is MLflow's GenAI view."""
    db = tmp_path / "mlflow.db"
    tracking = MlflowTracking(
        tracking_uri=f"sqlite:///{db}", artifact_location=str(tmp_path / "mlartifacts")
    )
    with tracking.start_run("ranker", {"preset": "cpu-small"}) as run:
        run.log_metrics({"heldout.productive_roc_auc": 0.7}, step=0)
    name = tracking.name_run(run.run_id, "1", "ranker")
    assert tracking.experiment_id() == "1"  # the id the printed link names

    link = printed_link()
    assert "workflowType=machine_learning" in link
    with mlflow_server(tmp_path, db) as base:
        url = link.replace("http://127.0.0.1:5000", base)
        final_url, menu = rendered_view(chromium, url, name, tmp_path / "classic.png")
        assert "workflowType=machine_learning" in final_url
        assert CLASSIC_ONLY <= menu, menu
        assert not GENAI_ONLY & menu, menu

        # The control: without the parameter MLflow shows its GenAI view of the same page,
        # so the assertions above tell the two apart.
        plain = re.sub(r"[?&]workflowType=[^&]*", "", url)
        assert "workflowType" not in plain
        final_url, menu = rendered_view(chromium, plain, name, tmp_path / "genai.png")
        assert "workflowType=machine_learning" not in final_url
        assert GENAI_ONLY <= menu, menu
        assert not {"Runs", "Model registry"} & menu, menu
