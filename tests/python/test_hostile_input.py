"""Hostile input against the real binary: generated bodies (Hypothesis) for every JSON route, hostile path
parameters and queries for every other route, and the payloads that once crashed or held the server (deep
nesting, huge templates, control characters, invalid UTF-8, oversized heads, slow clients). Whatever arrives,
the answer is never a 5xx, never a hang and never an empty or non-JSON error; and the process that answers
/healthz at the end is the one that started.

The examples are derandomized (the same ones on every run) so that CI is reproducible; the route list is kept
here and checked against the routes the server logs at start, so a new route cannot go untested."""
import json
import socket
import time
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ADMIN_KEY, start_pillar

AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}

# Every route the server has: (method, path) -> the keys its JSON body knows, or None for routes without one.
# Bodies get these keys (with any values) more often than others, so generation reaches past the decoder.
ROUTES = {
    ("GET", "/healthz"): None,
    ("GET", "/readyz"): None,
    ("GET", "/metrics"): None,
    ("POST", "/v1/chat/completions"): ["model", "messages", "stream", "temperature", "max_tokens", "top_p", "n",
                                       "stop", "tools", "user", "stream_options", "response_format"],
    ("GET", "/v1/models"): None,
    ("POST", "/openai/deployments/{deployment}/chat/completions"): ["messages", "stream", "max_tokens", "temperature"],
    ("POST", "/openai/deployments/{deployment}/embeddings"): ["input", "encoding_format", "dimensions"],
    ("POST", "/openai/v1/chat/completions"): ["model", "messages", "stream", "max_tokens", "temperature"],
    ("POST", "/openai/v1/embeddings"): ["model", "input", "encoding_format"],
    ("GET", "/openai/v1/models"): None,
    ("POST", "/v1/embeddings"): ["model", "input", "encoding_format", "dimensions", "user"],
    ("POST", "/v1/chat"): ["message", "conversation_id", "flow", "label", "stream"],
    ("GET", "/v1/conversations"): None,
    ("GET", "/v1/conversations/{id}"): None,
    ("PATCH", "/v1/conversations/{id}"): ["title"],
    ("DELETE", "/v1/conversations/{id}"): None,
    ("GET", "/v1/traces"): None,
    ("GET", "/v1/traces/{id}"): None,
    ("POST", "/v1/feedback"): ["trace_id", "rating", "thumbs", "comment", "include_conversation"],
    ("GET", "/v1/me"): None,
    ("GET", "/v1/me/consent"): None,
    ("GET", "/auth/session"): None,
    ("GET", "/auth/sign-in"): None,
    ("GET", "/auth/callback"): None,
    ("POST", "/auth/sign-out"): None,
    ("PUT", "/v1/me/consent"): ["share_conversations"],
    ("GET", "/v1/admin/feedback"): None,
    ("POST", "/v1/admin/subjects/{subject}/erasure"): None,
    ("POST", "/v1/documents"): ["source", "title", "format", "content", "content_base64", "acl"],
    ("GET", "/v1/documents"): None,
    ("GET", "/v1/documents/samples"): None,
    ("POST", "/v1/documents/samples"): None,
    ("GET", "/v1/documents/{id}"): None,
    ("DELETE", "/v1/documents/{id}"): None,
    ("POST", "/v1/search"): ["query", "mode", "top_k", "keyword_weight", "vector_weight"],
    ("POST", "/v1/admin/keys"): ["name", "role"],
    ("GET", "/v1/admin/keys"): None,
    ("DELETE", "/v1/admin/keys/{id}"): None,
    ("GET", "/v1/admin/turns"): None,
    ("GET", "/v1/admin/gateway"): None,
    ("GET", "/v1/admin/usage"): None,
    ("GET", "/v1/admin/audit"): None,
    ("GET", "/v1/admin/audit/verification"): None,
    ("GET", "/v1/admin/budgets"): None,
    ("GET", "/v1/admin/eval/datasets"): None,
    ("GET", "/v1/admin/eval/datasets/{name}"): None,
    ("POST", "/v1/admin/eval/datasets/{name}"): None,
    ("GET", "/v1/admin/eval/datasets/{name}/export"): None,
    ("POST", "/v1/admin/eval/datasets/{name}/from-traces"): ["selection", "limit", "note"],
    ("POST", "/v1/admin/eval/runs"): ["dataset", "flow", "prompts", "model", "repeats", "concurrency", "groups", "metrics", "scorers"],
    ("GET", "/v1/admin/eval/runs"): None,
    ("GET", "/v1/admin/eval/runs/{id}"): None,
    ("GET", "/v1/admin/eval/runs/{id}/results"): None,
    ("GET", "/v1/admin/eval/runs/{id}/report"): None,
    ("POST", "/v1/admin/eval/runs/{id}/resume"): None,
    ("POST", "/v1/admin/eval/runs/{id}/cancel"): None,
    ("POST", "/v1/admin/eval/runs/{id}/baseline"): None,
    ("GET", "/v1/admin/eval/baselines"): None,
    ("GET", "/v1/admin/eval/compare"): None,
    ("POST", "/v1/admin/eval/gates"): ["candidate", "baseline", "require"],
    ("GET", "/v1/admin/eval/gates"): None,
    ("GET", "/v1/admin/monitors"): None,
    ("GET", "/v1/admin/monitors/{name}"): None,
    ("POST", "/v1/admin/monitors/{name}/test"): ["webhook"],
    ("GET", "/v1/admin/review"): None,
    ("GET", "/v1/admin/review/checks"): None,
    ("GET", "/v1/admin/isolation-probe"): None,
    ("POST", "/v1/admin/isolation-probe"): None,
    ("GET", "/v1/admin/load-tests"): None,
    ("POST", "/v1/admin/load-tests"): ["tool", "target", "requests_per_second", "p95_ms", "error_rate", "duration_seconds",
                                       "concurrency"],
}
for library, body_keys in [("prompts", ["name", "note", "prompt"]), ("flows", ["name", "note", "yaml"])]:
    ROUTES.update({
        ("GET", f"/v1/admin/{library}"): None,
        ("POST", f"/v1/admin/{library}"): body_keys,
        ("GET", f"/v1/admin/{library}/{{name}}"): None,
        ("GET", f"/v1/admin/{library}/{{name}}/versions/{{version}}"): None,
        ("GET", f"/v1/admin/{library}/{{name}}/diff"): None,
        ("PUT", f"/v1/admin/{library}/{{name}}/labels/{{label}}"): ["version", "split"],
        ("POST", f"/v1/admin/{library}/{{name}}/labels/{{label}}/rollback"): None,
        ("POST", f"/v1/admin/{library}/{{name}}/promote"): ["from", "to"],
        ("POST", f"/v1/admin/{library}/{{name}}/labels/{{label}}/analysis"): ["candidate", "steps", "interval_seconds",
                                                                        "minimum_samples", "failure_limit", "checks"],
        ("GET", f"/v1/admin/{library}/{{name}}/labels/{{label}}/analysis"): None,
        ("POST", f"/v1/admin/{library}/{{name}}/labels/{{label}}/analysis/abort"): None,
    })
