"""Data protection as an operator sees it: the SQLite file and the logs hold none of a conversation's personal
data, the master key rotates without touching the data, erasure and the audit chain work from the command line."""
import base64
import os
import subprocess
from pathlib import Path

import requests

from conftest import ADMIN_KEY, PILLAR_BIN, start_pillar

PERSONAL = ["jane.doe@example.com", "+44 20 7946 0958", "4111 1111 1111 1111", "DE89 3704 0044 0532 0130 00", "Jane Doe"]
MESSAGE = ("I am Jane Doe, write to jane.doe@example.com or call +44 20 7946 0958. My card is 4111 1111 1111 1111 and "
           "my IBAN DE89 3704 0044 0532 0130 00. When does the office open?")


def config(simulator):
    return {"deployments": [{"name": "sim", "baseURL": simulator, "model": "simulated", "models": ["gpt-4o-mini", "sim-embed"]}],
            "retrieval": {"embeddingModel": "sim-embed"}}


def cli(*args, data_dir, env=None):
    result = subprocess.run([PILLAR_BIN, *args, "--data-dir", data_dir], capture_output=True, text=True, timeout=60,
                            env={**os.environ, **(env or {})})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_no_personal_data_in_the_file_or_the_logs_and_the_master_key_rotates(simulator, tmp_path):
    process, base = start_pillar(config(simulator), env={"PILLAR_SERVER_LOG_LEVEL": "debug"})
    data_dir = process.data_dir
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    try:
        ingested = requests.post(base + "/v1/documents", headers=headers, timeout=30,
                                 json={"source": "office.md", "content": "# Office\n\nThe office opens at nine in the morning."})
        assert ingested.status_code == 201, ingested.text
        answer = requests.post(base + "/v1/chat", headers=headers, json={"message": MESSAGE}, timeout=30)
        assert answer.status_code == 200, answer.text
        conversation = answer.json()["conversation_id"]
        stored = requests.get(f"{base}/v1/conversations/{conversation}", headers=headers, timeout=10).json()
        question = stored["messages"][0]["content"]
        for value in PERSONAL:
            assert value not in question
        for placeholder in ["[EMAIL]", "[PHONE]", "[PAYMENT_CARD]", "[IBAN]", "[PERSON_NAME]"]:
            assert placeholder in question, question
    finally:
        process.stop()

    files = b"".join(path.read_bytes() for path in Path(data_dir).glob("pillar.sqlite*"))
    logs = (process.stdout + process.stderr).encode()
    for value in PERSONAL + ["When does the office open", "The office opens at nine"]:
        assert value.encode() not in files, f"{value!r} is in the database file"
        assert value.encode() not in logs, f"{value!r} is in the logs"

    # Rotate the generated master key: the data is untouched, and the server reads it with the new key.
    new_key = tmp_path / "new.key"
    new_key.write_text(base64.b64encode(os.urandom(32)).decode())
    before = b"".join(path.read_bytes() for path in Path(data_dir).glob("pillar.sqlite*"))
    assert "re-wrapped 1 tenant data keys" in cli("keys", "rotate-master", "--new-key-file", str(new_key), data_dir=data_dir)
    assert (Path(data_dir) / "master.key").read_text().strip() == new_key.read_text().strip()
    process, base = start_pillar(config(simulator), data_dir=data_dir)
    try:
        stored = requests.get(f"{base}/v1/conversations/{conversation}", headers=headers, timeout=10)
        assert stored.status_code == 200 and "[EMAIL]" in stored.json()["messages"][0]["content"]
        keys = requests.get(base + "/v1/admin/keys", headers=headers, timeout=10).json()["data"]
    finally:
        process.stop()
    assert before.count(b"enc1:") > 0

    # Erase the admin key's data from the command line; the audit chain records it and verifies.
    subject = keys[0]["id"]
    assert "erased: 1 conversations" in cli("erase", "--subject", subject, data_dir=data_dir)
    listed = cli("audit", "list", data_dir=data_dir)
    erasure = next(line for line in listed.splitlines() if "subject.erase" in line)
    assert "master_key.rotate" in listed and subject not in erasure and "hmac:" in erasure
    assert "audit log intact: 3 records" in cli("audit", "verify", data_dir=data_dir)  # ingest, rotation, erasure
