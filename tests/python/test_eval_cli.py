"""`pillar eval` as a newcomer uses it, against a real server with the simulator as answering model and judge:
import a dataset, run it against two prompt versions, write the HTML report, and block a promotion with a gate
(`promotion.requireEval`). Then a run whose server is killed mid-way is resumed and finishes with every answer
exactly once."""
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import ADMIN_KEY, PILLAR_BIN, start_pillar, start_simulator

COLONIES = [("puffin", "Skomer", "forty thousand"), ("gannet", "Bass Rock", "seventy five thousand"),
            ("tern", "Farne", "two thousand"), ("razorbill", "Ramsey", "nine hundred"),
            ("guillemot", "Handa", "ninety eight thousand"), ("kittiwake", "Noss", "three thousand"),
            ("shag", "Lundy", "one hundred"), ("fulmar", "Fetlar", "six thousand")]
HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}
WORSE_PROMPT = {"variables": [{"name": "question"}],
                "messages": [{"role": "system", "template": "Answer briefly."}, {"role": "user", "template": "{{question}}"}]}


def pillar_cli(*args, env=None, check=True):
    environment = dict(os.environ, PILLAR_API_KEY=ADMIN_KEY, **(env or {}))
    result = subprocess.run([PILLAR_BIN, *args], env=environment, capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"pillar {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def ingest(base):
    for animal, island, members in COLONIES:
        response = requests.post(base + "/v1/documents", headers=HEADERS, timeout=60, json={
            "source": f"colonies/{animal}.md", "title": f"{animal.capitalize()} colony",
            "content": f"# {animal.capitalize()}\n\nThe {animal} colony on {island} has {members} breeding pairs."})
        assert response.status_code == 201, response.text


def write_dataset(path: Path):
    with path.open("w") as out:
        for index, (animal, island, members) in enumerate(COLONIES):
            out.write(json.dumps({"id": f"q{index + 1}",
                                  "question": f"How many breeding pairs does the {animal} colony on {island} have?",
                                  "expected_facts": [f"{members} breeding pairs"],
                                  "expected_sources": [f"colonies/{animal}.md"]}) + "\n")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    simulator, url = start_simulator("--ttft-ms", "0", "--tokens-per-second", "5000")
    config = {"deployments": [{"name": "sim", "baseURL": url, "model": "simulated", "models": ["gpt-4o-mini", "sim-embed"]}],
              "retrieval": {"embeddingModel": "sim-embed"}, "promotion": {"tenantDefault": {"requireEval": True}}}
    process, base = start_pillar(config)
    ingest(base)
    yield process, base
    process.stop()
    simulator.stop()


def test_a_newcomer_imports_runs_reports_and_gates_a_promotion(server, tmp_path):
    process, base = server
    env = {"PILLAR_URL": base}
    config = str(Path(process.data_dir) / "pillar.yaml")
    dataset = tmp_path / "colonies.jsonl"
    write_dataset(dataset)
    imported = pillar_cli("eval", "datasets", "import", "colonies", "--file", str(dataset), env=env)
    assert "saved colonies@1: 8 items" in imported.stdout

    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"question": "fine?"}\n{"question": 3}\n')
    refused = pillar_cli("eval", "datasets", "import", "broken", "--file", str(broken), env=env, check=False)
    assert refused.returncode != 0 and "line 2" in refused.stderr + refused.stdout

    worse_file = tmp_path / "worse.json"
    worse_file.write_text(json.dumps(WORSE_PROMPT))
    shipped = requests.get(base + "/v1/admin/prompts/rag-answer/versions/1", headers=HEADERS, timeout=30).json()["body"]
    better_file = tmp_path / "better.json"
    better_file.write_text(shipped)
    for path in (worse_file, better_file):
        pillar_cli("prompts", "create", "--name", "rag-answer", "--file", str(path), "--data-dir", process.data_dir,
                   "--config", config)
    # rag-answer@2 is the worse prompt, rag-answer@3 the shipped one again.

    runs = {}
    for version in (2, 3):
        ran = pillar_cli("eval", "run", "--dataset", "colonies", "--prompt", f"rag-answer@{version}", "--repeat", "2", env=env)
        match = re.search(r"run (run_[0-9a-f]+): completed, 16/16 answers", ran.stdout)
        assert match, ran.stdout + ran.stderr
        runs[version] = match.group(1)

    report = tmp_path / "report.html"
    pillar_cli("eval", "compare", runs[2], runs[3], "--format", "html", "--output", str(report), env=env)
    html = report.read_text()
    assert "Plotly.newPlot" in html and "plotly.js v" in html, "the report inlines plotly.js and draws with it"
    assert "citations_recall" in html
    markdown = pillar_cli("eval", "compare", runs[2], runs[3], env=env).stdout
    assert "citations_recall" in markdown and "better" in markdown

    requirement = "groundedness>=4.0; citations_recall>=baseline-0.02; p<0.05"
    failed = pillar_cli("eval", "gate", "--dataset", "colonies", "--candidate-run", runs[2], "--baseline-run", runs[3],
                        "--require", requirement, env=env, check=False)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "FAILED" in failed.stdout and "citations_recall" in failed.stdout

    # Promotion refuses the version no passing gate vouches for, from the CLI as from the API.
    blocked = pillar_cli("prompts", "label", "rag-answer", "production", "--version", "3", "--data-dir", process.data_dir,
                         "--config", config, check=False)
    assert blocked.returncode != 0 and "evaluation" in (blocked.stderr + blocked.stdout).lower()

    # The gate runs both sides itself when given flows: the better candidate passes.
    passed = pillar_cli("eval", "gate", "--dataset", "colonies", "--candidate", "rag", "--candidate-prompt", "rag-answer@3",
                        "--baseline", "rag", "--baseline-prompt", "rag-answer@2", "--require", requirement, env=env,
                        check=False)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "PASSED" in passed.stdout
    pillar_cli("prompts", "label", "rag-answer", "production", "--version", "3", "--data-dir", process.data_dir,
               "--config", config)
    audit = requests.get(base + "/v1/admin/audit?limit=100", headers=HEADERS, timeout=30).json()["data"]
    allowed = [event for event in audit if event["action"] == "prompt.promotion_allowed"]
    assert allowed and allowed[0]["details"]["version"] == "3" and allowed[0]["details"]["run"].startswith("run_")


