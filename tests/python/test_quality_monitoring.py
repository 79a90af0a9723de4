"""Production quality end to end: the real server answering through the simulator (a good deployment and one in
quality mode that spoils most answers), the simulator judging, and real HTTP webhook receivers (one of which
fails its first attempts). A canary of a flow version that moves to the degraded model is rolled back by
itself; one that keeps the good model is promoted; both decisions are audited with their evidence and posted,
signed, to the webhooks. Query drift raises its monitor for questions on another topic and not for more of the
same."""
import hashlib
import hmac
import json
import os
import random
import re
import subprocess
import threading
import time

import pytest
import requests
import yaml

from conftest import ADMIN_KEY, PILLAR_BIN, REPO, Process, QuietHandler, free_port, serve_http, start_pillar, start_simulator

HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}
SECRET = "webhook-test-secret-0123456789"
COLONIES = [("puffin", "Skomer", "forty thousand"), ("gannet", "Bass Rock", "seventy five thousand"),
            ("tern", "Farne", "two thousand"), ("razorbill", "Ramsey", "nine hundred"),
            ("guillemot", "Handa", "ninety eight thousand"), ("kittiwake", "Noss", "three thousand"),
            ("shag", "Lundy", "one hundred"), ("fulmar", "Fetlar", "six thousand")]
PHRASINGS = ["How many breeding pairs does the {a} colony on {i} have?",
             "What number of breeding pairs live in the {a} colony on {i}?",
             "How big is the {a} colony on {i}, in breeding pairs?",
             "Tell me the breeding pairs count of the {a} colony at {i}.",
             "Breeding pairs in the {a} colony on {i}: how many?",
             "On {i}, how many breeding pairs has the {a} colony?"]
OTHER_TOPIC = ["What temperature does water boil at on a mountain summit?", "Which spices flavour a traditional masala chai?",
               "How do tax brackets work for freelance income?", "What gear ratio suits a beginner road bicycle?",
               "Why does sourdough bread need a starter culture?", "How long should espresso extraction take?",
               "What is the best soil for growing tomatoes indoors?", "How are chess openings classified by code?",
               "Which planets can be seen without a telescope tonight?", "How do I descale a kettle with vinegar?",
               "What causes turbulence on long haul flights?", "How many strings does a classical guitar have?",
               "When was the printing press invented in Europe?", "What makes violin varnish expensive?",
               "How does compound interest grow a savings account?", "Why do cats knead blankets with their paws?"]


def questions():
    return [p.format(a=a, i=i) for p in PHRASINGS for a, i, _ in COLONIES]