JSON_ROUTES = sorted(route for route, keys in ROUTES.items() if keys is not None)
OTHER_ROUTES = sorted(route for route, keys in ROUTES.items() if keys is None)

HYPOTHESIS = settings(deadline=None, derandomize=True, database=None, max_examples=30,
                      suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def server(simulator):
    config = {
        "server": {"readTimeoutSeconds": 2, "idleTimeoutSeconds": 2, "logLevel": "debug", "logFormat": "json"},
        "deployments": [{"name": "sim", "baseURL": simulator, "model": "simulated", "models": ["gpt-4o-mini", "sim-embed"]}],
        "retrieval": {"embeddingModel": "sim-embed"}, "flows": {"defaultModel": "gpt-4o-mini"},
    }
    process, base = start_pillar(config)
    process.base = base
    process.port = int(base.rsplit(":", 1)[1])
    process.first_pid = process.popen.pid
    yield process
    alive = process.popen.poll() is None
    process.stop()
    assert alive, f"the server died during the suite:\n{process.stderr[-4000:]}"


def send(server, method, path, body=None, content_type="application/json", headers=None):
    all_headers = dict(AUTH)
    if body is not None and content_type is not None:
        all_headers["Content-Type"] = content_type
    all_headers.update(headers or {})
    try:
        response = requests.request(method, server.base + path, data=body, headers=all_headers, timeout=20)
    except requests.RequestException as error:
        raise AssertionError(f"{method} {path} got no answer ({error}); server alive: {server.popen.poll() is None}")
    assert_well_answered(response, f"{method} {path}")
    return response


def assert_well_answered(response, label):
    assert response.status_code < 500, f"{label}: {response.status_code} {response.text[:500]}"
    if response.status_code >= 400:
        assert response.headers.get("content-type", "").startswith("application/json"), f"{label}: {response.headers}"
        error = response.json().get("error")
        assert isinstance(error, dict), f"{label}: {response.text[:500]}"
        assert isinstance(error.get("code"), str) and error["code"], f"{label}: {response.text[:500]}"
        assert isinstance(error.get("message"), str) and error["message"], f"{label}: {response.text[:500]}"


# MARK: strategies

json_scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64)
                | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40))