def test_a_run_killed_with_its_server_resumes_and_finishes_each_answer_once(tmp_path):
    simulator, url = start_simulator("--ttft-ms", "150", "--tokens-per-second", "2000")
    config = {"deployments": [{"name": "sim", "baseURL": url, "model": "simulated", "models": ["gpt-4o-mini", "sim-embed"]}],
              "retrieval": {"embeddingModel": "sim-embed"}}
    data_dir = str(tmp_path / "data")
    os.makedirs(data_dir)
    process, base = start_pillar(config, data_dir=data_dir)
    try:
        ingest(base)
        dataset = tmp_path / "colonies.jsonl"
        write_dataset(dataset)
        pillar_cli("eval", "datasets", "import", "colonies", "--file", str(dataset), env={"PILLAR_URL": base})
        started = pillar_cli("eval", "run", "--dataset", "colonies", "--repeat", "3", "--concurrency", "1",
                             "--metrics", "citations_recall,groundedness", "--detach", env={"PILLAR_URL": base})
        run_id = started.stdout.strip()
        deadline = time.time() + 60
        while requests.get(f"{base}/v1/admin/eval/runs/{run_id}", headers=HEADERS, timeout=30).json()["done"] < 3:
            assert time.time() < deadline, "the run made no progress"
            time.sleep(0.1)
        process.popen.send_signal(signal.SIGKILL)
        process.popen.wait()
        process, base = start_pillar(config, data_dir=data_dir)
        stopped = requests.get(f"{base}/v1/admin/eval/runs/{run_id}", headers=HEADERS, timeout=30).json()
        assert stopped["status"] == "interrupted" and 0 < stopped["done"] < 24, stopped
        resumed = pillar_cli("eval", "resume", run_id, env={"PILLAR_URL": base})
        assert f"run {run_id}: completed, 24/24 answers" in resumed.stdout, resumed.stdout + resumed.stderr
        results = requests.get(f"{base}/v1/admin/eval/runs/{run_id}/results", headers=HEADERS, timeout=30).json()["data"]
        assert len({(r["item_id"], r["repeat"]) for r in results}) == len(results) == 24
    finally:
        process.stop()
        simulator.stop()
