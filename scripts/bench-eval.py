#!/usr/bin/env python3
"""An evaluation run's own speed and cost, on HotpotQA (../shared/data/hotpotqa), with the project's simulator as
answering model, embedder and judge (so the model's time is small and known): every paragraph is ingested, the
100 questions become a dataset (expected facts: the gold answer; expected sources: the paragraphs holding it),
and one run asks each question --repeat times (default 3) with every built-in metric, the four judges included.

Printed:
- wall time and answers per second of the run (from its start to `completed`);
- what the run costs beyond the model calls: the time its slots spent not waiting on a model (wall time ×
  concurrency − the summed latency of the run's model calls, from its turns), per answer;
- the same results scored by the peers' own definitions, in this run: retrieval by `ranx` (hit_rate@5,
  recall@5, mrr@100, ndcg@5 over each answer's retrieved documents), and `citations_matched` / `any_citation` by
  azure-search-openai-demo's evaluator (evals/evaluate.py: bracketed `[name.ext]` citations in the ground truth
  and the response), with the largest difference from Pillar's numbers.

    scripts/bench-eval.py [--pillar .build/release/pillar] [--repeat 3] [--concurrency 8] [--json out.json]
"""
import argparse
import json
import urllib.parse
import re
import sqlite3
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import benchlib
from benchlib import free_port, wait

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "hotpotqa" / "hotpot_100.json"
KEY = "pk-bench-eval-admin-key-0000000000000"
AZURE_CITATION = r"\[([^\]]+)\.\w{3,4}(#page=\d+)*\]"


def call(base, method, path, body=None, timeout=300):
    return benchlib.call(base, KEY, method, path, body, timeout)


def source_of(title):
    # azure-search-openai-demo's evaluator reads citations as file names with an extension.
    return f"hotpot/{title}.txt"


def azure_citations_matched(response, ground_truth):
    truth = set(re.findall(AZURE_CITATION, ground_truth))
    found = set(re.findall(AZURE_CITATION, response))
    return len(truth & found) / len(truth)