json_values = st.recursive(json_scalars, lambda children: st.lists(children, max_size=4)
                           | st.dictionaries(st.text(max_size=12), children, max_size=4), max_leaves=12)
names = st.sampled_from(["gpt-4o-mini", "sim-embed", "pillar:rag", "rag", "nope", "", "user", "admin", "keyword"])
control_text = st.text(st.characters(min_codepoint=0, max_codepoint=0x9F), min_size=1, max_size=20)
path_parameters = (st.text(max_size=30) | control_text | st.sampled_from(["..", "%00", "%FF%FE", "a" * 5000, "0", "-1"]))


def steered_objects(keys):
    """Objects with the route's own keys (values of any type, or plausible ones), sometimes with others."""
    value = json_values | names | control_text | st.integers(min_value=-3, max_value=300)
    return st.fixed_dictionaries({}, optional={key: value for key in keys}) | st.dictionaries(st.text(max_size=12), value, max_size=5)


def deep(depth, closed):
    opening, closing = ('{"a":', "}") if depth % 2 else ("[", "]")
    return opening * depth + "1" + (closing * depth if closed else "")


def bodies(keys):
    encoded = steered_objects(keys).map(lambda value: json.dumps(value).encode())
    return st.one_of(
        encoded,
        encoded,
        json_values.map(lambda value: json.dumps(value).encode()),
        st.binary(max_size=200),  # invalid UTF-8, not JSON
        control_text.map(lambda text: json.dumps({key: text for key in keys}).encode()),
        st.builds(deep, st.integers(min_value=1, max_value=20_000), st.booleans()).map(str.encode),
    )


content_types = st.sampled_from(["application/json", "application/json", "application/json; charset=utf-8",
                                 "text/plain", "application/yaml", "multipart/form-data; boundary=x", None])


def fill(path, parameter):
    """The path with every `{…}` replaced by the parameter, percent-encoded (or kept raw when it already is)."""
    value = parameter if parameter.startswith("%") else quote(parameter, safe="")
    while "{" in path:
        start = path.index("{")
        path = path[:start] + value + path[path.index("}", start) + 1:]
    return path


# MARK: the suite

def test_the_route_list_is_the_servers(server):
    lines = [json.loads(line) for line in server.stderr.splitlines() + server.stdout.splitlines() if line.startswith("{")]
    listed = {(line["method"], line["path"]) for line in lines if line.get("message") == "route"}
    assert listed, "the server logged no routes (it logs them at debug level when it starts)"
    listed = {(method, "/" + path.strip("/")) for method, path in listed}
    assert listed == set(ROUTES), (f"routes the suite does not test: {sorted(listed - set(ROUTES))}; "
                                   f"routes the server no longer has: {sorted(set(ROUTES) - listed)}")


# The health checks, and the sign-in routes: how a browser gets its credentials (they reach no model and no data).
OPEN_ROUTES = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/auth/session"), ("GET", "/auth/sign-in"),
               ("GET", "/auth/callback"), ("POST", "/auth/sign-out")}


@pytest.mark.parametrize("route", sorted(set(ROUTES) - OPEN_ROUTES), ids=lambda route: f"{route[0]} {route[1]}")
def test_every_route_but_the_health_checks_refuses_a_request_without_credentials(server, route):
    # What `pillar review`'s SE-01 says of the running server, checked over HTTP for every route it has.
    method, pattern = route
    response = requests.request(method, server.base + fill(pattern, "x"), data=b"{}",
                                headers={"Content-Type": "application/json"}, timeout=20)
    assert response.status_code == 401, f"{method} {pattern}: {response.status_code} {response.text[:200]}"
    assert response.json()["error"]["code"] == "missing_credentials"


@pytest.mark.parametrize("route", JSON_ROUTES, ids=lambda route: f"{route[0]} {route[1]}")
@HYPOTHESIS
@given(data=st.data())
def test_generated_bodies_never_get_a_server_error(server, route, data):
    method, pattern = route
    body = data.draw(bodies(ROUTES[route]), label="body")
    content_type = data.draw(content_types, label="content type")
    parameter = data.draw(st.sampled_from(["x", "default", "1"]) | path_parameters, label="path parameter")
    send(server, method, fill(pattern, parameter), body=body, content_type=content_type)


@pytest.mark.parametrize("route", OTHER_ROUTES, ids=lambda route: f"{route[0]} {route[1]}")
@HYPOTHESIS
@given(parameter=path_parameters, query=st.dictionaries(
    st.sampled_from(["limit", "after", "from", "to", "groupBy", "source_prefix", "note", "x"]),
    st.text(max_size=20) | st.sampled_from(["0", "-1", "99999999999999999999", "1e9", "%00"]), max_size=3))
