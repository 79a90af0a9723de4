"""A canary analysis when things go wrong around it: with the judge model down it pauses at its weight (and says
so to the webhook) instead of deciding on missing scores; after a restart of the server it is still there and,
with the judge back, resumes and finishes. The judge is a simulator that answers every call with 503."""
import json
import time

import requests

from conftest import ADMIN_KEY, start_pillar, start_simulator
from test_quality_monitoring import COLONIES, Receiver, ask, questions, wait_until

HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}


def config(good_url, judge_url, receiver, judge_model):
    return {
        "deployments": [
            {"name": "sim", "baseURL": good_url, "model": "simulated", "models": ["gpt-4o-mini", "sim-embed"]},
            {"name": "judge-down", "baseURL": judge_url, "model": "simulated", "models": ["broken-judge"]},
        ],
        "retrieval": {"embeddingModel": "sim-embed"}, "flows": {"defaultModel": "gpt-4o-mini"},
        "monitoring": {
            "sampling": {"rate": 1.0}, "judgeModel": judge_model, "evaluationIntervalSeconds": 0.5,
            "canary": {"tickSeconds": 0.2, "intervalSeconds": 2, "minimumSamples": 6, "steps": [50], "failureLimit": 2},
            "webhooks": [{"name": "steady", "url": receiver.url}],
        },
    }


def analysis(base):
    return requests.get(base + "/v1/admin/flows/rag/labels/production/analysis", headers=HEADERS, timeout=10).json()


def test_a_judge_outage_pauses_the_analysis_and_a_restart_resumes_it():
    good, good_url = start_simulator("--ttft-ms", "0", "--tokens-per-second", "5000")
    broken, broken_url = start_simulator("--fail-status", "503")
    receiver = Receiver()
    process, base = start_pillar(config(good_url, broken_url, receiver, "broken-judge"))
    data_dir = process.data_dir
    try:
        for animal, island, members in COLONIES:
            assert requests.post(base + "/v1/documents", headers=HEADERS, timeout=60, json={
                "source": f"colonies/{animal}.md", "title": animal,
                "content": f"The {animal} colony on {island} has {members} breeding pairs."}).status_code == 201
        shipped = requests.get(base + "/v1/admin/flows/rag/versions/1", headers=HEADERS, timeout=10).json()["body"]
        saved = requests.post(base + "/v1/admin/flows", headers=HEADERS, json={"yaml": shipped, "note": "again"}, timeout=10)
        candidate = saved.json()["version"]
        started = requests.post(base + "/v1/admin/flows/rag/labels/production/analysis", headers=HEADERS,
                                json={"candidate": candidate}, timeout=10)
        assert started.status_code == 201, started.text

        for question in questions()[:6]:
            ask(base, question)
        paused = wait_until(lambda: (a := analysis(base))["status"] == "paused" and a, timeout=60)
        assert paused["weight"] == 50, "a pause holds the weight it had"
        assert "judge" in paused["decisions"][-1]["reason"]
        wait_until(lambda: receiver.events("canary.paused"), timeout=20)
        labels = requests.get(base + "/v1/admin/flows/rag", headers=HEADERS, timeout=10).json()["labels"]
        split = next(label["split"] for label in labels if label["label"] == "production")
        assert sorted((s["version"], s["weight"]) for s in split) == [(1, 50), (candidate, 50)]
    finally:
        process.stop()

    # The same data directory, the judge back: the analysis is still there and finishes.
    process, base = start_pillar(config(good_url, broken_url, receiver, "gpt-4o-mini"), data_dir=data_dir)
    try:
        # Still the same analysis; a new process presumes the judge is back, so it resumes at once.
        assert analysis(base)["id"] == paused["id"]
        batch = questions()
        position = {"next": 0}

        def feed():
            for _ in range(6):
                ask(base, batch[position["next"] % len(batch)])
                position["next"] += 1

        done = wait_until(lambda: (a := analysis(base))["status"] not in ("running", "paused") and a, timeout=120,
                          feed=feed)
        actions = [d["action"] for d in done["decisions"]]
        assert done["status"] == "promoted", done["decisions"][-3:]
        assert actions.index("resume") > actions.index("pause")
        wait_until(lambda: receiver.events("canary.promoted"), timeout=20)
        body = json.loads(receiver.events("canary.promoted")[0]["body"])
        assert body["details"]["candidate"] == str(candidate)
    finally:
        process.stop()
        good.stop()
        broken.stop()
        receiver.stop()


def test_a_webhook_that_never_answers_does_not_hold_the_shutdown():
    import socket
    import threading

    # Accepts connections and never answers: every delivery attempt waits for its timeout.
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(64)
    held = []
    threading.Thread(target=lambda: [held.append(hole.accept()) for _ in iter(int, 1)], daemon=True).start()
    failing, failing_url = start_simulator("--fail-status", "500")
    config = {"deployments": [{"name": "down", "baseURL": failing_url, "model": "simulated", "models": ["gpt-4o-mini"]}],
              "flows": {"defaultModel": "gpt-4o-mini"},
              "monitoring": {"evaluationIntervalSeconds": 0.2,
                             "monitors": [{"name": "errors", "signal": "error_rate", "alert": 0.5, "minimumSamples": 1}],
                             "webhooks": [{"name": "hole", "url": f"http://127.0.0.1:{hole.getsockname()[1]}/hook",
                                           "timeoutSeconds": 10, "maxAttempts": 6}]}}
    process, base = start_pillar(config)
    try:
        response = requests.post(base + "/v1/chat", headers=HEADERS, json={"message": "anything"}, timeout=60)
        assert response.status_code >= 400  # the answer fails: an error for the error-rate monitor
        wait_until(lambda: requests.get(base + "/v1/admin/monitors/errors", headers=HEADERS, timeout=10)
                   .json()["level"] == "alert", timeout=30)
        wait_until(lambda: held, timeout=10)  # the alert's first delivery attempt is waiting
    finally:
        started = time.monotonic()
        process.stop(timeout=30)
        stopped_in = time.monotonic() - started
        failing.stop()
        hole.close()
    assert process.popen.returncode == 0, process.stderr[-2000:]
    assert stopped_in < 20, f"shutdown took {stopped_in:.1f} s"
    assert "alert dispatcher stopped with undelivered events" in process.stderr or "webhook delivery failed" in process.stderr
