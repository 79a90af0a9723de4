"""An evaluation run over HotpotQA (../shared/data/hotpotqa) on the embedded defaults: the local SmolLM2 model
answers and judges, the local all-MiniLM-L6-v2 model embeds. Small enough for CI (six questions' paragraphs,
one repeat); it shows the whole path works with a real model, and that Pillar's retrieval metrics agree with
HotpotQA's own reading of hit@5 (a top-5 passage holds the gold answer) on the same answers."""
import json
import time
from pathlib import Path

import pytest
import requests

from conftest import ADMIN_KEY, start_pillar

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "hotpotqa" / "hotpot_100.json"
HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}
QUESTIONS = 6


@pytest.fixture(scope="module")
def local_pillar():
    process, base = start_pillar(config=None, env={"PILLAR_RETRIEVAL_LOCAL_EMBEDDER_MODE": "on"})
    yield base
    process.stop()


def test_a_run_over_hotpotqa_with_the_local_model(local_pillar, tmp_path):
    base = local_pillar
    questions = [q for q in json.loads(DATA.read_text()) if q["answer"].lower() not in ("yes", "no")][:QUESTIONS]
    paragraphs = {}
    for question in questions:
        for title, sentences in question["context"]:
            paragraphs.setdefault(title, "".join(sentences).strip())
    for title, content in paragraphs.items():
        response = requests.post(base + "/v1/documents", headers=HEADERS, timeout=120,
                                 json={"source": "hotpot/" + title, "title": title, "content": content, "format": "text"})
        assert response.status_code == 201, response.text
    lines = []
    for question in questions:
        gold = question["answer"]
        holding = sorted("hotpot/" + title for title, content in paragraphs.items()
                         if title in {t for t, _ in question["context"]} and gold.lower() in content.lower())
        lines.append(json.dumps({"id": question["_id"], "question": question["question"], "expected_answer": gold,
                                 "expected_facts": [gold], "expected_sources": holding, "tags": ["hotpotqa"]}))
    imported = requests.post(base + "/v1/admin/eval/datasets/hotpotqa?format=jsonl", headers=HEADERS, timeout=60,
                             data="\n".join(lines) + "\n")
    assert imported.status_code == 201, imported.text

    started = requests.post(base + "/v1/admin/eval/runs", headers=HEADERS, timeout=60, json={"dataset": "hotpotqa"})
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    deadline = time.time() + 900
    while (run := requests.get(f"{base}/v1/admin/eval/runs/{run_id}", headers=HEADERS, timeout=60).json())["status"] == "running":
        assert time.time() < deadline, run
        time.sleep(1)
    assert run["status"] == "completed", run.get("error")
    assert run["versions"]["models"] == ["smollm2-135m-instruct"]
    assert run["prompt_tokens"] > 0 and run["completion_tokens"] > 0

    results = requests.get(f"{base}/v1/admin/eval/runs/{run_id}/results", headers=HEADERS, timeout=60).json()["data"]
    assert len(results) == QUESTIONS
    expected = {json.loads(line)["id"]: json.loads(line) for line in lines}
    for result in results:
        scores = result["scores"]
        assert result["status"] == "answered", result
        assert result["latency_ms"] > 0 and result["trace_id"]
        # HotpotQA's hit@5: one of the first five retrieved passages holds the gold answer.
        top = []
        for source in sorted(result["retrieved"], key=lambda s: s["rank"]):
            if source["source_uri"] not in top:
                top.append(source["source_uri"])
        gold = expected[result["item_id"]]["expected_answer"].lower()
        holds = any(gold in paragraphs[uri.removeprefix("hotpot/")].lower() for uri in top[:5])
        assert scores["hit@5"]["value"] == (1.0 if holds else 0.0), (result["item_id"], top, scores["hit@5"])
        # Each judge either scored on its rubric or said why not: a 135M model often answers off the rubric.
        for judge in ("groundedness", "relevance", "coherence", "correctness"):
            score = scores[judge]
            assert (score.get("value") in (1, 2, 3, 4, 5)) or "judge_off_rubric" in (score.get("error") or ""), score
    report = requests.get(f"{base}/v1/admin/eval/runs/{run_id}/report", headers=HEADERS, timeout=60)
    assert report.status_code == 200 and "hit@5" in report.text
    (tmp_path / "report.md").write_text(report.text)
