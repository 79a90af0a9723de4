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
