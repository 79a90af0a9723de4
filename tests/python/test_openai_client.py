"""Pillar driven by the official `openai` Python package, as any application would use it."""
import openai
import pytest
import requests
from openai import OpenAI

from conftest import ADMIN_KEY


@pytest.fixture
def client(pillar):
    return OpenAI(base_url=pillar.base + "/v1", api_key=ADMIN_KEY, max_retries=0)


def test_whole_completion_has_content_and_usage(client):
    completion = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "What is Pillar?"}])
    assert completion.choices[0].message.content == "Echo: What is Pillar?"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.model == "gpt-4o-mini"
    assert completion.usage.completion_tokens == 4
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens


def test_streaming_relays_chunks_and_usage_when_asked(client):
    stream = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "stream this to me"}], stream=True,
        stream_options={"include_usage": True})
    chunks = list(stream)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == "Echo: stream this to me"
    assert len([chunk for chunk in chunks if chunk.choices and chunk.choices[0].delta.content]) >= 4
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 5


def test_streaming_without_usage_sends_none(client):
    stream = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "no usage"}], stream=True)
    assert all(chunk.usage is None for chunk in stream)


def test_models_are_listed(client):
    # The deployments' models, the simulator's embedding model, then the tenant's flows.
    assert [model.id for model in client.models.list()] == ["pillar:rag", "gpt-4o-mini", "sim-embed", "throttled-model"]


def test_bad_key_raises_authentication_error(pillar):
    bad = OpenAI(base_url=pillar.base + "/v1", api_key="pk-wrong-key-0000000000000000", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as error:
        bad.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert error.value.code == "invalid_api_key"


def test_unknown_model_raises_not_found(client):
    with pytest.raises(openai.NotFoundError) as error:
        client.chat.completions.create(model="no-such-model", messages=[{"role": "user", "content": "hi"}])
    assert error.value.code == "model_not_found"
    assert error.value.param == "model"


def test_invalid_request_raises_bad_request(client):
    with pytest.raises(openai.BadRequestError) as error:
        client.chat.completions.create(model="gpt-4o-mini", messages=[])
    assert error.value.param == "messages"
    with pytest.raises(openai.BadRequestError) as error:
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}], temperature=5)
    assert error.value.param == "temperature"


def test_upstream_throttling_raises_rate_limit_with_retry_after(client):
    with pytest.raises(openai.RateLimitError) as error:
        client.chat.completions.create(model="throttled-model", messages=[{"role": "user", "content": "hi"}])
    assert error.value.code == "upstream_rate_limited"
    assert error.value.response.headers["retry-after"] == "3"


def test_azure_style_api_key_header(pillar):
    response = requests.post(pillar.base + "/v1/chat/completions", headers={"api-key": ADMIN_KEY},
                             json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "azure style"}]})
    assert response.status_code == 200
    assert response.json()["choices"][0]["message"]["content"] == "Echo: azure style"
