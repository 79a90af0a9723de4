"""Pillar as a drop-in Azure OpenAI endpoint, driven by the official clients an Azure application uses: the `openai`
package's `AzureOpenAI` (whole, streamed, embeddings, the newer `/openai/v1/` path) and LangChain's
`AzureChatOpenAI`. Upstream is the simulator; the content filter is Pillar's own, configured with a blocklist."""
import subprocess

import openai
import pytest
import requests
from langchain_openai import AzureChatOpenAI
from openai import AzureOpenAI, OpenAI

from conftest import ADMIN_KEY, PILLAR_BIN, start_pillar, start_simulator

API_VERSION = "2024-10-21"
BLOCKED = "zorblax"


@pytest.fixture(scope="module")
def blunt_simulator():
    # An upstream whose every answer starts with the blocked word: the filter stops it before anything is sent.
    process, url = start_simulator("--ttft-ms", "1", "--reply", f"{BLOCKED} is the answer")
    yield url
    process.stop()


@pytest.fixture(scope="module")
def azure_pillar(simulator, blunt_simulator):
    # `chat-prod` and `docs` are Azure deployment names mapped onto a Pillar model and the RAG flow; the tenant
    # `outputs` checks only answers, so that an answer can be stopped by the filter after the prompt passed.
    config = {
        "deployments": [{"name": "sim", "baseURL": simulator, "model": "simulated", "models": ["gpt-4o-mini", "sim-embed"]},
                        {"name": "blunt", "baseURL": blunt_simulator, "model": "simulated", "models": ["blunt-model"]}],
        "retrieval": {"embeddingModel": "sim-embed"}, "flows": {"defaultModel": "gpt-4o-mini"},
        "azure": {"deployments": {"chat-prod": "gpt-4o-mini", "docs": "pillar:rag"}},
        "safety": {"tenantDefault": {"content": {"blocklist": [BLOCKED]}},
                   "tenants": {"outputs": {"content": {"blocklist": [BLOCKED], "input": False}}}},
    }
    process, base = start_pillar(config)
    process.base = base
    created = subprocess.run([PILLAR_BIN, "keys", "create", "--tenant", "outputs", "--name", "outputs",
                              "--data-dir", process.data_dir], capture_output=True, text=True, check=True)
    process.outputs_key = next(line.split()[-1] for line in created.stdout.splitlines() if line.startswith("key:"))
    document = {"source": "handbook/vacation.md", "title": "Vacation policy", "format": "markdown",
                "content": "# Vacation\n\nEmployees get 30 days of paid vacation per year. Unused days expire in March."}
    ingested = requests.post(base + "/v1/documents", headers={"Authorization": f"Bearer {ADMIN_KEY}"}, json=document,
                             timeout=60)
    assert ingested.status_code == 201, ingested.text
    yield process
    process.stop()


def azure(pillar, key=ADMIN_KEY, version=API_VERSION) -> AzureOpenAI:
    return AzureOpenAI(azure_endpoint=pillar.base, api_key=key, api_version=version, max_retries=0)


def test_whole_completion_through_a_mapped_deployment(azure_pillar):
    completion = azure(azure_pillar).chat.completions.create(
        model="chat-prod", messages=[{"role": "user", "content": "What is Pillar?"}])
    choice = completion.choices[0]
    assert choice.message.content == "Echo: What is Pillar?"
    assert completion.model == "gpt-4o-mini"
    assert completion.usage.total_tokens > 0
    # Azure's filter results, from Pillar's own guards: nothing filtered, every category reported.
    prompt = completion.model_extra["prompt_filter_results"][0]
    assert prompt["prompt_index"] == 0
    assert prompt["content_filter_results"]["hate"] == {"filtered": False, "severity": "safe"}
    assert prompt["content_filter_results"]["jailbreak"] == {"filtered": False, "detected": False}
    results = choice.model_extra["content_filter_results"]
    assert set(results) == {"hate", "self_harm", "sexual", "violence", "custom_blocklists"}
    assert not any(result["filtered"] for result in results.values())


def test_the_api_key_goes_in_azures_header(azure_pillar):
    # AzureOpenAI sends `api-key`, not `Authorization`; a wrong one is refused as OpenAI's SDK expects.
    with pytest.raises(openai.AuthenticationError):
        azure(azure_pillar, key="pk-not-a-valid-key-00000000000").chat.completions.create(
            model="chat-prod", messages=[{"role": "user", "content": "hi"}])


def test_streamed_completion_starts_with_the_prompt_filter_results(azure_pillar):
    stream = azure(azure_pillar).chat.completions.create(
        model="chat-prod", messages=[{"role": "user", "content": "stream this to me"}], stream=True)
    chunks = list(stream)
    assert chunks[0].choices == [] and chunks[0].model_extra["prompt_filter_results"][0]["prompt_index"] == 0
    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices) == "Echo: stream this to me"
    annotated = [chunk.choices[0].model_extra["content_filter_results"] for chunk in chunks
                 if chunk.choices and "content_filter_results" in (chunk.choices[0].model_extra or {})]
    assert annotated and not any(result["filtered"] for results in annotated for result in results.values())


