"""`pillar ingest` on a folder of every supported format, its idempotent re-runs and folder sync, then the
documents searched through `pillar serve` on the same data directory, and `/v1/embeddings` through the
`openai` package (which asks for base64 vectors by default)."""
import math
import subprocess
from pathlib import Path

import requests
from openai import OpenAI

from conftest import ADMIN_KEY, PILLAR_BIN, start_pillar


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF 1.4 with one line of Helvetica text and a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def write_corpus(folder: Path) -> None:
    (folder / "guides").mkdir(parents=True)
    (folder / "guides" / "onboarding.md").write_text(
        "# Onboarding\n\n## Laptop\n\nNew starters collect their laptop from the service desk on day one.\n")
    (folder / "notes.txt").write_text("The cafeteria opens at half past eight.\n")
    (folder / "menu.html").write_text(
        "<html><head><title>Canteen</title><style>p{}</style></head><body><p>Friday is paella day.</p></body></html>")
    (folder / "rooms.json").write_text('[{"name": "Aurora", "seats": 12}, {"name": "Borealis", "seats": 4}]')
    (folder / "events.jsonl").write_text('{"title": "Hackathon", "month": "June"}\n{"title": "Retreat", "month": "May"}\n')
    (folder / "phones.csv").write_text("team,extension\nFacilities,4410\nSecurity,4999\n")
    (folder / "policy.pdf").write_bytes(minimal_pdf("Visitors must wear a badge at all times"))
    (folder / "image.png").write_bytes(b"\x89PNG not really")


def ingest(folder, data_dir, config, *flags):
    return subprocess.run([PILLAR_BIN, "ingest", str(folder), "--tenant", "acme", "--data-dir", data_dir,
                           "--config", str(config), *flags], capture_output=True, text=True, timeout=300)


def test_ingest_a_folder_then_search_it_through_the_server(simulator, tmp_path):
    config = tmp_path / "pillar.yaml"
    config.write_text('{"deployments": [{"name": "sim", "baseURL": "%s", "model": "simulated", '
                      '"models": ["sim-embed"]}], "retrieval": {"embeddingModel": "sim-embed"}}' % simulator)
    folder = tmp_path / "corpus"
    write_corpus(folder)
    data_dir = str(tmp_path / "data")

    first = ingest(folder, data_dir, config)
    assert first.returncode == 0, first.stderr
    assert "created 7," in first.stdout, first.stdout
    assert "skipped" in first.stdout and "image.png" in first.stdout
    assert "files" in first.stderr and "chunks/s" in first.stderr, "a progress bar on standard error"

    again = ingest(folder, data_dir, config, "--quiet")
    assert "created 0, updated 0, unchanged 7," in again.stdout, again.stdout
    assert again.stderr.strip() == "", again.stderr

    (folder / "notes.txt").write_text("The cafeteria now opens at nine.\n")
    (folder / "rooms.json").unlink()
    (folder / "events.jsonl").write_text("")  # emptied: its earlier version must not stay searchable
    synced = ingest(folder, data_dir, config, "--quiet")
    assert "updated 1," in synced.stdout and "removed 2;" in synced.stdout, synced.stdout

    # Documents ingested with --acl are for that group only; API keys carry no groups.
    restricted = tmp_path / "restricted"
    restricted.mkdir()
    (restricted / "salaries.txt").write_text("Quarterly salary bands for the Zephyr team.\n")
    hidden = ingest(restricted, data_dir, config, "--quiet", "--acl", "hr,finance")
    assert hidden.returncode == 0 and "created 1," in hidden.stdout, hidden.stdout + hidden.stderr

    keys = subprocess.run([PILLAR_BIN, "keys", "create", "--tenant", "acme", "--name", "reader", "--data-dir", data_dir],
                          capture_output=True, text=True, check=True).stdout
    secret = next(line.split()[-1] for line in keys.splitlines() if line.startswith("key:"))
    process, base = start_pillar(json_config(config), data_dir=data_dir)
    try:
        def search(query, mode="hybrid"):
            response = requests.post(base + "/v1/search", headers={"Authorization": f"Bearer {secret}"},
                                     json={"query": query, "mode": mode, "top_k": 3})
            assert response.status_code == 200, response.text
            return response.json()["data"]

        for query, expected in [("laptop service desk", "Laptop"), ("paella", "paella"), ("badge visitors", "badge"),
                                ("Security extension", "4999"), ("cafeteria opens", "nine")]:
            hits = search(query, "keyword")
            assert hits and expected in (hits[0]["text"] + " ".join(hits[0]["heading_path"])), (query, hits)
        assert not any("Aurora" in hit["text"] for hit in search("Aurora seats", "keyword")), "removed with its file"
        assert not any("Hackathon" in hit["text"] for hit in search("Hackathon June", "keyword")), "emptied, so removed"
        for mode in ("keyword", "vector", "hybrid"):
            assert not any("Zephyr" in hit["text"] for hit in search("Zephyr salary bands", mode)), mode
        assert search("laptop service desk", "vector")[0]["source"].endswith("guides/onboarding.md")
        other_tenant = requests.post(base + "/v1/search", headers={"Authorization": f"Bearer {ADMIN_KEY}"},
                                     json={"query": "paella"})
        assert other_tenant.json()["data"] == [], "tenant default sees nothing of tenant acme"
    finally:
        process.stop()


def json_config(path: Path) -> dict:
    import json
    return json.loads(path.read_text())


def test_the_openai_client_gets_embeddings_as_base64_and_floats(simulator):
    process, base = start_pillar({"deployments": [
        {"name": "sim", "baseURL": simulator, "model": "simulated", "models": ["text-embedding-3-small"]}]})
    try:
        client = OpenAI(base_url=base + "/v1", api_key=ADMIN_KEY)
        response = client.embeddings.create(model="text-embedding-3-small", input=["first text", "second text"])
        assert [item.index for item in response.data] == [0, 1]
        for item in response.data:
            assert len(item.embedding) == 384
            assert math.isclose(math.sqrt(sum(v * v for v in item.embedding)), 1.0, rel_tol=1e-4)
        assert response.usage.prompt_tokens > 0
        floats = client.embeddings.create(model="text-embedding-3-small", input="first text", encoding_format="float")
        assert all(math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-7)
                   for a, b in zip(floats.data[0].embedding, response.data[0].embedding))
        turns = requests.get(base + "/v1/admin/turns", headers={"Authorization": f"Bearer {ADMIN_KEY}"}).json()
        assert any(turn["model"] == "text-embedding-3-small" for turn in turns["data"]), "embeddings are metered"
    finally:
        process.stop()
