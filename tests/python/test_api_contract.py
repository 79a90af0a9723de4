"""The published contract, `/openapi.json`, against the running server: it validates as OpenAPI 3.1, it names
exactly the routes the router has, and schemathesis finds nothing when it runs every operation with valid and
invalid inputs as an admin and as a user (no 5xx, no response that breaks the document, none slower than 10 s)."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from openapi_spec_validator import validate

from conftest import ADMIN_KEY, start_pillar

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}


@pytest.fixture(scope="module")
def server(simulator):
    config = {
        "server": {"logLevel": "debug", "logFormat": "json"},
        "deployments": [{"name": "sim", "baseURL": simulator, "model": "simulated", "models": ["gpt-4o-mini", "sim-embed"]}],
        "retrieval": {"embeddingModel": "sim-embed"}, "flows": {"defaultModel": "gpt-4o-mini"},
    }
    process, base = start_pillar(config)
    process.base = base
    # Something for the operations that read what exists: a document, a conversation with an answer.
    assert requests.post(base + "/v1/documents", headers=AUTH, timeout=60, json={
        "source": "handbook/vacation.md", "title": "Vacation", "content": "Employees get 30 days of vacation."}).status_code == 201
    assert requests.post(base + "/v1/chat", headers=AUTH, timeout=60, json={"message": "How many vacation days?"}).ok
    yield process
    process.stop()


@pytest.fixture(scope="module")
def document(server):
    response = requests.get(server.base + "/openapi.json", timeout=10)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    return response.json()


def test_the_served_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_the_document_names_every_route_and_only_those(server, document):
    lines = [json.loads(line) for line in server.stderr.splitlines() + server.stdout.splitlines() if line.startswith("{")]
    routed = {(line["method"], "/" + line["path"].strip("/")) for line in lines if line.get("message") == "route"}
    assert routed, "the server logged no routes (it logs them at debug level when it starts)"
    documented = {(method.upper(), path) for path, operations in document["paths"].items()
                  for method in operations if method in {"get", "put", "post", "patch", "delete"}}
    assert routed == documented, (f"routes the document lacks: {sorted(routed - documented)}; "
                                  f"documented routes the server lacks: {sorted(documented - routed)}")


def fuzz(server, key, name):
    """schemathesis over every operation, every phase (stateful too: it follows ids from one response into the
    next request). A key cannot revoke itself, so the run cannot lock itself out and go on testing only 401s."""
    junit = Path(server.data_dir) / f"schemathesis-{name}.xml"
    run = subprocess.run([
        SCHEMATHESIS, "run", server.base + "/openapi.json", "-H", f"Authorization: Bearer {key}",
        "--checks", "all", "--exclude-checks", "positive_data_acceptance",
        "--max-examples", "5", "--seed", "1", "--workers", "1", "--request-timeout", "10", "--max-response-time", "10",
        "--continue-on-failure", "--no-color", "--report", "junit", "--report-junit-path", str(junit),
    ], capture_output=True, text=True, timeout=1200)
    (Path(server.data_dir) / f"schemathesis-{name}.txt").write_text(run.stdout + run.stderr)
    found = run.stdout.split("= FAILURES =")[-1].split("= WARNINGS =")[0] if "= FAILURES =" in run.stdout else run.stdout[-3000:]
    assert run.returncode == 0, f"schemathesis as {name} found:\n{found[:6000]}"
    assert requests.get(server.base + "/v1/models", headers={"Authorization": f"Bearer {key}"}, timeout=10).ok, \
        "the key under test stopped working during the run"


def test_schemathesis_finds_nothing_as_an_admin(server):
    fuzz(server, ADMIN_KEY, "admin")


def test_schemathesis_finds_nothing_as_a_user(server):
    created = requests.post(server.base + "/v1/admin/keys", headers=AUTH, json={"name": "fuzzed user", "role": "user"},
                            timeout=10)
    assert created.status_code == 201, created.text
    fuzz(server, created.json()["secret"], "user")
