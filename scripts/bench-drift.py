#!/usr/bin/env python3
"""Query-drift detection: Pillar's test (MMD² with a permutation p-value, `EmbeddingDrift`) against Evidently's
embedding drift methods (its default, a domain classifier's ROC AUC > 0.55, and its MMD > 0.015), on the same
samples in one run.

Queries are embedded by the embedded all-MiniLM-L6-v2 (through a `pillar serve` started with the local
embedder). Two pools: the 100 HotpotQA questions (../shared/data/hotpotqa) and 96 questions about operating a
software service, written from templates below: a copilot for one corpus that starts getting questions about
another. Each trial draws a reference window and a current window of `--per-side` questions, disjoint:
- false alarms: both windows from HotpotQA (the same distribution);
- power: the current window has a share of operations questions (0.2, 0.5, 1.0), the rest HotpotQA.
Pillar's p-value is read at 0.05, at the shipped monitor's warning (0.01) and at its alert (0.002); Evidently's
methods at their own defaults.

    scripts/bench-drift.py [--pillar .build/release/pillar] [--bench .build/release/PillarDriftBench]
                           [--trials 200] [--per-side 30] [--json out.json]

Evidently 0.7.23 with pandas 2.3.3 (it does not import under pandas 3) is installed into $PILLAR_CACHE/evidently-venv on first
use; this script re-runs itself there.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("PILLAR_CACHE", Path.home() / ".cache" / "pillar"))
VENV = CACHE / "evidently-venv"
DATA = REPO.parent / "shared" / "data" / "hotpotqa" / "hotpot_100.json"
KEY = "pk-bench-drift-admin-key-00000000000"

SUBJECTS = ["the API key", "the TLS certificate", "the database backup", "the nightly deployment", "the load balancer",
            "the message queue", "the staging cluster", "the audit log", "the rate limiter", "the cache",
            "the search index", "the billing export"]
FORMS = ["How do I rotate {s} without downtime?", "Why did {s} fail after the last upgrade?",
         "Who is allowed to change {s} in production?", "Where are the logs for {s} kept?",
         "What alert fires when {s} is unhealthy?", "How often should {s} be checked?",
         "Can {s} be restored from yesterday's snapshot?", "Which team owns {s}?"]


def ensure_venv():
    python = VENV / "bin" / "python"
    if Path(sys.prefix).resolve() == VENV.resolve():
        return
    check = subprocess.run([str(python), "-c", "import evidently, numpy, pandas, sklearn"], capture_output=True) \
        if python.exists() else None
    if check is None or check.returncode != 0:
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "evidently==0.7.23", "pandas==2.3.3"], check=True)
    os.execv(str(python), [str(python), *sys.argv])


def embed(pillar, texts):
    sys.path.insert(0, str(REPO / "scripts"))
    import benchlib
    port = benchlib.free_port()
    data_dir = tempfile.mkdtemp(prefix="pillar-bench-drift-")
    env = dict(os.environ, PILLAR_BOOTSTRAP_KEY=KEY, PILLAR_LOCAL_MODEL_MODE="off", PILLAR_RETRIEVAL_LOCAL_EMBEDDER_MODE="on")
    log = open(Path(data_dir) / "serve.log", "wb")
    server = subprocess.Popen([pillar, "serve", "--port", str(port), "--data-dir", data_dir], env=env,
                              stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        benchlib.wait(base + "/readyz", server, timeout=300)
        vectors = []
        for start in range(0, len(texts), 32):
            answer = benchlib.call(base, KEY, "POST", "/v1/embeddings",
                                   {"model": "all-minilm-l6-v2", "input": texts[start:start + 32]})
            vectors += [item["embedding"] for item in sorted(answer["data"], key=lambda item: item["index"])]
        return vectors
    finally:
        server.terminate()
        server.wait(30)


def trials(hotpot, ops, per_side, count, share, seed):
    rng = random.Random(seed)
    pairs = []
    for _ in range(count):
        drawn = rng.sample(range(len(hotpot)), per_side + per_side - round(share * per_side))
        reference = [hotpot[i] for i in drawn[:per_side]]
        current = [hotpot[i] for i in drawn[per_side:]] + [ops[i] for i in rng.sample(range(len(ops)), round(share * per_side))]
        pairs.append((reference, current))
    return pairs


def pillar_test(bench, pairs, permutations):
    payload = json.dumps({"permutations": permutations,
                          "pairs": [{"reference": r, "current": c} for r, c in pairs]})
    result = subprocess.run([bench], input=payload.encode(), capture_output=True, check=True)
    return json.loads(result.stdout)


def evidently_tests(pairs):
    import pandas as pd
    from evidently.legacy.metrics.data_drift.embedding_drift_methods import mmd, model
    methods = {"evidently model (default)": model(), "evidently mmd": mmd()}
    results = {}
    for name, method in methods.items():
        started = time.perf_counter()
        flags = []
        for reference, current in pairs:
            _, drifted, _ = method(pd.DataFrame(current), pd.DataFrame(reference))
            flags.append(bool(drifted))
        results[name] = {"flags": flags, "seconds": time.perf_counter() - started}
    return results


def main():
    ensure_venv()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pillar", default=str(REPO / ".build" / "release" / "pillar"))
    parser.add_argument("--bench", default=str(REPO / ".build" / "release" / "PillarDriftBench"))
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--per-side", type=int, default=30)
    parser.add_argument("--permutations", type=int, default=999)
    parser.add_argument("--json")
    args = parser.parse_args()

    questions = [item["question"] for item in json.loads(DATA.read_text())]
    operations = [form.format(s=subject) for subject in SUBJECTS for form in FORMS]
    vectors = embed(args.pillar, questions + operations)
    hotpot, ops = vectors[:len(questions)], vectors[len(questions):]
    print(f"embedded {len(hotpot)} HotpotQA and {len(ops)} operations questions with all-MiniLM-L6-v2", flush=True)

    report = {"per_side": args.per_side, "trials": args.trials, "permutations": args.permutations, "settings": {}}
    print("| current window | trials | Pillar p<0.05 | Pillar p<0.01 | Pillar p<0.002 | Evidently model | Evidently mmd | "
          "Pillar time/test | Evidently model time/test | Evidently mmd time/test |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for share in [0.0, 0.2, 0.5, 1.0]:
        count = args.trials if share == 0 else max(50, args.trials // 2)
        pairs = trials(hotpot, ops, args.per_side, count, share, seed=int(share * 100) + 1)
        ours = pillar_test(args.bench, pairs, args.permutations)
        theirs = evidently_tests(pairs)
        row = {"pillar_p05": sum(p < 0.05 for p in ours["pValues"]) / count,
               "pillar_p01": sum(p < 0.01 for p in ours["pValues"]) / count,
               "pillar_p002": sum(p < 0.002 for p in ours["pValues"]) / count,
               "pillar_seconds_per_test": ours["seconds"] / count}
        for name, result in theirs.items():
            row[name] = sum(result["flags"]) / count
            row[name + " seconds_per_test"] = result["seconds"] / count
        report["settings"][str(share)] = row
        label = "HotpotQA only (no drift)" if share == 0 else f"{int(share * 100)}% operations questions"
        print(f"| {label} | {count} | {row['pillar_p05']:.3f} | {row['pillar_p01']:.3f} | {row['pillar_p002']:.3f} | "
              f"{row['evidently model (default)']:.3f} | {row['evidently mmd']:.3f} | "
              f"{row['pillar_seconds_per_test'] * 1000:.1f} ms | "
              f"{row['evidently model (default) seconds_per_test'] * 1000:.1f} ms | "
              f"{row['evidently mmd seconds_per_test'] * 1000:.1f} ms |", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