def test_hostile_path_parameters_and_queries_never_get_a_server_error(server, route, parameter, query):
    method, pattern = route
    path = fill(pattern, parameter)
    if query:
        path += "?" + "&".join(f"{quote(key)}={value if value.startswith('%') else quote(value, safe='')}"
                               for key, value in query.items())
    send(server, method, path)


def nested_prompt(template):
    return json.dumps({"name": "hostile", "prompt": {"variables": [{"name": "a"}],
                                                     "messages": [{"role": "user", "template": template}]}})


@pytest.mark.parametrize("template, code", [
    ("{{#a}}" * 3000 + "x" + "{{/a}}" * 3000, "template_too_deep"),
    ("{{#a}}" * 10_000, "template_too_deep"),
    ("x" * 300_000 + "{{a}}", "template_too_large"),
], ids=["3000 nested sections", "10000 unclosed sections", "300 KB template"])
def test_the_prompts_that_crashed_the_server_are_refused(server, template, code):
    response = send(server, "POST", "/v1/admin/prompts", body=nested_prompt(template))
    assert response.status_code == 400 and response.json()["error"]["code"] == code, response.text[:300]


def test_the_flows_that_crashed_the_server_are_refused(server):
    template_flow = ("name: deep\nnodes:\n  t:\n    kind: template\n    template: \"" + "{{#a}}" * 5000 + "x"
                     + "{{/a}}" * 5000 + "\"\n    variables: {a: \"yes\"}\noutputs:\n  answer: ${t.output}\n")
    response = send(server, "POST", "/v1/admin/flows", body=template_flow, content_type="application/yaml")
    assert response.status_code == 400 and response.json()["error"]["code"] == "template_too_deep", response.text[:300]
    laughs = ["name: lol", "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    laughs += [f"x{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]" for level in range(1, 10)]
    for yaml in ["name: deep\nnodes: " + "[" * 5000 + "]" * 5000, "name: deep\nnodes: " + "{a: " * 900 + "1" + "}" * 900,
                 "\n".join(laughs)]:
        started = time.monotonic()
        response = send(server, "POST", "/v1/admin/flows", body=yaml, content_type="application/yaml")
        assert response.status_code == 400, response.text[:300]
        assert time.monotonic() - started < 10


@pytest.mark.parametrize("route", JSON_ROUTES, ids=lambda route: f"{route[0]} {route[1]}")
def test_deep_nesting_and_invalid_utf8_reach_every_json_route(server, route):
    method, pattern = route
    path = fill(pattern, "x")
    for body in [deep(100_000, True).encode(), deep(100_001, True).encode(), ("[" * 200_000).encode(),
                 b'{"a": "\xff\xfe\xc0\x80"}', b"\xef\xbb\xbf{}", '{"a": "\u0000\u001f\u007f"}'.encode()]:
        send(server, method, path, body=body)


@pytest.mark.parametrize("path", ["/app.js%00.html", "/app.js%00", "/%01", "/index.html%0d%0aSet-Cookie:%20x",
                                  "/v1/documents/%00", "/%FF", "/v1/admin/prompts/a%00b"])
def test_control_characters_in_paths_are_refused(server, path):
    response = send(server, "GET", path)
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_path", response.text[:300]


def raw_exchange(server, data, wait=10.0):
    """Sends raw bytes and returns what comes back before the server closes (or `wait` passes)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass
        received = b""
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            received += chunk
        return received


@pytest.mark.parametrize("request_bytes", [
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n",
    b"GET /healthz?" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\x00\xff\xfe garbage \r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
], ids=["huge header", "huge URL", "binary garbage", "negative length"])
def test_what_the_http_parser_refuses_is_answered_in_json(server, request_bytes):
    answer = raw_exchange(server, request_bytes)
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), answer[:300]
    assert json.loads(body)["error"]["code"] in ("request_headers_too_large", "malformed_request"), answer[:300]


def test_a_client_sending_a_byte_a_second_is_cut_off(server):
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        closed = False
        for byte in b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
            try:
                sock.sendall(bytes([byte]))
                sock.settimeout(0.2)
                closed = sock.recv(1024) == b""
            except socket.timeout:
                continue
            except OSError:
                closed = True
            if closed:
                break
    assert closed, "a client trickling its head in was never cut off"
    assert time.monotonic() - started < 8


def test_the_same_process_answers_at_the_end(server):
    assert server.popen.poll() is None, server.stderr[-4000:]
    assert server.popen.pid == server.first_pid
    assert requests.get(server.base + "/healthz", timeout=5).status_code == 200
