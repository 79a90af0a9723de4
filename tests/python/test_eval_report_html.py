"""An evaluation comparison report as the server writes it (`GET /v1/admin/eval/compare?format=html`, the real
plotly.min.js that set-up takes out of plotly's wheel inlined), opened from disk in headless Chromium: every
chart draws, plotly accepts every attribute, and hostile question text stays text."""
import json
import pathlib
import shutil
import time

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ADMIN_KEY, start_pillar, start_simulator
from test_eval_cli import COLONIES, HEADERS, WORSE_PROMPT, ingest

HOSTILE = " </script><script>alert(1)</script> | pipe <!-- alert(2)"


def wait_for_run(base, run_id):
    deadline = time.time() + 120
    while True:
        run = requests.get(f"{base}/v1/admin/eval/runs/{run_id}", headers=HEADERS, timeout=30).json()
        if run["status"] != "running":
            assert run["status"] == "completed", run
            return run
        assert time.time() < deadline
        time.sleep(0.1)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    simulator, url = start_simulator("--ttft-ms", "0", "--tokens-per-second", "5000")
    config = {"deployments": [{"name": "sim", "baseURL": url, "model": "simulated", "models": ["gpt-4o-mini", "sim-embed"]}],
              "retrieval": {"embeddingModel": "sim-embed"}}
    process, base = start_pillar(config)
    try:
        ingest(base)
        lines = [json.dumps({"id": f"q{index + 1}",
                             "question": f"How many breeding pairs does the {animal} colony on {island} have?"
                                         + (HOSTILE if index == 0 else ""),
                             "expected_sources": [f"colonies/{animal}.md"]})
                 for index, (animal, island, _) in enumerate(COLONIES)]
        imported = requests.post(base + "/v1/admin/eval/datasets/colonies?format=jsonl", headers=HEADERS, timeout=30,
                                 data="\n".join(lines) + "\n")
        assert imported.status_code == 201, imported.text
        saved = requests.post(base + "/v1/admin/prompts", headers=HEADERS, timeout=30,
                              json={"name": "rag-answer", "prompt": WORSE_PROMPT})
        assert saved.status_code == 201, saved.text
        runs = []
        for pins in ([], [f"rag-answer@{saved.json()['version']}"]):
            started = requests.post(base + "/v1/admin/eval/runs", headers=HEADERS, timeout=30,
                                    json={"dataset": "colonies", "prompts": pins, "repeats": 2})
            assert started.status_code == 202, started.text
            runs.append(wait_for_run(base, started.json()["id"])["id"])
        # The worse prompt as the candidate: every item regresses, so the questions are in the report.
        page = requests.get(f"{base}/v1/admin/eval/compare", headers=HEADERS, timeout=60,
                            params={"baseline": runs[0], "candidate": runs[1], "format": "html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), page.text[:500]
        path = tmp_path_factory.mktemp("report") / "report.html"
        path.write_text(page.text)
        yield path
    finally:
        process.stop()
        simulator.stop()


@pytest.fixture
def page(report):
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.fail("chromium and chromedriver are installed by the set-up (scripts/setup-system.sh)")
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"]:
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    driver.get(pathlib.Path(report).resolve().as_uri())
    yield driver
    driver.quit()


def comparison(page):
    return json.loads(page.execute_script("return document.getElementById('comparison-data').textContent"))


def drawn(page):
    return page.execute_script("return document.querySelectorAll('.js-plotly-plot').length")


def test_every_chart_draws_without_errors(page):
    metrics = comparison(page)["metrics"]
    # A chart with nothing to draw says so in words instead; every other one is a plotly graph.
    expected = page.execute_script("""
        return [...document.querySelectorAll('[data-chart]')].filter((node) => node.classList.contains('plot')).length""")
    WebDriverWait(page, 30).until(lambda _: drawn(page) == expected)
    assert expected >= len(metrics)
    errors = [entry for entry in page.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    assert page.execute_script("return document.getElementById('charts-status').hidden") is True
    assert page.execute_script("return [...document.querySelectorAll('[data-chart]')].filter((n) => n.textContent.startsWith('This chart could not')).length") == 0


def test_charts_use_only_attributes_plotly_knows(page):
    WebDriverWait(page, 30).until(lambda _: drawn(page) > 0)
    problems = page.execute_script("""
        return [...document.querySelectorAll('.js-plotly-plot')].map((gd) => Plotly.validate(gd.data, gd.layout) || [])
            .flat().map((problem) => problem.msg)""")
    assert problems == []


def test_item_ids_show_as_written(page):
    WebDriverWait(page, 30).until(lambda _: drawn(page) > 0)
    items = comparison(page)["items"]
    labels = page.execute_script("return [...document.querySelectorAll('.xtick text')].map((t) => t.textContent)")
    assert items and all(item in labels for item in items)
    # Plotly reads a little HTML in labels; none of the ids may have become markup.
    assert page.execute_script("return document.querySelectorAll('.js-plotly-plot b, .js-plotly-plot a').length") == 0


def test_hostile_text_stays_text(page):
    assert page.execute_script("return document.scripts.length") == 3
    body = page.find_element("tag name", "body").text
    assert "</script><script>alert(1)</script> | pipe" in body
    assert "alert(2)" in body
    assert page.title.startswith("Evaluation comparison:")


def test_the_all_metrics_chart_has_an_interval_per_metric(page):
    WebDriverWait(page, 30).until(lambda _: drawn(page) > 0)
    traces = page.execute_script("""
        const gd = document.querySelector('[data-chart="all-deltas"]');
        return gd.data.map((trace) => ({x: trace.x[0], plus: trace.error_x.array[0], minus: trace.error_x.arrayminus[0]}))""")
    metrics = [m for m in comparison(page)["metrics"] if isinstance(m.get("delta"), (int, float))]
    assert len(traces) == len(metrics)
    for trace, metric in zip(traces, metrics):
        assert trace["x"] == pytest.approx(metric["delta"])
        if "interval_high" in metric:
            assert trace["x"] + trace["plus"] == pytest.approx(metric["interval_high"])
            assert trace["x"] - trace["minus"] == pytest.approx(metric["interval_low"])
