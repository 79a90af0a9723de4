#!/usr/bin/env python3
"""What the RAG flow adds to a chat answer, apart from the model's own time, on HotpotQA
(../shared/data/hotpotqa). Every paragraph is ingested, then each question is asked through `POST /v1/chat`
(whole answers) against the project's simulator (fixed time to first token); each answer's trace
(`GET /v1/traces/{id}`) gives the flow's duration and the time spent waiting on models, so:

- flow overhead = trace duration - model time: guard, query embedding, hybrid search, routing, prompt rendering,
  and the gateway's own work around the model call;
- request overhead = client wall time - model time: the above plus HTTP, authentication, the conversation and
  trace writes.

Follow-ups (a second turn in the same conversation) add the condense step, a second model call whose time is
model time too. The query embedding comes from the simulator over HTTP (`--embedder simulator`, default) or
from the embedded all-MiniLM-L6-v2 under llama.cpp (`--embedder local`).

    scripts/bench-flow-overhead.py [--pillar .build/release/pillar] [--embedder simulator|local] [--json out.json]
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.error import HTTPError

import benchlib
from benchlib import free_port, percentile, wait

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "hotpotqa" / "hotpot_100.json"
KEY = "pk-bench-flow-admin-key-000000000000"


def call(base, method, path, body=None, timeout=120):
    return benchlib.call(base, KEY, method, path, body, timeout)


def start(args, data_dir):
    sim_port, port = free_port(), free_port()
    log = open(Path(data_dir) / "processes.log", "wb")
    simulator = subprocess.Popen([args.pillar, "simulate", "--port", str(sim_port), "--ttft-ms", str(args.ttft_ms),
                                  "--tokens-per-second", "2000"], stdout=log, stderr=log)
    wait(f"http://127.0.0.1:{sim_port}/health", simulator, timeout=30)
    models = ["gpt-4o-mini"] + (["sim-embed"] if args.embedder == "simulator" else [])
    config = {"deployments": [{"name": "sim", "baseURL": f"http://127.0.0.1:{sim_port}/v1", "model": "simulated",
                               "models": models}],
              "flows": {"defaultModel": "gpt-4o-mini"}}
    if args.embedder == "simulator":
        config["retrieval"] = {"embeddingModel": "sim-embed"}
    config_path = Path(data_dir) / "pillar.yaml"
    config_path.write_text(json.dumps(config))
    env = dict(os.environ, PILLAR_BOOTSTRAP_KEY=KEY, PILLAR_LOCAL_MODEL_MODE="off",
               PILLAR_RETRIEVAL_LOCAL_EMBEDDER_MODE="on" if args.embedder == "local" else "off")
    server = subprocess.Popen([args.pillar, "serve", "--port", str(port), "--data-dir", data_dir,
                               "--config", str(config_path)], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    wait(base + "/readyz", server, timeout=300)
    return simulator, server, base


def summarise(values):
    return {"p50": statistics.median(values), "p95": percentile(values, 0.95), "n": len(values)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pillar", default=str(REPO / ".build" / "release" / "pillar"))
    parser.add_argument("--embedder", choices=["simulator", "local"], default="simulator")
    parser.add_argument("--ttft-ms", type=int, default=20, help="the simulated model's time to first token")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    questions = json.loads(DATA.read_text())
    paragraphs = {}
    for item in questions:
        for title, sentences in item["context"]:
            paragraphs.setdefault(title, "".join(sentences).strip())

    data_dir = tempfile.mkdtemp(prefix="pillar-bench-flow-")
    simulator, server, base = start(args, data_dir)
    rows = {"first turn": {"flow": [], "request": [], "model": []}, "follow-up": {"flow": [], "request": [], "model": []}}
    nodes = {}
    refused = []
    try:
        for title, text in paragraphs.items():
            call(base, "POST", "/v1/documents", {"source": "hotpotqa/" + title, "title": title, "content": text,
                                                 "format": "text"})
        for item in questions[:10]:  # warm-up: connections, caches, the shipped library
            call(base, "POST", "/v1/chat", {"message": item["question"]})
        for item in questions:
            conversation = None
            for turn, message in (("first turn", item["question"]), ("follow-up", "And why is that?")):
                body = {"message": message}
                if conversation:
                    body["conversation_id"] = conversation
                began = time.perf_counter()
                try:
                    answer = call(base, "POST", "/v1/chat", body)
                except HTTPError as error:
                    # A question the tenant's guards refuse (a content-filter false positive) has no answer to time.
                    refused.append((message, json.loads(error.read() or b"{}").get("error", {}).get("message", "")))
                    break
                wall = (time.perf_counter() - began) * 1000
                conversation = answer["conversation_id"]
                trace = call(base, "GET", "/v1/traces/" + answer["trace_id"])
                rows[turn]["flow"].append(trace["duration_ms"] - trace["generation_ms"])
                rows[turn]["request"].append(wall - trace["generation_ms"])
                rows[turn]["model"].append(trace["generation_ms"])
                if turn == "first turn":
                    for node in trace["nodes"]:
                        if node["status"] == "succeeded" and node["kind"] != "llm":
                            nodes.setdefault(f"{node['name']} ({node['kind']})", []).append(node["duration_ms"])
    finally:
        for process in (server, simulator):
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()

    summary = {"paragraphs": len(paragraphs), "questions": len(questions), "embedder": args.embedder,
               "refused": [{"question": question, "reason": reason} for question, reason in refused],
               "ttft_ms": args.ttft_ms,
               "turns": {turn: {name: summarise(values) for name, values in row.items()} for turn, row in rows.items()},
               "nodes": {name: summarise(values) for name, values in nodes.items()}}
    print(f"{len(paragraphs)} paragraphs, {len(questions)} questions, query embeddings from {'the simulator' if args.embedder == 'simulator' else 'the embedded all-MiniLM-L6-v2'}, "
          f"simulated model TTFT {args.ttft_ms} ms\n")
    print("| turn | flow overhead p50 | p95 | request overhead p50 | p95 | model time p50 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for turn, row in summary["turns"].items():
        print(f"| {turn} | {row['flow']['p50']:.2f} ms | {row['flow']['p95']:.2f} ms | {row['request']['p50']:.2f} ms "
              f"| {row['request']['p95']:.2f} ms | {row['model']['p50']:.1f} ms |")
    for question, reason in refused:
        print(f"refused by the guards: {question!r}: {reason}")
    print("\n| node (first turn) | p50 | p95 |\n| --- | --- | --- |")
    for name, row in summary["nodes"].items():
        print(f"| {name} | {row['p50']:.2f} ms | {row['p95']:.2f} ms |")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
