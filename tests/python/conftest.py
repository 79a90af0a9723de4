"""Starts the real `pillar` binary (and its simulator) on loopback ports for the Python-driven tests."""
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
PILLAR_BIN = os.environ.get("PILLAR_BIN", str(REPO / ".build" / "debug" / "pillar"))
ADMIN_KEY = "pk-python-tests-admin-key-00000000"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 60.0, status: int = 200, verify=True) -> None:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = requests.get(url, timeout=2, verify=verify)
            if last.status_code == status:
                return
        except requests.RequestException as error:
            last = error
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer {status} in {timeout}s (last: {last})")


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps the test output free of its access log."""

    def log_message(self, *args):
        pass


def serve_http(handler: type) -> ThreadingHTTPServer:
    """A real HTTP server on a free loopback port, answering in a daemon thread; `shutdown()` stops it."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Process:
    """A child process whose output goes to files, stopped (SIGTERM, then SIGKILL) when done."""

    def __init__(self, args, env=None, name="process"):
        self.directory = Path(tempfile.mkdtemp(prefix=f"pillar-{name}-"))
        self.stdout_path = self.directory / "stdout.log"
        self.stderr_path = self.directory / "stderr.log"
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.popen = subprocess.Popen(
            args, env=full_env, stdout=open(self.stdout_path, "wb"), stderr=open(self.stderr_path, "wb"))

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")

    def stop(self, timeout: float = 15.0) -> int:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        return self.popen.returncode


def make_ca(directory):
    key, cert = directory / "ca.key", directory / "ca.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=Pillar test CA"], check=True, capture_output=True)
    return key, cert


def issue_certificate(directory, ca, name, serial):
    """A server certificate for 127.0.0.1 and localhost, signed by the test's CA."""
    key, request, cert = directory / f"{name}.key", directory / f"{name}.csr", directory / f"{name}.pem"
    extensions = directory / f"{name}.ext"
    extensions.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", request,
                    "-subj", f"/CN={name}"], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", request, "-CA", ca[1], "-CAkey", ca[0], "-set_serial", str(serial),
                    "-days", "1", "-out", cert, "-extfile", extensions], check=True, capture_output=True)
    return key, cert


def start_oidc_provider(*flags: str) -> tuple[Process, str]:
    """A real OpenID provider (PyPI's oidc-provider-mock): authorization code flow with a login form that takes any
    `sub`, refresh tokens, RP-initiated logout, and `PUT /users/<sub>` to set a person's claims. Its issuer is the
    URL it is reached at."""
    import sys
    port = free_port()
    process = Process([sys.executable, "-m", "oidc_provider_mock", "--port", str(port), *flags], name="oidc")
    issuer = f"http://127.0.0.1:{port}"
    wait_for(issuer + "/.well-known/openid-configuration")
    return process, issuer


SIGN_IN_CLIENT_SECRET = "pillar-web-test-secret"


class SignInServer:
    """A Pillar serving HTTPS (a certificate from the test's own CA) that signs people in through an OpenID provider
    run by the test."""

    def __init__(self, base, issuer, ca, process=None, provider=None):
        self.base, self.issuer, self.ca = base, issuer, ca
        self.process, self.provider = process, provider

    def browser_session(self):
        """A `requests` session as a browser: it keeps cookies, and trusts the test's CA."""
        session = requests.Session()
        # A session-wide CA file only holds when the environment's CA bundle variables are not read.
        session.trust_env = False
        session.verify = self.ca
        return session

    def set_person(self, sub, claims):
        assert requests.put(f"{self.issuer}/users/{sub}", json=claims, timeout=10).status_code == 204

    def sign_in(self, session, sub, return_to="/"):
        """Signs `sub` in as a browser does: to the provider, through its form, back to Pillar."""
        started = session.get(self.base + "/auth/sign-in", params={"return_to": return_to}, allow_redirects=False)
        assert started.status_code == 302, started.text
        authorized = requests.post(started.headers["Location"], data={"sub": sub}, allow_redirects=False, timeout=10)
        assert authorized.status_code == 302, authorized.text
        back = session.get(authorized.headers["Location"], allow_redirects=False)
        return started, authorized, back

    def csrf(self, session):
        state = session.get(self.base + "/auth/session").json()
        assert state["signed_in"], state
        return state["csrf_token"]

    def stop(self):
        if self.process:
            self.process.stop()
        if self.provider:
            self.provider.stop()


