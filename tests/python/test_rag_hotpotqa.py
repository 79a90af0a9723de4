"""End to end on HotpotQA (../shared/data/hotpotqa): the paragraphs of 30 questions are ingested, each question is
asked through the OpenAI-compatible route with the official `openai` client (`model="pillar:rag"`), and every
citation is checked against what was ingested. The upstream model is the project's simulator, which answers a RAG
prompt by quoting the sentence of its numbered sources that best matches the question, followed by that source's
marker: so a wrong numbering of sources, a marker mapped to the wrong chunk, or lineage that does not point at the
quoted text all fail here."""
import json
import re
from pathlib import Path

import pytest
import requests
from openai import OpenAI

from conftest import ADMIN_KEY, start_pillar

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "hotpotqa" / "hotpot_100.json"
QUESTIONS = 30


@pytest.fixture(scope="module")
def corpus(simulator):
    questions = json.loads(DATA.read_text())[:QUESTIONS]
    config = {"deployments": [{"name": "sim", "baseURL": simulator, "model": "simulated",
                               "models": ["gpt-4o-mini", "sim-embed"]}],
              "retrieval": {"embeddingModel": "sim-embed"}}
    process, base = start_pillar(config)
    documents = {}
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    for item in questions:
        for title, sentences in item["context"]:
            source = "hotpot/" + title
            if source in documents:
                continue
            content = "".join(sentences).strip()
            response = requests.post(base + "/v1/documents", headers=headers, timeout=60,
                                     json={"source": source, "title": title, "content": content, "format": "text"})
            assert response.status_code == 201, response.text
            documents[source] = {"id": response.json()["document"]["id"], "content": content, "title": title}
    yield base, questions, documents
    process.stop()


def cited_sentences(answer):
    """(sentence, marker) pairs: the text before each [n] marker."""
    return [(match.group(1).strip(), int(match.group(2))) for match in re.finditer(r"([^\[\]]+?)\s*\[(\d+)\]", answer)]


def test_citations_point_to_real_chunks_of_the_right_documents(corpus):
    base, questions, documents = corpus
    client = OpenAI(base_url=base + "/v1", api_key=ADMIN_KEY, max_retries=0)
    by_id = {document["id"]: source for source, document in documents.items()}
    own_context_hits = 0
    for item in questions:
        completion = client.chat.completions.create(
            model="pillar:rag", messages=[{"role": "user", "content": item["question"]}])
        message = completion.choices[0].message
        citations = message.model_extra["context"]["citations"]
        pillar = completion.model_extra["pillar"]
        assert completion.model == "pillar:rag"
        assert pillar["flow"]["name"] == "rag" and pillar["prompt"]["name"] == "rag-answer"
        assert citations, f"no sources for {item['question']!r}"
        assert [citation["marker"] for citation in citations] == list(range(1, len(citations) + 1))
        pairs = cited_sentences(message.content)
        assert pairs, f"the answer cites nothing: {message.content!r}"
        assert sorted({marker for _, marker in pairs}) == sorted(pillar["cited"])
        by_marker = {citation["marker"]: citation for citation in citations}
        for sentence, marker in pairs:
            citation = by_marker[marker]
            # The chunk is real and its lineage exact: the document's text at [start, end) is the chunk's text.
            source = by_id[citation["document_id"]]
            assert citation["source_uri"] == source
            assert documents[source]["content"][citation["start"]:citation["end"]] == citation["text"]
            assert citation["title"] == documents[source]["title"]
            # The marker names the passage the sentence was taken from.
            assert sentence in citation["text"], (sentence, citation["text"])
        context_titles = {"hotpot/" + title for title, _ in item["context"]}
        if all(by_id[by_marker[marker]["document_id"]] in context_titles for _, marker in pairs):
            own_context_hits += 1
    # Retrieval is not perfect (the 30 questions share one index of ~300 paragraphs), but nearly every answer
    # should cite paragraphs given with its own question.
    assert own_context_hits >= 0.8 * len(questions), own_context_hits


def test_streaming_carries_the_sources_first_and_the_trace_last(corpus):
    base, questions, documents = corpus
    client = OpenAI(base_url=base + "/v1", api_key=ADMIN_KEY, max_retries=0)
    item = questions[0]
    chunks = list(client.chat.completions.create(
        model="pillar:rag", messages=[{"role": "user", "content": item["question"]}], stream=True))
    first_delta = chunks[0].choices[0].delta
    citations = first_delta.model_extra["context"]["citations"]
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert cited_sentences(text)
    for sentence, marker in cited_sentences(text):
        assert sentence in citations[marker - 1]["text"]
    trace_id = chunks[-1].model_extra["pillar"]["trace_id"]
    trace = requests.get(f"{base}/v1/traces/{trace_id}", headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=10)
    assert trace.status_code == 200
    assert trace.json()["standalone_query"] == item["question"]
    assert [chunk["chunk_id"] for chunk in trace.json()["retrieved"]] == [c["chunk_id"] for c in citations]
