"""Pillar's retrieval metrics against ranx 0.3.21 (binary relevance, k = 5).

Pillar's names map onto ranx's exactly: hit -> hit_rate@5 (1 when a relevant document is in the top 5;
ranx's hits@5 is a count, not this), recall -> recall@5, mrr -> mrr@5 (reciprocal rank of the first relevant
document in the top 5, per query), ndcg -> ndcg@5 (ranx's default Jarvelin-Kekalainen formulation, not
ndcg_burges). Rankings are random but seeded; run with PILLAR_BIN set to use `pillar eval reference
retrieval`, else the scratch package's `.build/debug/evalref retrieval`.
"""

import json
import os
import random
import subprocess
from pathlib import Path

import pytest
from ranx import Qrels, Run, evaluate

K = 5
METRICS = {"hit": f"hit_rate@{K}", "recall": f"recall@{K}", "mrr": f"mrr@{K}", "ndcg": f"ndcg@{K}"}
PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def reference_command():
    binary = os.environ.get("PILLAR_BIN")
    if binary:
        return [binary, "eval", "reference", "retrieval"]
    local = PACKAGE_ROOT / ".build" / "debug" / "evalref"
    if not local.exists():
        pytest.fail(f"build the package first: {local} is missing")
    return [str(local), "retrieval"]


def pillar_metrics(queries):
    payload = json.dumps({"k": K, "queries": queries})
    completed = subprocess.run(reference_command(), input=payload.encode(), capture_output=True, timeout=120, check=False)
    assert completed.returncode == 0, completed.stderr.decode()
    return json.loads(completed.stdout)


def random_queries(seed, count):
    rng = random.Random(seed)
    documents = [f"d{index}" for index in range(30)]
    queries = []
    for index in range(count):
        ranked = rng.sample(documents, rng.randint(1, 12))
        relevant = rng.sample(documents, rng.randint(1, 6))
        queries.append({"id": f"q{index}", "ranked": ranked, "relevant": relevant})
    # Edge cases: shorter than k, nothing relevant retrieved, everything relevant retrieved first,
    # the only relevant document just past the cut, more relevant documents than k.
    queries += [
        {"id": "short", "ranked": ["d1", "d2"], "relevant": ["d2"]},
        {"id": "miss", "ranked": ["d1", "d2", "d3"], "relevant": ["d9"]},
        {"id": "perfect", "ranked": ["d1", "d2", "d3", "d4"], "relevant": ["d1", "d2"]},
        {"id": "past_cut", "ranked": ["d1", "d2", "d3", "d4", "d5", "d6"], "relevant": ["d6"]},
        {"id": "many_relevant", "ranked": ["d1", "d8", "d2", "d3"], "relevant": ["d1", "d2", "d3", "d4", "d5", "d6", "d7"]},
    ]
    return queries


def ranx_metrics(queries):
    qrels = Qrels({q["id"]: {doc: 1 for doc in q["relevant"]} for q in queries})
    # Distinct, decreasing scores keep each ranking's order.
    run = Run({q["id"]: {doc: float(len(q["ranked"]) - rank) for rank, doc in enumerate(q["ranked"])} for q in queries})
    means = evaluate(qrels, run, list(METRICS.values()))
    return means, run.scores


@pytest.mark.parametrize("seed", [7, 2024])
def test_metrics_match_ranx_per_query_and_mean(seed):
    queries = random_queries(seed, 200)
    ours = pillar_metrics(queries)
    means, per_query = ranx_metrics(queries)

    assert [row["id"] for row in ours["per_query"]] == [q["id"] for q in queries]
    for row in ours["per_query"]:
        for name, ranx_name in METRICS.items():
            assert row[name] == pytest.approx(per_query[ranx_name][row["id"]], abs=1e-9), (row["id"], name)
    for name, ranx_name in METRICS.items():
        assert ours["mean"][name] == pytest.approx(means[ranx_name], abs=1e-9), name


def test_hand_computed_query():
    ours = pillar_metrics([{"id": "q1", "ranked": ["d3", "d1", "d7"], "relevant": ["d1", "d9"]}])
    row = ours["per_query"][0]
    assert row["hit"] == 1
    assert row["recall"] == pytest.approx(0.5, abs=1e-12)
    assert row["mrr"] == pytest.approx(0.5, abs=1e-12)
    # DCG = 1/log2(3); ideal DCG = 1 + 1/log2(3).
    assert row["ndcg"] == pytest.approx(0.6309297535714575 / 1.6309297535714575, abs=1e-12)


def test_bad_input_is_refused():
    completed = subprocess.run(reference_command(), input=b'{"k": 0, "queries": []}', capture_output=True, timeout=60, check=False)
    assert completed.returncode != 0
    assert b"k must be" in completed.stderr
