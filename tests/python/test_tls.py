"""HTTPS served by Pillar itself: a certificate made by the test with openssl, verified by the client, renewed
on disk and picked up without a restart; HSTS and the Content-Security-Policy on responses; the plain port only
redirects."""
import socket
import ssl
import subprocess
import time

import requests

from conftest import ADMIN_KEY, free_port, issue_certificate, make_ca, start_pillar


def served_certificate(port, ca):
    context = ssl.create_default_context(cafile=str(ca))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return tls.getpeercert()


def test_pillar_serves_https_renews_without_a_restart_and_redirects_plain_http(tmp_path, simulator):
    ca = make_ca(tmp_path)
    first_key, first_cert = issue_certificate(tmp_path, ca, "first", 1001)
    live_key, live_cert = tmp_path / "live.key", tmp_path / "live.pem"
    live_key.write_bytes(first_key.read_bytes())
    live_cert.write_bytes(first_cert.read_bytes())
    redirect_port = free_port()
    config = {"server": {"tls": {"certificateFile": str(live_cert), "keyFile": str(live_key),
                                                "reloadSeconds": 1, "redirectPort": redirect_port}},
              "deployments": [{"name": "sim", "baseURL": simulator, "model": "simulated", "models": ["gpt-4o-mini"]}]}
    process, base = start_pillar(config, scheme="https", verify=str(ca[1]))
    port = int(base.rsplit(":", 1)[1])
    try:
        headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
        models = requests.get(base + "/v1/models", headers=headers, verify=str(ca[1]), timeout=10)
        assert models.status_code == 200
        assert models.headers["Strict-Transport-Security"] == "max-age=15552000"
        page = requests.get(base + "/", verify=str(ca[1]), timeout=10)
        assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
        policy = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        # The page holds no inline script for the policy to have to allow.
        assert "<script>" not in page.text and "<script src=" in page.text
        assert int(served_certificate(port, ca[1])["serialNumber"], 16) == 1001

        # Plain HTTP on the TLS port gets no answer in plain text.
        try:
            plain = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            assert plain.status_code >= 400
        except requests.exceptions.ConnectionError:
            pass
        # The plain port redirects, path and query kept, method kept (308).
        redirected = requests.post(f"http://127.0.0.1:{redirect_port}/v1/chat?x=1", allow_redirects=False, timeout=5)
        assert redirected.status_code == 308
        assert redirected.headers["Location"] == f"https://127.0.0.1:{port}/v1/chat?x=1"
        bad_host = requests.get(f"http://127.0.0.1:{redirect_port}/", headers={"Host": "evil.example/x"}, timeout=5)
        assert bad_host.status_code == 400

        # A half-written renewal (a key that is no key) is not taken; the certificate in use stays.
        live_key.write_text("not a key")
        time.sleep(2.5)
        assert int(served_certificate(port, ca[1])["serialNumber"], 16) == 1001
        # The renewal, written whole: new connections get it within the reload interval, with no restart.
        second_key, second_cert = issue_certificate(tmp_path, ca, "second", 1002)
        live_cert.write_bytes(second_cert.read_bytes())
        live_key.write_bytes(second_key.read_bytes())
        deadline = time.time() + 10
        while int(served_certificate(port, ca[1])["serialNumber"], 16) != 1002:
            assert time.time() < deadline, "the renewed certificate was not picked up"
            time.sleep(0.3)
        assert requests.get(base + "/healthz", verify=str(ca[1]), timeout=5).status_code == 200
        assert process.popen.poll() is None, "the server restarted or died"
    finally:
        process.stop()


def test_a_certificate_that_cannot_be_read_stops_the_start_naming_the_setting(tmp_path):
    from conftest import PILLAR_BIN
    config = tmp_path / "pillar.yaml"
    config.write_text(f"server:\n  tls: {{certificateFile: {tmp_path}/missing.pem, keyFile: {tmp_path}/missing.key}}\n")
    result = subprocess.run([PILLAR_BIN, "serve", "--config", str(config), "--data-dir", str(tmp_path / "data"),
                             "--local-model-mode", "off", "--retrieval-local-embedder-mode", "off"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "server.tls.certificateFile" in result.stderr, result.stderr