def azure_any_citation(response):
    return bool(re.search(AZURE_CITATION, response))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pillar", default=str(REPO / ".build" / "release" / "pillar"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json")
    args = parser.parse_args()

    questions = json.loads(DATA.read_text())
    data_dir = tempfile.mkdtemp(prefix="pillar-bench-eval-")
    log = open(Path(data_dir) / "processes.log", "wb")
    sim_port, port = free_port(), free_port()
    simulator = subprocess.Popen([args.pillar, "simulate", "--port", str(sim_port), "--ttft-ms", "0",
                                  "--tokens-per-second", "100000"], stdout=log, stderr=log)
    wait(f"http://127.0.0.1:{sim_port}/health", simulator, timeout=30)
    config = {"deployments": [{"name": "sim", "baseURL": f"http://127.0.0.1:{sim_port}/v1", "model": "simulated",
                               "models": ["gpt-4o-mini", "sim-embed"]}],
              "retrieval": {"embeddingModel": "sim-embed"},
              "evaluation": {"maxConcurrency": 64, "budgetDefault": {"tokensPerDay": 1000000000}}}
    (Path(data_dir) / "pillar.yaml").write_text(json.dumps(config))
    server = subprocess.Popen([args.pillar, "serve", "--port", str(port), "--data-dir", data_dir,
                               "--config", str(Path(data_dir) / "pillar.yaml")],
                              env={"PILLAR_BOOTSTRAP_KEY": KEY, "PILLAR_RETRIEVAL_LOCAL_EMBEDDER_MODE": "off", "PATH": "/usr/bin:/bin"},
                              stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait(base + "/readyz", server, timeout=120)
        paragraphs = {}
        for question in questions:
            for title, sentences in question["context"]:
                paragraphs.setdefault(title, "".join(sentences).strip())
        for title, content in paragraphs.items():
            call(base, "POST", "/v1/documents", {"source": source_of(title), "title": title, "content": content,
                                                 "format": "text"})
        items = {}
        for question in questions:
            gold = question["answer"]
            titles = {t for t, _ in question["context"]}
            holding = sorted(source_of(t) for t in titles if gold.lower() in paragraphs[t].lower())
            items[question["_id"]] = {"id": question["_id"], "question": question["question"], "expected_answer": gold,
                                      "expected_facts": [gold], "expected_sources": holding,
                                      "answerable": True}
        body = ("\n".join(json.dumps(item) for item in items.values()) + "\n").encode()
        request = benchlib.urlrequest.Request(base + "/v1/admin/eval/datasets/hotpotqa?format=jsonl", data=body, method="POST",
                                              headers={"Authorization": f"Bearer {KEY}"})
        with benchlib.urlrequest.urlopen(request, timeout=120) as response:
            assert response.status == 201

        started_at = time.monotonic()
        run = call(base, "POST", "/v1/admin/eval/runs", {"dataset": "hotpotqa", "repeats": args.repeat,
                                                   "concurrency": args.concurrency})
        while run["status"] == "running":
            time.sleep(0.05)
            run = call(base, "GET", f"/v1/admin/eval/runs/{run['id']}")
        wall = time.monotonic() - started_at
        assert run["status"] == "completed", run
        answers = run["total"]

        with sqlite3.connect(Path(data_dir) / "pillar.sqlite") as db:
            model_ms, calls = db.execute("SELECT sum(latency_ms), count(*) FROM turn WHERE subject = ?",
                                         ("eval:" + run["id"],)).fetchone()
        slot_seconds = wall * args.concurrency
        overhead_ms = (slot_seconds * 1000 - model_ms) / answers

        results, after = [], ""
        while True:  # results page by cursor: the item id and the repeat
            page = call(base, "GET", f"/v1/admin/eval/runs/{run['id']}/results?limit=1000" + (f"&after={after}" if after else ""))
            results += page["data"]
            if not page["has_more"]:
                break
            after = urllib.parse.quote(f"{page['data'][-1]['itemID']}#{page['data'][-1]['repeatIndex']}", safe="")
        from ranx import Qrels, Run, evaluate
        qrels, ranking = {}, {}
        pillar_scores = {"hit@5": [], "recall@5": [], "mrr": [], "ndcg@5": []}
        azure = {"citations_matched": 0.0, "any_citation": 0.0}
        compared = 0
        for result in results:
            item = items[result["item_id"]]
            if not item["expected_sources"] or result["status"] != "answered":
                continue
            key = f"{result['item_id']}/{result['repeat']}"
            qrels[key] = {source: 1 for source in item["expected_sources"]}
            documents = []
            for source in sorted(result["retrieved"], key=lambda s: s["rank"]):
                if source["source_uri"] not in documents:
                    documents.append(source["source_uri"])
            # ranx ranks by score: the first document gets the highest.
            ranking[key] = {doc: float(len(documents) - i) for i, doc in enumerate(documents)} or {"none": 0.0}
            for metric in pillar_scores:
                pillar_scores[metric].append(result["scores"][metric]["value"])
            cited = {c["rank"]: c["source_uri"] for c in result["citations"]}
            response = re.sub(r"\[(\d+)\]", lambda m: f"[{cited.get(int(m.group(1)), m.group(0))}]", result["answer"])
            truth = " ".join(f"[{source}]" for source in item["expected_sources"])
            azure["citations_matched"] = max(azure["citations_matched"],
                                             abs(azure_citations_matched(response, truth) - result["scores"]["citations_matched"]["value"]))
            azure["any_citation"] = max(azure["any_citation"],
                                        abs(float(azure_any_citation(response)) - result["scores"]["any_citation"]["value"]))
            compared += 1
        reference = evaluate(Qrels(qrels), Run(ranking), ["hit_rate@5", "recall@5", "mrr@100", "ndcg@5"])
        retrieval = {
            "hit@5": (statistics.mean(pillar_scores["hit@5"]), reference["hit_rate@5"]),
            "recall@5": (statistics.mean(pillar_scores["recall@5"]), reference["recall@5"]),
            "mrr": (statistics.mean(pillar_scores["mrr"]), reference["mrr@100"]),
            "ndcg@5": (statistics.mean(pillar_scores["ndcg@5"]), reference["ndcg@5"]),
        }
        summary = {
            "answers": answers, "repeat": args.repeat, "concurrency": args.concurrency, "wall_seconds": round(wall, 2),
            "answers_per_second": round(answers / wall, 2), "model_calls": calls,
            "model_seconds": round(model_ms / 1000, 2), "overhead_ms_per_answer": round(overhead_ms, 2),
            "overhead_share": round(1 - model_ms / 1000 / slot_seconds, 3),
            "retrieval_pillar_vs_ranx": {k: [round(a, 6), round(b, 6), abs(a - b)] for k, (a, b) in retrieval.items()},
            "azure_max_difference": azure, "answers_compared": compared,
        }
        print(json.dumps(summary, indent=2))
        if args.json:
            Path(args.json).write_text(json.dumps(summary, indent=2))
    finally:
        server.terminate()
        simulator.terminate()
        server.wait(30)
        simulator.wait(30)


if __name__ == "__main__":
    main()
