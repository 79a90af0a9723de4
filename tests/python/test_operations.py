"""Operating the binary: the first key, the keys command, JSON logs with trace ids, OTLP export,
and a graceful shutdown that lets in-flight streams finish."""
import json
import signal
import subprocess
import time

import requests

from conftest import ADMIN_KEY, PILLAR_BIN, QuietHandler, serve_http, start_pillar, start_simulator


def sim_config(url):
    return {"deployments": [{"name": "sim", "baseURL": url, "model": "simulated"}]}


def test_first_admin_key_is_generated_and_printed_once(simulator):
    process, base = start_pillar(sim_config(simulator), env={"PILLAR_BOOTSTRAP_KEY": None})
    try:
        time.sleep(0.2)
        printed = [word for word in process.stdout.split() if word.startswith("pk-")]
        assert len(printed) == 1, process.stdout
        key = printed[0]
        assert requests.get(base + "/v1/models", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        assert key not in process.stderr, "the key must never reach the logs"
    finally:
        process.stop()
    again, _ = start_pillar(sim_config(simulator), env={"PILLAR_BOOTSTRAP_KEY": None}, data_dir=process.data_dir)
    try:
        assert "pk-" not in again.stdout, "the first key is shown once, not on every start"
    finally:
        again.stop()


def test_keys_command_creates_lists_and_revokes(pillar):
    def keys(*args):
        return subprocess.run([PILLAR_BIN, "keys", *args, "--data-dir", pillar.data_dir],
                              capture_output=True, text=True, check=True).stdout

    created = keys("create", "--tenant", "acme", "--name", "ci-bot", "--role", "user")
    secret = next(line.split()[-1] for line in created.splitlines() if line.startswith("key:"))
    key_id = next(line.split()[-1] for line in created.splitlines() if line.startswith("id:"))
    headers = {"Authorization": f"Bearer {secret}"}
    assert requests.get(pillar.base + "/v1/models", headers=headers).status_code == 200
    listing = keys("list", "--tenant", "acme")
    assert key_id in listing and secret not in listing
    keys("revoke", key_id)
    # The running server remembers a valid key for server.apiKeyCacheSeconds (5 s by default), so a key revoked
    # by another process stops working within that time, not necessarily at once.
    deadline = time.monotonic() + 15
    response = requests.get(pillar.base + "/v1/models", headers=headers)
    while response.status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.25)
        response = requests.get(pillar.base + "/v1/models", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"


class CollectorHandler(QuietHandler):
    received: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        CollectorHandler.received.append((self.path, self.headers.get("Content-Type"), body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()


def test_json_logs_carry_trace_ids_and_spans_are_exported_over_otlp(simulator):
    collector = serve_http(CollectorHandler)
    endpoint = f"http://127.0.0.1:{collector.server_address[1]}"
    process, base = start_pillar(sim_config(simulator), env={
        "PILLAR_SERVER_LOG_FORMAT": "json", "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200"})
    try:
        response = requests.post(base + "/v1/chat/completions", headers={"Authorization": f"Bearer {ADMIN_KEY}"},
                                 json={"model": "sim", "messages": [{"role": "user", "content": "trace me"}]})
        assert response.status_code == 200
        trace_id = response.headers["x-trace-id"]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(b"gen_ai.operation.name" in body for _, _, body in CollectorHandler.received):
            time.sleep(0.1)
    finally:
        process.stop()
        collector.shutdown()
    exported = [entry for entry in CollectorHandler.received if entry[0] == "/v1/traces"]
    assert exported, "no spans reached the OTLP collector"
    assert all(content_type == "application/x-protobuf" for _, content_type, _ in exported)
    spans = b"".join(body for _, _, body in exported)
    for attribute in [b"gen_ai.operation.name", b"gen_ai.usage.output_tokens", b"gen_ai.request.model", b"authenticate"]:
        assert attribute in spans, attribute
    assert bytes.fromhex(trace_id) in spans, "the trace id the client saw is the exported one"

    lines = [json.loads(line) for line in process.stderr.splitlines() if line.startswith("{")]
    assert lines, process.stderr[-2000:]
    turn = next(line for line in lines if line["message"] == "turn")
    assert turn["trace_id"] == trace_id
    assert turn["tenant"] == "default" and turn["completion_tokens"] == "3"
    assert ADMIN_KEY not in process.stderr
    assert "trace me" not in process.stderr, "conversation text is not logged"


def test_sigterm_lets_an_in_flight_stream_finish():
    slow, slow_url = start_simulator("--ttft-ms", "50", "--tokens-per-second", "20",
                                     "--reply", " ".join(f"word{i}" for i in range(30)))
    process, base = start_pillar(sim_config(slow_url))
    try:
        response = requests.post(base + "/v1/chat/completions", stream=True,
                                 headers={"Authorization": f"Bearer {ADMIN_KEY}"},
                                 json={"model": "sim", "stream": True, "messages": [{"role": "user", "content": "go"}]})
        lines = response.iter_lines()
        first = next(line for line in lines if line)
        assert first.startswith(b"data: ")
        process.popen.send_signal(signal.SIGTERM)
        rest = [line for line in lines if line]
        assert rest[-1] == b"data: [DONE]", rest[-3:]
        text = "".join(
            (json.loads(line[6:])["choices"] or [{}])[0].get("delta", {}).get("content") or ""
            for line in [first, *rest[:-1]])
        assert text.split() == [f"word{i}" for i in range(30)]
        assert process.popen.wait(timeout=20) == 0
    finally:
        process.stop()
        slow.stop()


def test_every_flow_node_is_an_exported_span(simulator):
    CollectorHandler.received = []
    collector = serve_http(CollectorHandler)
    config = {"deployments": [{"name": "sim", "baseURL": simulator, "model": "simulated", "models": ["sim", "sim-embed"]}],
              "retrieval": {"embeddingModel": "sim-embed"}}
    process, base = start_pillar(config, env={
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.server_address[1]}", "OTEL_BSP_SCHEDULE_DELAY": "200"})
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    try:
        ingested = requests.post(base + "/v1/documents", headers=headers, timeout=30,
                                 json={"source": "faq.md", "content": "# FAQ\n\nThe office opens at nine in the morning."})
        assert ingested.status_code == 201, ingested.text
        answer = requests.post(base + "/v1/chat", headers=headers, json={"message": "When does the office open?"}, timeout=30)
        assert answer.status_code == 200, answer.text
        trace = requests.get(base + "/v1/traces/" + answer.json()["trace_id"], headers=headers, timeout=10).json()
        names = [b"flow rag", b"flow.node check_question", b"flow.node retrieve", b"flow.node grounded",
                 b"flow.node answer", b"retrieve", b"gen_ai.operation.name"]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(
                name in b"".join(body for _, _, body in CollectorHandler.received) for name in names):
            time.sleep(0.1)
    finally:
        process.stop()
        collector.shutdown()
    spans = b"".join(body for path, _, body in CollectorHandler.received if path == "/v1/traces")
    for name in names:
        assert name in spans, name
    # The answer's trace names the OpenTelemetry trace its spans belong to.
    assert bytes.fromhex(trace["telemetry_trace_id"]) in spans
    assert b"flow.node condense" not in spans, "a skipped node is in the trace, not a span"
