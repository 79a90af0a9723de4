"""`GET /v1/traces`: finding answers by time, user, flow and outcome, newest first and paged; a user finds only
their own, an admin the tenant's."""
import time

import requests

from conftest import ADMIN_KEY

ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


def ask(base, headers, message):
    answer = requests.post(base + "/v1/chat", headers=headers, json={"message": message}, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()["trace_id"]


def search(base, headers, **query):
    return requests.get(base + "/v1/traces", headers=headers, params=query, timeout=10)


def test_traces_are_found_by_time_user_flow_and_outcome(pillar):
    base = pillar.base
    created = requests.post(base + "/v1/admin/keys", headers=ADMIN, json={"name": "trace searcher", "role": "user"}, timeout=10)
    assert created.status_code == 201, created.text
    user = {"Authorization": f"Bearer {created.json()['secret']}"}
    user_subject = created.json()["key"]["id"]
    document = {"source": "handbook/trace-search.md", "title": "Handbook",
                "content": "The handbook says employees get 30 days of vacation.", "format": "markdown"}
    assert requests.post(base + "/v1/documents", headers=ADMIN, json=document, timeout=60).status_code in (200, 201)
    started = time.time()
    first = ask(base, ADMIN, "What is in the handbook?")
    second = ask(base, ADMIN, "And what else?")
    mine = ask(base, user, "What does the handbook say about vacation?")

    listed = search(base, ADMIN, **{"from": started})
    assert listed.status_code == 200, listed.text
    ids = [t["id"] for t in listed.json()["data"]]
    assert ids[:3] == [mine, second, first], "newest first"
    summary = listed.json()["data"][0]
    assert summary["subject"] == user_subject and summary["flow"]["name"] == "rag" and summary["status"] == "succeeded"
    assert summary["duration_ms"] > 0 and summary["total_tokens"] > 0 and summary["created_at"] >= started
    assert "message" not in summary and "retrieved" not in summary, "a summary carries no words of the conversation"

    # Filters: the user, the flow, the outcome, the time window.
    assert [t["id"] for t in search(base, ADMIN, subject=user_subject).json()["data"]] == [mine]
    assert search(base, ADMIN, flow="no-such-flow", **{"from": started}).json()["data"] == []
    assert search(base, ADMIN, status="failed", **{"from": started}).json()["data"] == []
    assert len(search(base, ADMIN, status="succeeded", **{"from": started}).json()["data"]) == 3
    assert search(base, ADMIN, to=started - 3600, **{"from": started - 7200}).json()["data"] == []

    # Paging: one at a time, the cursor is the last id.
    page = search(base, ADMIN, limit=1, **{"from": started}).json()
    assert [t["id"] for t in page["data"]] == [mine] and page["has_more"]
    page = search(base, ADMIN, limit=2, after=mine, **{"from": started}).json()
    assert [t["id"] for t in page["data"]] == [second, first] and not page["has_more"]

    # A user finds their own answers only, and may not name someone else.
    assert [t["id"] for t in search(base, user, **{"from": started}).json()["data"]] == [mine]
    refused = search(base, user, subject="key_someone_else")
    assert refused.status_code == 403

    for query in ({"from": "yesterday"}, {"to": "-1"}, {"status": "skipped"}, {"subject": ""}, {"after": "no-such-trace"}):
        bad = search(base, ADMIN, **query)
        assert bad.status_code == 400, (query, bad.text)
        assert bad.json()["error"]["param"] in {"from", "to", "status", "subject", "after"}


def test_a_trace_carries_the_gateway_calls_made_for_it(pillar):
    """A trace lists the gateway's calls of its answer (found by the telemetry trace id the server's tracing gives
    both), the same records as GET /v1/admin/turns, and no other answer's; `cost_usd` is null when no call has a
    price (the suite's models have none)."""
    base = pillar.base
    document = {"source": "handbook/trace-calls.md", "content": "The handbook says the office opens at nine."}
    assert requests.post(base + "/v1/documents", headers=ADMIN, json=document, timeout=60).status_code in (200, 201)
    first, second = ask(base, ADMIN, "When does the office open?"), ask(base, ADMIN, "When does it open again?")
    trace = requests.get(base + f"/v1/traces/{first}", headers=ADMIN, timeout=10).json()
    calls = trace["turns"]
    answer = next(node for node in trace["nodes"] if node["name"] == "answer")
    chat = next(call for call in calls if call["model"] == "gpt-4o-mini")
    assert chat["prompt_tokens"] == answer["usage"]["prompt_tokens"] and chat["status"] == "succeeded", calls
    assert chat["deployment"] == "sim" and trace["cost_usd"] is None and chat.get("cost_usd") is None
    recorded = {turn["id"]: turn for turn in requests.get(base + "/v1/admin/turns", headers=ADMIN, params={"limit": 100},
                                                            timeout=10).json()["data"]}
    assert all(recorded[call["id"]]["trace_id"] == trace["telemetry_trace_id"] for call in calls)
    other = requests.get(base + f"/v1/traces/{second}", headers=ADMIN, timeout=10).json()["turns"]
    assert other and not {call["id"] for call in other} & {call["id"] for call in calls}
