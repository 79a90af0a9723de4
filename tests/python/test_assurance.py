"""Assurance end to end against the real server, the simulator and real HTTP receivers: the isolation probe passes
and costs no tenant anything; with a deliberately injected leak (`PILLAR_TEST_FAULT`) it catches the leak, audits
it and raises a critical signed alert; `pillar review` prints every check with its evidence and exits for CI on
the defaults (honest warnings) and on a hardened configuration (passes); a backup taken while keys are being
written restores with every acknowledged write and a verifying audit chain."""
import json
import os
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests
import yaml

from conftest import ADMIN_KEY, PILLAR_BIN, REPO, QuietHandler, serve_http, start_pillar
from test_quality_monitoring import SECRET, Receiver, signed_correctly

HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}
LOAD_BIN = str(Path(PILLAR_BIN).with_name("pillar-load"))


def sim_config(simulator, **extra):
    config = {"deployments": [{"name": "sim", "baseURL": simulator, "model": "simulated", "models": ["gpt-4o-mini", "sim-embed"]}],
              "retrieval": {"embeddingModel": "sim-embed"}, "flows": {"defaultModel": "gpt-4o-mini"},
              "assurance": {"isolationProbe": {"intervalSeconds": 3600}}}
    config.update(extra)
    return config


def cli(*args, check=True, env=None):
    result = subprocess.run([PILLAR_BIN, *args], capture_output=True, text=True, timeout=120,
                            env={**os.environ, **(env or {})})
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def tenant_admin(process, tenant):
    created = cli("keys", "create", "--tenant", tenant, "--name", f"{tenant}-admin", "--role", "admin",
                  "--data-dir", process.data_dir).stdout
    return {"Authorization": "Bearer " + next(line.split()[-1] for line in created.splitlines() if line.startswith("key:"))}


def ingest(base, headers, source, content):
    response = requests.post(base + "/v1/documents", headers=headers, timeout=60,
                             json={"source": source, "title": source, "content": content, "format": "text"})
    assert response.status_code == 201, response.text