class Receiver:
    """A webhook receiver on a loopback port. `fail_first` answers each delivery's first attempts with 503, so
    the sender's retries are seen (the delivery id stays the same across them)."""

    def __init__(self, fail_first: int = 0):
        self.requests: list[dict] = []
        self.attempts: dict[str, int] = {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                delivery = self.headers.get("X-Pillar-Delivery", "")
                with receiver.lock:
                    receiver.attempts[delivery] = receiver.attempts.get(delivery, 0) + 1
                    attempt = receiver.attempts[delivery]
                    if attempt > fail_first:
                        receiver.requests.append({"headers": dict(self.headers), "body": body, "attempt": attempt})
                self.send_response(503 if attempt <= fail_first else 204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = serve_http(Handler)
        self.port = self.server.server_address[1]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hook"

    def events(self, kind: str):
        with self.lock:
            return [r for r in self.requests if r["headers"].get("X-Pillar-Event") == kind]

    def stop(self):
        self.server.shutdown()


def signed_correctly(request) -> bool:
    timestamp = request["headers"]["X-Pillar-Timestamp"]
    expected = "sha256=" + hmac.new(SECRET.encode(), f"{timestamp}.".encode() + request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request["headers"].get("X-Pillar-Signature", ""))


def ask(base, question):
    response = requests.post(base + "/v1/chat", headers=HEADERS, json={"message": question}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def wait_until(check, timeout: float, every: float = 0.3, feed=None):
    """Calls `feed` (traffic) between checks until `check` returns something truthy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if feed:
            feed()
        else:
            time.sleep(every)
    raise AssertionError(f"condition not met in {timeout}s; last: {check()}")


@pytest.fixture(scope="module")
def server():
    good, good_url = start_simulator("--ttft-ms", "0", "--tokens-per-second", "5000")
    degraded, degraded_url = start_simulator("--ttft-ms", "0", "--tokens-per-second", "5000", "--quality", "wrong=0.8")
    steady, flaky = Receiver(), Receiver(fail_first=2)
    config = {
        "deployments": [
            {"name": "sim", "baseURL": good_url, "model": "simulated", "models": ["gpt-4o-mini", "sim-embed"]},
            {"name": "degraded", "baseURL": degraded_url, "model": "simulated", "models": ["degraded-model"]},
        ],
        "retrieval": {"embeddingModel": "sim-embed"}, "flows": {"defaultModel": "gpt-4o-mini"},
        "monitoring": {
            "sampling": {"rate": 1.0}, "evaluationIntervalSeconds": 0.5, "judgeConcurrency": 4,
            "canary": {"tickSeconds": 0.2, "intervalSeconds": 2, "minimumSamples": 8, "steps": [50], "failureLimit": 1},
            "drift": {"windowSeconds": 4, "referenceSeconds": 120, "minimumPerSide": 10, "permutations": 1999},
            "monitors": [{"name": "query-drift", "signal": "query_drift_p_value", "alert": 0.001, "minimumSamples": 10},
                         {"name": "groundedness-low", "signal": "groundedness", "alert": 0.5, "minimumSamples": 5}],
            "decay": [{"dataset": "colonies", "everySeconds": 5}],
            "webhooks": [{"name": "steady", "url": steady.url, "secretEnv": "PILLAR_TEST_WEBHOOK_SECRET"},
                         {"name": "flaky", "url": flaky.url, "secretEnv": "PILLAR_TEST_WEBHOOK_SECRET", "maxAttempts": 4,
                          "events": ["canary.rolled_back", "test"]}],
        },
    }
    process, base = start_pillar(config, env={"PILLAR_TEST_WEBHOOK_SECRET": SECRET})
    for animal, island, members in COLONIES:
        response = requests.post(base + "/v1/documents", headers=HEADERS, timeout=60, json={
            "source": f"colonies/{animal}.md", "title": f"{animal.capitalize()} colony",
            "content": f"# {animal.capitalize()}\n\nThe {animal} colony on {island} has {members} breeding pairs."})
        assert response.status_code == 201, response.text
    yield base, steady, flaky, process
    process.stop()
    for part in (good, degraded):
        part.stop()
    steady.stop()
    flaky.stop()


def rag_flow_with_model(base, model: str | None, note: str) -> int:
    shipped = requests.get(base + "/v1/admin/flows/rag/versions/1", headers=HEADERS, timeout=10).json()["body"]
    yaml = shipped.replace("    prompt: rag-answer\n", f"    prompt: rag-answer\n    model: {model}\n") if model else shipped
    saved = requests.post(base + "/v1/admin/flows", headers=HEADERS, json={"yaml": yaml, "note": note}, timeout=10)
    assert saved.status_code == 201, saved.text
    return saved.json()["version"]


def analysis(base):
    response = requests.get(base + "/v1/admin/flows/rag/labels/production/analysis", headers=HEADERS, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def production_split(base):
    labels = requests.get(base + "/v1/admin/flows/rag", headers=HEADERS, timeout=10).json()["labels"]
    return next(label["split"] for label in labels if label["label"] == "production")


def traffic(base):
    batch = questions()
    position = {"next": 0}

    def feed():
        for _ in range(6):
            ask(base, batch[position["next"] % len(batch)])
            position["next"] += 1
    return feed


def test_a_canary_on_the_degraded_model_is_rolled_back_and_one_on_the_good_model_promoted(server):
    base, steady, flaky, process = server
    worse = rag_flow_with_model(base, "degraded-model", "answers from the degraded deployment")
    started = requests.post(base + "/v1/admin/flows/rag/labels/production/analysis", headers=HEADERS,
                            json={"candidate": worse}, timeout=10)
    assert started.status_code == 201, started.text
    assert started.json()["weight"] == 50 and started.json()["status"] == "running"
    assert sorted((s["version"], s["weight"]) for s in production_split(base)) == [(1, 50), (worse, 50)]
    again = requests.post(base + "/v1/admin/flows/rag/labels/production/analysis", headers=HEADERS,
                          json={"candidate": worse}, timeout=10)
    assert again.status_code == 409 and again.json()["error"]["code"] == "analysis_running"

    done = wait_until(lambda: analysis(base)["status"] != "running" and analysis(base), timeout=120, feed=traffic(base))
    assert done["status"] == "rolled_back", done
    assert production_split(base) == [{"version": 1, "weight": 100}]
    decision = done["decisions"][-1]
    assert decision["action"] == "rollback" and decision["to_weight"] == 0
    grounded = next(e for e in decision["evidence"] if e["signal"] == "groundedness")
    assert not grounded["passed"] and grounded["candidate"] < grounded["stable"], grounded
    assert grounded["candidate_samples"] >= 8 and grounded["stable_samples"] >= 8

    audit = requests.get(base + "/v1/admin/audit", headers=HEADERS, params={"limit": 200}, timeout=10).json()["data"]
    rollback = next(e for e in audit if e["action"] == "flow.analysis.rollback")
    assert rollback["actor"] == "canary-analysis" and "groundedness" in rollback["details"]["evidence"]
    audited = {e["signal"]: e for e in json.loads(rollback["details"]["evidence"])}
    assert audited["groundedness"]["candidate_samples"] == grounded["candidate_samples"]

    # Both receivers get the rollback, signed; the flaky one only after the sender retried the same delivery.
    wait_until(lambda: steady.events("canary.rolled_back") and flaky.events("canary.rolled_back"), timeout=30)
    for receiver in (steady, flaky):
        request = receiver.events("canary.rolled_back")[0]
        assert signed_correctly(request)
        body = json.loads(request["body"])
        assert body["event"] == "canary.rolled_back" and body["tenant"] == "default"
        assert body["details"]["candidate"] == str(worse)
    assert flaky.events("canary.rolled_back")[0]["attempt"] == 3

    # A candidate on the good model passes every check and is promoted to the whole label.
    better = rag_flow_with_model(base, None, "the same flow, saved again")
    started = requests.post(base + "/v1/admin/flows/rag/labels/production/analysis", headers=HEADERS,
                            json={"candidate": better}, timeout=10)
    assert started.status_code == 201, started.text
    done = wait_until(lambda: analysis(base)["status"] != "running" and analysis(base), timeout=120, feed=traffic(base))
    assert done["status"] == "promoted", done["decisions"][-3:]
    assert production_split(base) == [{"version": better, "weight": 100}]
    wait_until(lambda: steady.events("canary.promoted"), timeout=30)
    assert not flaky.events("canary.promoted"), "the flaky receiver takes only rollbacks and tests"

    # A trace of a sampled answer carries its judges' scores.
    answer = ask(base, questions()[0])
    trace_id = answer["trace_id"]
    scored = wait_until(lambda: (t := requests.get(base + f"/v1/traces/{trace_id}", headers=HEADERS, timeout=10).json())
                        .get("quality", {}).get("judgement") == "scored" and t, timeout=30)
    assert 0 <= scored["quality"]["groundedness"] <= 1

    # The signals are Prometheus series, per tenant, flow and label.
    metrics = requests.get(base + "/metrics", headers=HEADERS, timeout=10).text
    series = [line for line in metrics.splitlines() if line.startswith("pillar_quality_signal{")]
    assert any('signal="groundedness"' in line and 'flow="rag"' in line and 'label="production"' in line
               and 'tenant="default"' in line for line in series), series
    assert "pillar_canary_weight" in metrics

    # Every series the shipped Prometheus rules read is one the server exports (the judge-failure counter
    # appears only once a judge call has failed).
    rules = yaml.safe_load((REPO / "deploy" / "prometheus" / "pillar-alerts.yml").read_text())
    for rule in rules["groups"][0]["rules"]:
        assert rule["alert"] and rule["expr"] and rule["annotations"]["summary"]
        for name in re.findall(r"pillar_[a-z_]+", rule["expr"]):
            assert name in metrics or name == "pillar_quality_judge_failures_total", (rule["alert"], name)


def test_a_test_alert_reaches_the_webhooks_and_reports_each_delivery(server):
    base, steady, flaky, _ = server
    response = requests.post(base + "/v1/admin/monitors/query-drift/test", headers=HEADERS, timeout=60)
    assert response.status_code == 200, response.text
    deliveries = {d["endpoint"]: d for d in response.json()["deliveries"]}
    assert deliveries["steady"]["delivered"] and deliveries["steady"]["attempts"] == 1
    assert deliveries["flaky"]["delivered"] and deliveries["flaky"]["attempts"] == 3
    assert signed_correctly(steady.events("test")[-1])
    missing = requests.post(base + "/v1/admin/monitors/no-such-monitor/test", headers=HEADERS, timeout=10)
    assert missing.status_code == 404


def test_query_drift_alerts_for_another_topic_and_not_for_more_of_the_same(server):
    base, steady, _, _ = server
    # A label of its own, so that the drift test compares only its own questions.
    labelled = requests.put(base + "/v1/admin/flows/rag/labels/drift", headers=HEADERS, json={"version": 1}, timeout=10)
    assert labelled.status_code == 200, labelled.text

    def ask_on_label(question):
        response = requests.post(base + "/v1/chat", headers=HEADERS, json={"message": question, "label": "drift"},
                                 timeout=60)
        assert response.status_code == 200, response.text

    def drift_scope():
        view = requests.get(base + "/v1/admin/monitors/query-drift", headers=HEADERS, timeout=10).json()
        return next((s for s in view["scopes"] if s["flow"] == "rag" and s["label"] == "drift"), None)

    # Two draws from the same pool of questions: the same distribution.
    pool = questions()
    chooser = random.Random(7)
    for question in chooser.sample(pool, 20):
        ask_on_label(question)
    time.sleep(5)  # past the 4 s current window: these become the reference
    for question in chooser.sample(pool, 20):
        ask_on_label(question)
    time.sleep(1.5)
    scope = wait_until(lambda: (s := drift_scope()) and s["state"]["last_value"] is not None and s, timeout=20)
    assert scope["state"]["level"] == "ok", scope
    assert scope["state"]["last_value"] > 0.001, scope

    time.sleep(5)
    for question in OTHER_TOPIC + OTHER_TOPIC[:4]:
        ask_on_label(question)
    scope = wait_until(lambda: (s := drift_scope()) and s["state"]["level"] == "alert" and s, timeout=20)
    assert scope["state"]["last_value"] < 0.001
    wait_until(lambda: any(json.loads(r["body"])["details"].get("monitor") == "query-drift"
                           and json.loads(r["body"])["details"].get("label") == "drift"
                           for r in steady.events("monitor.state")), timeout=20)


def test_monitor_routes_are_for_admins_and_refuse_bad_analysis_requests(server):
    base, *_ = server
    created = requests.post(base + "/v1/admin/keys", headers=HEADERS, json={"name": "reader", "role": "user"}, timeout=10)
    assert created.status_code == 201, created.text
    user = {"Authorization": f"Bearer {created.json()['secret']}"}
    assert requests.get(base + "/v1/admin/monitors", headers=user, timeout=10).status_code == 403
    assert requests.get(base + "/v1/admin/monitors", timeout=10).status_code == 401
    listing = requests.get(base + "/v1/admin/monitors", headers=HEADERS, timeout=10).json()
    assert {m["spec"]["name"] for m in listing["data"]} == {"query-drift", "groundedness-low"}
    for body, code in [({"candidate": 1, "steps": [50, 20]}, "invalid_steps"), ({"candidate": 999}, None),
                       ({"candidate": 2, "checks": [{"signal": "nope", "tolerance": 0.1}]}, "invalid_checks"),
                       ({"candidate": 2, "interval_seconds": 0}, "invalid_interval")]:
        response = requests.post(base + "/v1/admin/flows/rag/labels/production/analysis", headers=HEADERS, json=body,
                                 timeout=10)
        assert response.status_code == 400, (body, response.text)
        if code:
            assert response.json()["error"]["code"] == code, response.text
    assert requests.post(base + "/v1/admin/flows/rag/labels/production/analysis/abort", headers=HEADERS,
                                         timeout=10).status_code == 404


def test_a_scheduled_evaluation_catches_decay_against_the_baseline(server):
    base, steady, _, _ = server
    dataset = "\n".join(json.dumps({"id": f"q{n}", "question": q, "expected_sources": [f"colonies/{a}.md"]})
                        for n, (q, (a, _, _)) in enumerate(zip(questions()[:8], COLONIES)))
    imported = requests.post(base + "/v1/admin/eval/datasets/colonies", headers=HEADERS, data=dataset, timeout=30)
    assert imported.status_code == 201, imported.text
    started = requests.post(base + "/v1/admin/eval/runs", headers=HEADERS, timeout=30,
                            json={"dataset": "colonies", "flow": "rag@production"})
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    wait_until(lambda: requests.get(base + f"/v1/admin/eval/runs/{run_id}", headers=HEADERS, timeout=10)
               .json()["status"] == "completed", timeout=60)
    marked = requests.post(base + f"/v1/admin/eval/runs/{run_id}/baseline", headers=HEADERS, timeout=10)
    assert marked.status_code in (200, 201), marked.text

    def scheduled_gates():
        gates = requests.get(base + "/v1/admin/eval/gates", headers=HEADERS, timeout=10).json()["data"]
        return [g for g in gates if g["created_by"] == "decay-evaluation"]

    # With production unchanged, the scheduled run passes its gate against the baseline.
    first = wait_until(scheduled_gates, timeout=60)
    assert first[0]["passed"], first[0]

    # Production moves to the degraded model: the next scheduled run fails the gate and raises a decay alert.
    worse = rag_flow_with_model(base, "degraded-model", "decayed")
    moved = requests.put(base + "/v1/admin/flows/rag/labels/production", headers=HEADERS, json={"version": worse}, timeout=10)
    assert moved.status_code == 200, moved.text
    failed = wait_until(lambda: [g for g in scheduled_gates() if not g["passed"]], timeout=90)
    assert failed[0]["requirement"] == "groundedness>=baseline-0.25"
    alert = wait_until(lambda: [json.loads(r["body"]) for r in steady.events("decay.alert")
                                if json.loads(r["body"])["severity"] == "alert"], timeout=30)[0]
    assert alert["details"]["dataset"] == "colonies" and alert["details"]["gate"] == failed[0]["id"]


def test_the_cli_shows_monitors_and_each_labels_analysis(server):
    base, _, _, process = server
    env = dict(os.environ, PILLAR_API_KEY=ADMIN_KEY, PILLAR_URL=base)
    listed = subprocess.run([PILLAR_BIN, "monitors", "list"], env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "query-drift\tquery_drift_p_value" in listed.stdout and "groundedness-low" in listed.stdout
    shown = subprocess.run([PILLAR_BIN, "monitors", "show", "query-drift"], env=env, capture_output=True, text=True,
                           timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "default\trag\tdrift\talert" in shown.stdout, shown.stdout
    tested = subprocess.run([PILLAR_BIN, "monitors", "test", "query-drift", "--webhook", "steady"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert tested.returncode == 0 and "steady\tdelivered\tattempts 1" in tested.stdout, tested.stdout + tested.stderr
    missing = subprocess.run([PILLAR_BIN, "monitors", "show", "nope"], env=env, capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "not_found" in missing.stderr

    status = subprocess.run([PILLAR_BIN, "flows", "status", "rag", "--data-dir", process.data_dir], env=env,
                            capture_output=True, text=True, timeout=60)
    assert status.returncode == 0, status.stderr
    assert "label production=" in status.stdout
    assert "promoted, step 1 of 1 at 100%" in status.stdout, status.stdout
    assert "label drift=1" in status.stdout and "no canary analysis" in status.stdout


def test_under_require_eval_an_analysis_may_not_bring_an_ungated_version_into_production():
    good, good_url = start_simulator("--ttft-ms", "0", "--tokens-per-second", "5000")
    config = {"deployments": [{"name": "sim", "baseURL": good_url, "model": "simulated", "models": ["gpt-4o-mini", "sim-embed"]}],
              "retrieval": {"embeddingModel": "sim-embed"}, "promotion": {"tenantDefault": {"requireEval": True}}}
    process, base = start_pillar(config)
    try:
        version = rag_flow_with_model(base, None, "not evaluated")
        refused = requests.post(base + "/v1/admin/flows/rag/labels/production/analysis", headers=HEADERS,
                                json={"candidate": version}, timeout=10)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "evaluation_required", refused.text
        labels = requests.get(base + "/v1/admin/flows/rag", headers=HEADERS, timeout=10).json()["labels"]
        assert next(l["split"] for l in labels if l["label"] == "production") == [{"version": 1, "weight": 100}]
        assert requests.get(base + "/v1/admin/flows/rag/labels/production/analysis", headers=HEADERS,
                                          timeout=10).status_code == 404
        # Another label is not gated: a staging canary may run.
        requests.put(base + "/v1/admin/flows/rag/labels/staging", headers=HEADERS, json={"version": 1}, timeout=10)
        assert requests.post(base + "/v1/admin/flows/rag/labels/staging/analysis", headers=HEADERS,
                             json={"candidate": version}, timeout=10).status_code == 201
    finally:
        process.stop()
        good.stop()


def test_pillar_monitors_listen_prints_signed_alerts_and_refuses_forged_ones():
    port = free_port()
    env = {"PILLAR_WEBHOOK_SECRET": SECRET}
    listener = Process([PILLAR_BIN, "monitors", "listen", "--port", str(port), "--secret-env", "PILLAR_WEBHOOK_SECRET"],
                       env=env, name="listen")
    good, good_url = start_simulator("--ttft-ms", "0")
    config = {"deployments": [{"name": "sim", "baseURL": good_url, "model": "simulated", "models": ["gpt-4o-mini"]}],
              "monitoring": {"webhooks": [{"name": "listen", "url": f"http://127.0.0.1:{port}/hook",
                                           "secretEnv": "PILLAR_WEBHOOK_SECRET"}]}}
    process, base = start_pillar(config, env=env)
    try:
        wait_until(lambda: "listening for alerts" in listener.stdout, timeout=20)
        response = requests.post(base + "/v1/admin/monitors/groundedness-low/test", headers=HEADERS, timeout=30)
        assert response.status_code == 200 and response.json()["deliveries"][0]["delivered"], response.text
        wait_until(lambda: "\ttest\tinfo\tsignature ok\ttenant default\tTest alert for monitor groundedness-low"
                   in listener.stdout, timeout=20)
        forged = requests.post(f"http://127.0.0.1:{port}/hook", data=b'{"event": "test"}', timeout=10, headers={
            "X-Pillar-Event": "test", "X-Pillar-Timestamp": str(int(time.time())), "X-Pillar-Signature": "sha256=00"})
        assert forged.status_code == 401
        wait_until(lambda: "refused: signature BAD" in listener.stdout, timeout=10)
    finally:
        process.stop()
        good.stop()
        listener.stop()
