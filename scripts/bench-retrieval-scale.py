#!/usr/bin/env python3
"""Retrieval at scale: a generated corpus of about N chunks (default 100,000: markdown files of a title and ten
sections, one chunk each), ingested with `pillar ingest` and searched through `pillar serve`.

Reports ingestion throughput, query latency p50/p95 per mode, the vector index's recall@10 against exact
search (the same data served a second time with `exactSearchBelow` above the corpus size), the saved index's
size and the server's resident memory. Then deletes 1% of the documents through the API and reports the
deletes' latency, the first vector search after them (which removes their vectors from the graph), and
recall@10 on what is left. Embeddings come from `pillar simulate` (hashed bags of words, no
model cost; dense vectors clustered by topic, as a real model's are) so the figures measure Pillar's own
pipeline and indexes; scripts/bench-retrieval-hotpotqa.py measures the real embedding model.

    scripts/bench-retrieval-scale.py [--chunks 100000] [--queries 300] [--pillar .build/release/pillar]
"""
import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib import request as urlrequest

import benchlib
from benchlib import free_port, percentile, wait

REPO = Path(__file__).resolve().parents[1]
KEY = "pk-bench-scale-admin-key-000000000000"






def search(base, query, mode, k=10):
    """(chunk id, score) of the top k."""
    body = json.dumps({"query": query, "mode": mode, "top_k": k}).encode()
    req = urlrequest.Request(base + "/v1/search", data=body, method="POST",
                             headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"})
    with urlrequest.urlopen(req, timeout=120) as response:
        return [(hit["chunk_id"], hit["score"]) for hit in json.loads(response.read())["data"]]


def rss_mib(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0




def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pillar", default=str(REPO / ".build" / "release" / "pillar"))
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()

    rng = random.Random(7)
    vocabulary = [f"w{index}" + "".join(rng.choice("aeioubcdfgklmnprst") for _ in range(4)) for index in range(20_000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # Zipf-like, as in real text
    # Topics as the simulator's `--embeddings topics` sees them: the first byte of a word's SHA-256, mod 64.
    # A section draws most of its words from one topic, so its vector sits in that topic's cluster, as a
    # sentence embedding sits among texts on the same subject.
    topics = [[] for _ in range(64)]
    for rank, word in enumerate(vocabulary):
        topics[hashlib.sha256(word.encode()).digest()[0] % 64].append((word, weights[rank]))

    def words_of(topic, count):
        return rng.choices([w for w, _ in topics[topic]], [wt for _, wt in topics[topic]], k=count)

    def paragraph(words=70):
        topic = rng.randrange(64)
        chosen = words_of(topic, int(words * 0.8)) + rng.choices(vocabulary, weights, k=words - int(words * 0.8))
        rng.shuffle(chosen)
        return " ".join(chosen).capitalize() + "."

    work = Path(tempfile.mkdtemp(prefix="pillar-bench-scale-"))
    corpus = work / "corpus"
    files = args.chunks // 10
    for index in range(files):
        folder = corpus / f"part-{index // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        sections = "\n\n".join(f"## Section {section}\n\n{paragraph()}" for section in range(10))
        (folder / f"doc-{index:06d}.md").write_text(f"# Document {index}\n\n{sections}\n")
    # Queries: six words of one topic, the 100 most frequent words left out as keyword search leaves out
    # function words in English.
    common = set(vocabulary[:100])
    queries = []
    for _ in range(args.queries):
        topic = rng.randrange(64)
        pool = [(w, wt) for w, wt in topics[topic] if w not in common]
        queries.append(" ".join(rng.choices([w for w, _ in pool], [wt for _, wt in pool], k=6)))

    sim_port = free_port()
    simulator = subprocess.Popen([args.pillar, "simulate", "--port", str(sim_port), "--ttft-ms", "0",
                                  "--embeddings", "topics"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data_dir = work / "data"
    config = work / "pillar.yaml"
    config.write_text(json.dumps({
        "deployments": [{"name": "sim", "baseURL": f"http://127.0.0.1:{sim_port}/v1", "model": "simulated",
                         "models": ["sim-embed"]}],
        "retrieval": {"embeddingModel": "sim-embed", "embeddingBatchSize": 64},
    }))
    try:
        wait(f"http://127.0.0.1:{sim_port}/health", simulator)
        started = time.monotonic()
        report = subprocess.run([args.pillar, "ingest", str(corpus), "--config", str(config), "--data-dir",
                                 str(data_dir), "--quiet"], check=True, capture_output=True, text=True).stdout
        ingest_seconds = time.monotonic() - started
        chunks = int(report.split(";")[1].split()[0])
        index_file = data_dir / "vector-index" / "default.hnsw"
        index_mib = index_file.stat().st_size / 1024 / 1024 if index_file.exists() else 0

        def serve(extra):
            port = free_port()
            path = work / f"serve-{port}.yaml"
            settings = json.loads(config.read_text())
            settings["retrieval"].update(extra)
            path.write_text(json.dumps(settings))
            env = dict(os.environ, PILLAR_BOOTSTRAP_KEY=KEY, PILLAR_LOCAL_MODEL_MODE="off", PILLAR_SERVER_LOG_LEVEL="warning")
            process = subprocess.Popen([args.pillar, "serve", "--port", str(port), "--data-dir", str(data_dir),
                                        "--config", str(path)], env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            base = f"http://127.0.0.1:{port}"
            wait(base + "/readyz", process)
            return process, base

        process, base = serve({})
        load_started = time.monotonic()
        search(base, "warm up", "vector")
        first_search_seconds = time.monotonic() - load_started
        latencies = {}
        answers = {}
        for mode in ("keyword", "vector", "hybrid"):
            timings = []
            for query in queries:
                began = time.monotonic()
                result = search(base, query, mode)
                timings.append((time.monotonic() - began) * 1000)
                answers.setdefault(mode, []).append(result)
            latencies[mode] = (statistics.median(timings), percentile(timings, 0.95))
        rss = rss_mib(process.pid)
        process.terminate()
        process.wait(30)

        exact_process, exact_base = serve({"exactSearchBelow": 10_000_000})
        # Near-ties are counted as found: a result scoring at least the exact 10th is a right answer.
        found = 0
        exact_timings = []
        for query, approximate in zip(queries, answers["vector"]):
            began = time.monotonic()
            exact = search(exact_base, query, "vector")
            exact_timings.append((time.monotonic() - began) * 1000)
            if exact:
                tenth = exact[-1][1]
                found += min(len(exact), sum(1 for _, score in approximate if score >= tenth - 1e-6)) / len(exact)
        exact_process.terminate()
        exact_process.wait(30)

        # Deletes: 1% of the documents, spread over the corpus.
        process, base = serve({})
        search(base, "warm up", "vector")
        documents, after = [], None
        while True:
            page = benchlib.call(base, KEY, "GET", "/v1/documents?limit=500" + (f"&after={after}" if after else ""))["data"]
            documents += [item["id"] for item in page]
            if len(page) < 500:
                break
            after = page[-1]["id"]
        doomed = documents[::100]
        delete_timings = []
        for document in doomed:
            began = time.monotonic()
            benchlib.call(base, KEY, "DELETE", f"/v1/documents/{document}")
            delete_timings.append((time.monotonic() - began) * 1000)
        began = time.monotonic()
        search(base, queries[0], "vector")
        catch_up_ms = (time.monotonic() - began) * 1000
        kept_queries = queries[:100]
        after_delete = [search(base, query, "vector") for query in kept_queries]
        process.terminate()
        process.wait(30)
        exact_process, exact_base = serve({"exactSearchBelow": 10_000_000})
        found_after_delete = 0
        for query, approximate in zip(kept_queries, after_delete):
            exact = search(exact_base, query, "vector")
            if exact:
                tenth = exact[-1][1]
                found_after_delete += min(len(exact), sum(1 for _, score in approximate if score >= tenth - 1e-6)) / len(exact)
        exact_process.terminate()
        exact_process.wait(30)
    finally:
        simulator.terminate()

    print(f"corpus: {files} markdown files, {chunks} chunks; {len(queries)} queries of 6 words, top 10\n")
    print(f"ingestion (pillar ingest, simulator embeddings): {ingest_seconds:.1f} s, {chunks / ingest_seconds:.0f} chunks/s")
    print(f"saved vector index: {index_mib:.1f} MiB; first search after start (index load): {first_search_seconds * 1000:.0f} ms")
    print(f"server resident memory after the queries: {rss:.0f} MiB\n")
    print("| mode | p50 ms | p95 ms |")
    print("| --- | --- | --- |")
    for mode, (p50, p95) in latencies.items():
        print(f"| {mode} | {p50:.2f} | {p95:.2f} |")
    print(f"| vector, exact search | {statistics.median(exact_timings):.2f} | {percentile(exact_timings, 0.95):.2f} |")
    print(f"\nHNSW recall@10 against exact search: {found / len(queries):.3f}")
    print(f"\ndeleted {len(doomed)} documents through the API: p50 {statistics.median(delete_timings):.1f} ms, "
          f"p95 {percentile(delete_timings, 0.95):.1f} ms a delete; first vector search after them "
          f"(their vectors leave the graph): {catch_up_ms:.0f} ms; HNSW recall@10 afterwards "
          f"({len(kept_queries)} queries): {found_after_delete / len(kept_queries):.3f}")


if __name__ == "__main__":
    main()