def usage(base, headers):
    response = requests.get(base + "/v1/admin/usage?group_by=model", headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def review(base, *args, env=None):
    return cli("review", "--url", base, "--key", ADMIN_KEY, *args, check=False, env=env)


def test_isolation_probe_passes_and_no_tenant_sees_or_pays_for_it(simulator):
    process, base = start_pillar(sim_config(simulator))
    try:
        acme = tenant_admin(process, "acme")
        ingest(base, acme, "acme/handbook.txt", "The acme handbook explains the travel policy and expense claims.")
        ingest(base, HEADERS, "ops/runbook.txt", "The runbook explains how to restart the ingestion workers.")
        before = {"acme": usage(base, acme), "default": usage(base, HEADERS)}

        response = requests.post(base + "/v1/admin/isolation-probe", headers=HEADERS, timeout=120)
        assert response.status_code == 200, response.text
        run = response.json()
        assert run["status"] == "passed", run
        assert run["tenants_probed"] == 2 and run["leaks"] == [] and run["problems"] == []
        # Searches as both tenants, with and without the probe's group name, the probe's own outsider, and the flow
        # asked as the probe's insider, its outsider and both tenants.
        assert run["attempts"] >= 8
        assert requests.get(base + "/v1/admin/isolation-probe", headers=HEADERS).json()["id"] == run["id"]

        # The probe's searches and flow answers were metered to its own tenant: nobody else's usage moved.
        assert usage(base, acme) == before["acme"] and usage(base, HEADERS) == before["default"]
        # Its canaries are in no one's results.
        for headers in (acme, HEADERS):
            found = requests.post(base + "/v1/search", headers=headers, json={"query": "isolation canary planted by the probe", "top_k": 20})
            assert found.status_code == 200
            assert all(not hit["source"].startswith("probe://") for hit in found.json()["data"]), found.text
        # Nobody can reach the probe's tenant, nor run the probe from another tenant.
        refused = cli("keys", "create", "--tenant", "pillar-probe", "--name", "x", "--data-dir", process.data_dir, check=False)
        assert refused.returncode != 0 and "reserved for the isolation probe" in refused.stdout + refused.stderr
        assert requests.post(base + "/v1/admin/isolation-probe", headers=acme).status_code == 403
        report = json.loads(review(base, "--format", "json").stdout)
        assert next(c for c in report["checks"] if c["id"] == "SE-13")["status"] == "pass"

        # The shipped Prometheus rules read series the server exports.
        metrics = requests.get(base + "/metrics", headers=HEADERS).text
        assert "pillar_isolation_probe_status 0" in metrics, metrics[-2000:]
        rules = yaml.safe_load((REPO / "deploy" / "prometheus" / "pillar-alerts.yml").read_text())
        group = next(g for g in rules["groups"] if g["name"] == "pillar-assurance")
        for rule in group["rules"]:
            for name in re.findall(r"pillar_[a-z_]+", rule["expr"]):
                assert name in metrics, (rule["alert"], name)
    finally:
        process.stop()


@pytest.mark.parametrize("fault", ["leak-tenant", "leak-acl"])
def test_isolation_probe_catches_an_injected_leak(simulator, fault):
    receiver = Receiver()
    config = sim_config(simulator, monitoring={"webhooks": [{"name": "ops", "url": receiver.url, "secretEnv": "PROBE_HOOK_SECRET"}]})
    process, base = start_pillar(config, env={"PILLAR_TEST_FAULT": fault, "PROBE_HOOK_SECRET": SECRET})
    try:
        assert "a test fault is injected" in process.stdout + process.stderr
        acme = tenant_admin(process, "acme")
        ingest(base, acme, "acme/handbook.txt", "The acme handbook explains the travel policy.")
        run = requests.post(base + "/v1/admin/isolation-probe", headers=HEADERS, timeout=120).json()
        assert run["status"] == "leaked", run
        leaks = {(leak["path"], leak["tenant"], leak["canary"]) for leak in run["leaks"]}
        if fault == "leak-tenant":
            # Every tenant's searches read the probe's tenant: both tenants saw the open canary, by search and by flow.
            for path in ("search", "flow"):
                for tenant in ("acme", "default"):
                    assert (path, tenant, "open") in leaks, leaks
        else:
            # ACLs are ignored: the probe's own member outside the group saw the restricted canary.
            assert ("search", "pillar-probe", "restricted") in leaks and ("flow", "pillar-probe", "restricted") in leaks, leaks

        audit = cli("audit", "list", "--data-dir", process.data_dir, "--limit", "200").stdout
        assert "isolation_probe.leak" in audit and run["id"] in audit
        deadline = time.monotonic() + 20
        while not receiver.events("isolation.leak") and time.monotonic() < deadline:
            time.sleep(0.2)
        alert = receiver.events("isolation.leak")[0]
        assert signed_correctly(alert)
        body = json.loads(alert["body"])
        assert body["severity"] == "critical" and run["id"] in body["summary"]

        result = review(base, "--format", "json", "--fail-on", "fail")
        assert result.returncode == 1
        statuses = {c["id"]: c["status"] for c in json.loads(result.stdout)["checks"]}
        assert statuses["SE-13"] == "fail" and statuses["SE-14"] == "fail"
    finally:
        process.stop()
        receiver.stop()


def test_review_warns_honestly_on_defaults(simulator):
    process, base = start_pillar(sim_config(simulator))
    try:
        result = review(base, "--format", "json")
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert len(report["checks"]) >= 40
        assert {c["pillar"] for c in report["checks"]} == {"reliability", "security", "cost", "operations", "performance"}
        for check in report["checks"]:
            assert check["principle"] and check["fix"] and check["evidence"], check
            assert check["status"] in ("pass", "warn", "fail", "not_applicable")
            assert all(e["source"] in ("configuration", "database", "telemetry", "environment", "process") for e in check["evidence"])
        statuses = {c["id"]: c["status"] for c in report["checks"]}
        assert statuses["RE-06"] == "fail"   # never backed up
        assert statuses["SE-05"] == "fail"   # the generated master key is in the data directory
        assert statuses["RE-01"] == "fail"   # one deployment
        assert statuses["SE-01"] == "pass" and statuses["SE-12"] == "pass" and statuses["SE-14"] == "pass"
        evidence = next(c for c in report["checks"] if c["id"] == "SE-05")["evidence"]
        assert any(process.data_dir in e["value"] for e in evidence)

        assert review(base, "--fail-on", "warn").returncode == 1
        table = review(base).stdout
        assert "RELIABILITY" in table and "fix: run `pillar backup --to DIR`" in table and f"{len(report['checks'])} checks:" in table
        markdown = review(base, "--format", "markdown").stdout
        assert markdown.startswith("# Pillar review") and "| RE-06 The database was backed up recently | **fail** |" in markdown
        assert cli("review", "--url", base, "--key", ADMIN_KEY, "--list").stdout.count("\n") == len(report["checks"])
        assert review(base, "--format", "yaml").returncode != 0
        # Another tenant's admin cannot read the platform's review.
        acme = tenant_admin(process, "acme")
        response = requests.get(base + "/v1/admin/review", headers=acme)
        assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"
    finally:
        process.stop()


class Collector(QuietHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_review_passes_a_hardened_configuration(simulator):
    receiver = Receiver()
    collector = serve_http(Collector)
    data_dir = tempfile.mkdtemp(prefix="pillar-hardened-")
    secrets = Path(tempfile.mkdtemp(prefix="pillar-secrets-"))
    (secrets / "master.key").write_text("q2b5XKj8r2rM9m7Xo0s8pXW4bm3zKc6Yz9x1m2n3b4c=\n")
    two = [{"name": name, "baseURL": simulator, "model": "simulated", "models": ["gpt-4o-mini", "sim-embed"], "maxInFlight": 64}
           for name in ("sim-east", "sim-west")]
    config = sim_config(
        simulator, deployments=two,
        server={"tlsTerminatedBy": "the test's load balancer", "logFormat": "json"},
        oidc=[{"issuer": "https://login.example.com/tenant/v2.0", "audiences": ["api://pillar"], "defaultTenant": "default",
               "jwksURL": "https://login.example.com/keys"}],
        signIn={"issuer": "https://login.example.com/tenant/v2.0", "clientId": "pillar-web",
                "clientSecretEnv": "HARDENED_SIGN_IN_SECRET", "redirectURL": "https://pillar.example.com/auth/callback"},
        gateway={"maxInFlightPerTenant": 32},
        prices={"gpt-4o-mini": {"inputPerMillion": 0.15, "outputPerMillion": 0.6}, "sim-embed": {"inputPerMillion": 0.02, "outputPerMillion": 0}},
        limits={"tenantDefault": {"requestsPerMinute": 6000, "tokensPerDay": 5000000}},
        safety={"tenantDefault": {"retentionDays": 30, "pii": {"beforeModel": True}}},
        promotion={"tenantDefault": {"requireEval": True}},
        monitoring={"webhooks": [{"name": "ops", "url": receiver.url, "secretEnv": "HARDENED_HOOK_SECRET"}]},
        assurance={"isolationProbe": {"intervalSeconds": 3600},
                   "review": {"expectedRequestsPerSecond": 5,
                              "exceptions": {"OE-01": "this test workload has no evaluation dataset",
                                             "OE-08": "no decay schedule without an evaluation dataset"}}})
    env = {"PILLAR_MASTER_KEY_FILE": str(secrets / "master.key"), "HARDENED_HOOK_SECRET": SECRET,
           "HARDENED_SIGN_IN_SECRET": "not-used-by-this-test",
           "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.server_address[1]}"}
    process, base = start_pillar(config, env=env, data_dir=data_dir)
    try:
        ingest(base, HEADERS, "ops/runbook.txt", "The runbook explains how to restart the ingestion workers.")
        for question in ("How do I restart the ingestion workers?", "What does the runbook explain?"):
            assert requests.post(base + "/v1/chat", headers=HEADERS, json={"message": question}, timeout=60).status_code == 200
        assert requests.post(base + "/v1/admin/isolation-probe", headers=HEADERS, timeout=120).json()["status"] == "passed"
        backup_dir = tempfile.mkdtemp(prefix="pillar-backup-") + "/first"
        cli("backup", "--data-dir", data_dir, "--to", backup_dir, env=env)
        load = subprocess.run([LOAD_BIN, "--url", base + "/v1/chat/completions", "--key", ADMIN_KEY, "--model", "gpt-4o-mini",
                               "--concurrency", "4", "--duration", "2", "--warmup", "0.5", "--record", base, "--record-key", ADMIN_KEY],
                              capture_output=True, text=True, timeout=60)
        assert load.returncode == 0 and "recorded at" in load.stdout, load.stdout + load.stderr

        result = review(base, "--format", "json", "--fail-on", "warn", env=env)
        report = json.loads(result.stdout)
        not_passing = [(c["id"], c["status"], c["evidence"]) for c in report["checks"] if c["status"] not in ("pass", "not_applicable")]
        assert not not_passing and result.returncode == 0, not_passing
        checks = {c["id"]: c for c in report["checks"]}
        assert checks["OE-01"]["exception"] == "this test workload has no evaluation dataset"
        assert any("req/s" in e["value"] for e in checks["PE-01"]["evidence"])
        assert any(e["value"] == str(secrets / "master.key") for e in checks["SE-05"]["evidence"])
    finally:
        process.stop()
        receiver.stop()
        collector.shutdown()


def test_backup_under_write_load_restores_every_acknowledged_write(simulator):
    process, base = start_pillar(sim_config(simulator))
    ingest(base, HEADERS, "docs/lighthouse.txt", "The lighthouse keeper logs the lamp hours every night.")
    acknowledged: list[str] = []
    stop = threading.Event()
    failures: list[str] = []

    def write_keys():
        index = 0
        while not stop.is_set():
            name = f"w-{index:05d}"
            response = requests.post(base + "/v1/admin/keys", headers=HEADERS, json={"name": name}, timeout=30)
            if response.status_code != 201:
                failures.append(response.text)
                return
            acknowledged.append(name)
            index += 1

    writer = threading.Thread(target=write_keys)
    writer.start()
    try:
        time.sleep(1.0)
        before_backup = list(acknowledged)
        backup_dir = tempfile.mkdtemp(prefix="pillar-backup-") + "/under-load"
        output = cli("backup", "--data-dir", process.data_dir, "--to", backup_dir).stdout
        time.sleep(0.5)
    finally:
        stop.set()
        writer.join()
        process.stop()
    assert not failures and len(before_backup) > 5, (failures, len(before_backup))
    assert "audit records" in output
    manifest = json.loads((Path(backup_dir) / "manifest.json").read_text())
    assert manifest["includes_master_key"] is True  # the generated key travels with the data, and the review fails that

    refused = cli("backup", "--data-dir", process.data_dir, "--to", backup_dir, check=False)
    assert refused.returncode == 1 and "is not empty" in refused.stdout

    restored_dir = tempfile.mkdtemp(prefix="pillar-restored-")
    restored = cli("restore", "--from", backup_dir, "--data-dir", restored_dir).stdout
    assert "audit chain verified" in restored
    assert cli("audit", "verify", "--data-dir", restored_dir).stdout.startswith("audit log intact")
    again = cli("restore", "--from", backup_dir, "--data-dir", restored_dir, check=False)
    assert again.returncode == 1 and "--replace" in again.stdout

    second, base2 = start_pillar(sim_config(simulator), data_dir=restored_dir)
    try:
        names, after = [], None
        while True:  # the key list pages, by cursor
            page = requests.get(base2 + "/v1/admin/keys", headers=HEADERS,
                                params={"limit": 1000, **({"after": after} if after else {})}).json()
            names += [key["name"] for key in page["data"]]
            if not page["has_more"]:
                break
            after = page["data"][-1]["id"]
        written = [name for name in names if name.startswith("w-")]
        # Every write acknowledged before the backup began is there, and what is there is a prefix of the writes:
        # a consistent snapshot, no gaps.
        assert set(before_backup) <= set(written)
        assert sorted(written) == acknowledged[:len(written)]
        found = requests.post(base2 + "/v1/search", headers=HEADERS, json={"query": "lighthouse lamp hours"}).json()["data"]
        assert found and found[0]["source"] == "docs/lighthouse.txt"
    finally:
        second.stop()

    # A backup whose database was changed after it was taken is refused.
    database = Path(backup_dir) / "pillar.sqlite"
    data = bytearray(database.read_bytes())
    data[len(data) // 2] ^= 0xFF
    database.write_bytes(bytes(data))
    tampered = cli("restore", "--from", backup_dir, "--data-dir", tempfile.mkdtemp(prefix="pillar-tampered-"), check=False)
    assert tampered.returncode == 1 and "does not match its manifest" in tampered.stdout
