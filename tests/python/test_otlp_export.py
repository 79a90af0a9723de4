"""With `OTEL_EXPORTER_OTLP_ENDPOINT` set, traces, metrics and logs all reach an OTLP/HTTP receiver, and the logs
written while a request was served carry that request's trace id, so one backend can join the three. The
receiver is a real HTTP server decoding the OTLP protobuf messages with the project's own `opentelemetry-proto`."""
import threading
import time

import requests
from opentelemetry.proto.collector.logs.v1 import logs_service_pb2
from opentelemetry.proto.collector.metrics.v1 import metrics_service_pb2
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

from conftest import ADMIN_KEY, QuietHandler, serve_http, start_pillar, start_simulator

MESSAGES = {"/v1/traces": trace_service_pb2.ExportTraceServiceRequest,
            "/v1/metrics": metrics_service_pb2.ExportMetricsServiceRequest,
            "/v1/logs": logs_service_pb2.ExportLogsServiceRequest}


class OTLPReceiver:
    def __init__(self):
        self.received = {path: [] for path in MESSAGES}
        self.lock = threading.Lock()
        receiver = self

        class Handler(QuietHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                message = MESSAGES.get(self.path)
                if message is None:
                    self.send_response(404)
                else:
                    parsed = message()
                    parsed.ParseFromString(body)
                    with receiver.lock:
                        receiver.received[self.path].append(parsed)
                    self.send_response(200)
                    self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = serve_http(Handler)
        self.port = self.server.server_address[1]

    def spans(self):
        with self.lock:
            return [span for request in self.received["/v1/traces"] for resource in request.resource_spans
                    for scope in resource.scope_spans for span in scope.spans]

    def metric_names(self):
        with self.lock:
            return {metric.name for request in self.received["/v1/metrics"] for resource in request.resource_metrics
                    for scope in resource.scope_metrics for metric in scope.metrics}

    def log_records(self):
        with self.lock:
            return [record for request in self.received["/v1/logs"] for resource in request.resource_logs
                    for scope in resource.scope_logs for record in scope.log_records]


def wait_for(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"not received in {timeout}s")


def test_traces_metrics_and_logs_reach_one_otlp_receiver_joined_by_trace_id():
    receiver = OTLPReceiver()
    simulator, url = start_simulator("--ttft-ms", "0", "--tokens-per-second", "5000")
    config = {"deployments": [{"name": "sim", "baseURL": url, "model": "simulated", "models": ["gpt-4o-mini"]}],
              "server": {"logLevel": "debug"}}
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{receiver.port}", "OTEL_METRIC_EXPORT_INTERVAL": "500",
           "OTEL_BSP_SCHEDULE_DELAY": "200", "OTEL_BLRP_SCHEDULE_DELAY": "200"}
    process, base = start_pillar(config, env=env)
    try:
        response = requests.post(base + "/v1/chat/completions", headers={"Authorization": f"Bearer {ADMIN_KEY}"},
                                 json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello"}]},
                                 timeout=30)
        assert response.status_code == 200, response.text
        trace_id = response.headers["x-trace-id"]

        wait_for(lambda: any(span.trace_id.hex() == trace_id for span in receiver.spans()))
        wait_for(lambda: any(name.startswith("pillar_") for name in receiver.metric_names()))
        wait_for(lambda: any(record.trace_id.hex() == trace_id for record in receiver.log_records()))
        record = next(r for r in receiver.log_records() if r.trace_id.hex() == trace_id)
        assert record.span_id and record.body.string_value
        # Prometheus keeps working beside the OTLP export.
        metrics = requests.get(base + "/metrics", headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=10)
        assert metrics.status_code == 200 and "pillar_" in metrics.text
    finally:
        process.stop()
        simulator.stop()
        receiver.server.shutdown()