def start_sign_in_server(directory, config, provider_flags=(), sign_in=None, oidc=None) -> SignInServer:
    """Pillar over HTTPS with a certificate the test makes (its own CA), signing people in through a real OpenID
    provider (oidc-provider-mock) started here; `config` is the rest of Pillar's configuration. People map to tenant
    `acme` unless `oidc` says otherwise."""
    provider, issuer = start_oidc_provider(*provider_flags)
    directory = Path(directory)
    ca = make_ca(directory)
    key, cert = issue_certificate(directory, ca, "pillar", 2001)
    # The redirect URL names the port, so the port is chosen before the configuration is written.
    port = free_port()
    config = dict(config)
    config["server"] = {**config.get("server", {}), "tls": {"certificateFile": str(cert), "keyFile": str(key)}}
    config["oidc"] = [{"issuer": issuer, "audiences": ["pillar-api"], "defaultTenant": "acme", **(oidc or {})}]
    config["signIn"] = {"issuer": issuer, "clientId": "pillar-web", "clientSecretEnv": "PILLAR_TEST_SIGN_IN_SECRET",
                        "redirectURL": f"https://127.0.0.1:{port}/auth/callback", **(sign_in or {})}
    try:
        process, base = start_pillar(config, env={"PILLAR_TEST_SIGN_IN_SECRET": SIGN_IN_CLIENT_SECRET}, scheme="https",
                                     verify=str(ca[1]), port=port)
    except BaseException:
        provider.stop()
        raise
    server = SignInServer(base, issuer, str(ca[1]), process=process, provider=provider)
    server.certificate = cert
    return server


def start_simulator(*flags: str) -> tuple[Process, str]:
    port = free_port()
    process = Process([PILLAR_BIN, "simulate", "--port", str(port), *flags], name="simulator")
    wait_for(f"http://127.0.0.1:{port}/health")
    return process, f"http://127.0.0.1:{port}/v1"


def start_pillar(config: dict | None = None, env: dict | None = None, data_dir: str | None = None,
                 scheme: str = "http", verify=True, port: int | None = None) -> tuple[Process, str]:
    """Starts `pillar serve` on a free port (or `port`); `scheme` https (with `verify`, a CA file) for a server
    serving TLS."""
    port = port or free_port()
    data_dir = data_dir or tempfile.mkdtemp(prefix="pillar-data-")
    args = [PILLAR_BIN, "serve", "--port", str(port), "--data-dir", data_dir]
    if config is not None:
        config_path = Path(data_dir) / "pillar.yaml"
        config_path.write_text(json.dumps(config))  # JSON is YAML
        args += ["--config", str(config_path)]
    # The embedded embedding model is started only by the tests that are about it.
    environment = {"PILLAR_BOOTSTRAP_KEY": ADMIN_KEY, "PILLAR_RETRIEVAL_LOCAL_EMBEDDER_MODE": "off"}
    environment.update(env or {})
    process = Process(args, env={k: v for k, v in environment.items() if v is not None}, name="serve")
    process.data_dir = data_dir
    base = f"{scheme}://127.0.0.1:{port}"
    try:
        wait_for(base + "/readyz", timeout=120, verify=verify)
    except TimeoutError:
        process.stop()
        raise AssertionError(f"pillar did not become ready:\n{process.stderr[-4000:]}")
    return process, base


@pytest.fixture(scope="session")
def simulator():
    process, url = start_simulator("--ttft-ms", "5", "--tokens-per-second", "500")
    yield url
    process.stop()


@pytest.fixture(scope="session")
def throttled_simulator():
    process, url = start_simulator("--fail-status", "429", "--retry-after", "3")
    yield url
    process.stop()


@pytest.fixture(scope="session")
def pillar(simulator, throttled_simulator):
    # The simulator also serves embeddings, so documents can be ingested and the RAG flow answers from them.
    config = {"deployments": [
        {"name": "sim", "baseURL": simulator, "model": "simulated", "models": ["gpt-4o-mini", "sim-embed"]},
        {"name": "throttled", "baseURL": throttled_simulator, "model": "simulated", "models": ["throttled-model"]},
    ], "retrieval": {"embeddingModel": "sim-embed"}, "flows": {"defaultModel": "gpt-4o-mini"}}
    process, base = start_pillar(config)
    process.base = base
    yield process
    process.stop()
