#!/usr/bin/env python3
"""Retrieval quality on HotpotQA (../shared/data/hotpotqa): ingests every paragraph through Pillar's HTTP API,
asks each question in keyword, vector and hybrid mode, and scores hit@5, hit@10, recall@5, recall@10, MRR@10 and
nDCG@10 (a passage is relevant when it contains the gold answer, case-insensitive; yes/no questions are left out;
recall@k is the relevant passages in the top k over the fewer of k and all relevant passages of the corpus), plus
query latency. Runs a real `pillar serve` with its embedded embedding model (all-MiniLM-L6-v2 under llama.cpp).

    scripts/bench-retrieval-hotpotqa.py [--pillar .build/release/pillar] [--json results.json]
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import benchlib
from benchlib import free_port, percentile, wait

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "hotpotqa" / "hotpot_100.json"
KEY = "pk-bench-retrieval-admin-key-0000000"


def call(base, method, path, body=None, timeout=120):
    return benchlib.call(base, KEY, method, path, body, timeout)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pillar", default=str(REPO / ".build" / "release" / "pillar"))
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--config", help="a Pillar configuration file to run with (default: embedded defaults)")
    args = parser.parse_args()

    questions = json.loads(DATA.read_text())
    paragraphs = {}
    for item in questions:
        for title, sentences in item["context"]:
            paragraphs[(title, "".join(sentences).strip())] = True
    corpus = list(paragraphs)
    scored = [q for q in questions if q["answer"].lower() not in ("yes", "no")]

    data_dir = tempfile.mkdtemp(prefix="pillar-bench-retrieval-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PILLAR_BOOTSTRAP_KEY=KEY, PILLAR_LOCAL_MODEL_MODE="off", PILLAR_RETRIEVAL_LOCAL_EMBEDDER_MODE="on")
    log = open(Path(data_dir) / "serve.log", "wb")
    config = ["--config", args.config] if args.config else []
    process = subprocess.Popen([args.pillar, "serve", "--port", str(port), "--data-dir", data_dir, *config],
                               env=env, stdout=log, stderr=log)
    try:
        wait(base + "/readyz", process, timeout=180)
        started = time.monotonic()
        chunks = 0
        for index, (title, text) in enumerate(corpus):
            reply = call(base, "POST", "/v1/documents",
                         {"source": f"hotpotqa/{index}", "title": title, "content": text, "format": "text"})
            chunks += reply["document"]["chunks"]
        ingest_seconds = time.monotonic() - started

        results = {}
        for mode in ("keyword", "vector", "hybrid"):
            hits5 = hits10 = recall5 = recall10 = reciprocal = ndcg = 0.0
            latencies = []
            for question in scored:
                answer = question["answer"].lower()
                began = time.monotonic()
                found = call(base, "POST", "/v1/search", {"query": question["question"], "mode": mode, "top_k": 10})["data"]
                latencies.append((time.monotonic() - began) * 1000)
                relevant = [answer in (hit.get("title", "") + "\n" + hit["text"]).lower() for hit in found]
                if any(relevant[:5]):
                    hits5 += 1
                if any(relevant[:10]):
                    hits10 += 1
                first = next((rank for rank, yes in enumerate(relevant[:10], 1) if yes), None)
                reciprocal += 1 / first if first else 0
                dcg = sum(1 / math.log2(rank + 1) for rank, yes in enumerate(relevant[:10], 1) if yes)
                relevant_in_corpus = sum(answer in (t + "\n" + p).lower() for t, p in corpus)
                if relevant_in_corpus:
                    recall5 += sum(relevant[:5]) / min(5, relevant_in_corpus)
                    recall10 += sum(relevant[:10]) / min(10, relevant_in_corpus)
                ideal_count = min(10, relevant_in_corpus)
                ideal = sum(1 / math.log2(rank + 1) for rank in range(1, ideal_count + 1))
                ndcg += dcg / ideal if ideal else 0
            n = len(scored)
            results[mode] = {"hit@5": hits5 / n, "hit@10": hits10 / n, "recall@5": recall5 / n, "recall@10": recall10 / n,
                             "MRR@10": reciprocal / n, "nDCG@10": ndcg / n,
                             "p50_ms": statistics.median(latencies), "p95_ms": percentile(latencies, 0.95)}
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()

    summary = {"paragraphs": len(corpus), "chunks": chunks, "questions": len(scored),
               "ingest_seconds": ingest_seconds, "modes": results}
    print(f"{len(corpus)} paragraphs ({chunks} chunks) ingested in {ingest_seconds:.1f} s "
          f"({len(corpus) / ingest_seconds:.1f} documents/s); {len(scored)} questions scored\n")
    print("| mode | hit@5 | hit@10 | recall@5 | recall@10 | MRR@10 | nDCG@10 | query p50 ms | query p95 ms |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for mode, row in results.items():
        print(f"| {mode} | {row['hit@5']:.3f} | {row['hit@10']:.3f} | {row['recall@5']:.3f} | {row['recall@10']:.3f} "
              f"| {row['MRR@10']:.3f} | {row['nDCG@10']:.3f} "
              f"| {row['p50_ms']:.1f} | {row['p95_ms']:.1f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