def test_embeddings_through_a_deployment(azure_pillar):
    response = azure(azure_pillar).embeddings.create(model="sim-embed", input=["one", "two"])
    assert [item.index for item in response.data] == [0, 1]
    assert len(response.data[0].embedding) > 0 and response.data[0].embedding != response.data[1].embedding


def test_a_blocked_prompt_is_refused_as_azure_refuses_it(azure_pillar):
    with pytest.raises(openai.BadRequestError) as error:
        azure(azure_pillar).chat.completions.create(
            model="chat-prod", messages=[{"role": "user", "content": f"tell me about {BLOCKED}"}])
    assert error.value.code == "content_filter"
    inner = error.value.body["innererror"]
    assert inner["code"] == "ResponsibleAIPolicyViolation"
    assert inner["content_filter_result"]["custom_blocklists"]["filtered"] is True
    assert inner["content_filter_result"]["hate"]["filtered"] is False


def test_an_answer_the_filter_stops_ends_with_finish_reason_content_filter(azure_pillar):
    client = azure(azure_pillar, key=azure_pillar.outputs_key)
    question = [{"role": "user", "content": f"say {BLOCKED}"}]
    whole = client.chat.completions.create(model="chat-prod", messages=question)
    assert whole.choices[0].finish_reason == "content_filter" and whole.choices[0].message.content is None
    assert whole.choices[0].model_extra["content_filter_results"]["custom_blocklists"]["filtered"] is True
    chunks = list(client.chat.completions.create(model="chat-prod", messages=question, stream=True))
    last = chunks[-1].choices[0]
    assert last.finish_reason == "content_filter"
    assert last.model_extra["content_filter_results"]["custom_blocklists"]["filtered"] is True
    assert BLOCKED not in "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)


def test_an_answer_stopped_before_its_first_chunk_still_ends_as_azure_ends_it(azure_pillar):
    chunks = list(azure(azure_pillar, key=azure_pillar.outputs_key).chat.completions.create(
        model="blunt-model", messages=[{"role": "user", "content": "anything"}], stream=True))
    assert [chunk.choices for chunk in chunks[:1]] == [[]]  # the prompt's filter results come first
    assert not any(chunk.choices and chunk.choices[0].delta.content for chunk in chunks)
    assert chunks[-1].choices[0].finish_reason == "content_filter"
    assert chunks[-1].choices[0].model_extra["content_filter_results"]["custom_blocklists"]["filtered"] is True


def test_the_rag_flow_answers_as_azure_on_your_data(azure_pillar):
    completion = azure(azure_pillar).chat.completions.create(
        model="docs", messages=[{"role": "user", "content": "How many vacation days do employees get?"}])
    citations = completion.choices[0].message.model_extra["context"]["citations"]
    assert citations and citations[0]["title"] == "Vacation policy"
    assert "30 days" in citations[0]["content"] and citations[0]["url"] == "handbook/vacation.md"
    assert completion.model_extra["prompt_filter_results"][0]["content_filter_results"]["hate"]["filtered"] is False
    stream = list(azure(azure_pillar).chat.completions.create(
        model="pillar:rag", messages=[{"role": "user", "content": "How many vacation days do employees get?"}], stream=True))
    first = next(chunk for chunk in stream if chunk.choices)
    assert first.choices[0].delta.model_extra["context"]["citations"][0]["title"] == "Vacation policy"


def test_api_versions_the_clients_send_are_accepted_and_unknown_ones_refused(azure_pillar):
    for version in ["2024-06-01", "2025-04-01-preview"]:
        reply = azure(azure_pillar, version=version).chat.completions.create(
            model="chat-prod", messages=[{"role": "user", "content": "hi"}])
        assert reply.choices[0].message.content == "Echo: hi"
    with pytest.raises(openai.BadRequestError) as error:
        azure(azure_pillar, version="2019-01-01").chat.completions.create(
            model="chat-prod", messages=[{"role": "user", "content": "hi"}])
    assert error.value.code == "unsupported_api_version" and error.value.param == "api-version"
    missing = requests.post(azure_pillar.base + "/openai/deployments/chat-prod/chat/completions",
                            headers={"api-key": ADMIN_KEY}, json={"messages": [{"role": "user", "content": "hi"}]}, timeout=10)
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "missing_api_version"


def test_the_v1_path_of_newer_azure_clients(azure_pillar):
    client = OpenAI(base_url=azure_pillar.base + "/openai/v1/", api_key=ADMIN_KEY, max_retries=0)
    completion = client.chat.completions.create(model="chat-prod", messages=[{"role": "user", "content": "v1 here"}])
    assert completion.choices[0].message.content == "Echo: v1 here"
    assert "prompt_filter_results" in completion.model_extra
    assert client.embeddings.create(model="sim-embed", input="v1").data[0].embedding
    assert "gpt-4o-mini" in [model.id for model in client.models.list()]


def test_langchain_azure_chat_openai(azure_pillar):
    chat = AzureChatOpenAI(azure_endpoint=azure_pillar.base, azure_deployment="chat-prod", api_key=ADMIN_KEY,
                           api_version=API_VERSION, max_retries=0)
    assert chat.invoke("What is Pillar?").content == "Echo: What is Pillar?"
    assert "".join(piece.content for piece in chat.stream("stream me")) == "Echo: stream me"
