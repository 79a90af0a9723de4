"""`pillar serve` with no configuration at all serves the embedded SmolLM2 model through llama.cpp."""
import pytest
from openai import OpenAI

from conftest import ADMIN_KEY, start_pillar


@pytest.fixture(scope="module")
def local_pillar():
    process, base = start_pillar(config=None)
    yield base
    process.stop()


def test_the_openai_client_chats_with_the_local_model(local_pillar):
    client = OpenAI(base_url=local_pillar + "/v1", api_key=ADMIN_KEY, max_retries=0)
    assert [model.id for model in client.models.list()] == ["pillar:rag", "smollm2-135m-instruct"]
    completion = client.chat.completions.create(
        model="smollm2-135m-instruct", temperature=0, max_tokens=24,
        messages=[{"role": "user", "content": "What is the capital of France? Answer in one word."}])
    assert "Paris" in completion.choices[0].message.content
    assert completion.usage.prompt_tokens > 0 and completion.usage.completion_tokens > 0

    stream = client.chat.completions.create(
        model="smollm2-135m-instruct", temperature=0, max_tokens=24, stream=True,
        stream_options={"include_usage": True},
        messages=[{"role": "system", "content": "Answer only from the context. Context: The Zorblat river flows through the city of Quenmar."},
                  {"role": "user", "content": "Which city does the Zorblat river flow through?"}])
    chunks = list(stream)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert "Quenmar" in text
    assert chunks[-1].usage.completion_tokens > 0


def test_the_readme_quick_start_answers_as_the_readme_says(local_pillar):
    """The README's quick-start call, exactly as written (no temperature, no max_tokens): the local model's
    default sampling and reply cap make it answer right, and promptly."""
    client = OpenAI(base_url=local_pillar + "/v1", api_key=ADMIN_KEY, max_retries=0)
    for _ in range(5):
        answer = client.chat.completions.create(model="smollm2-135m-instruct",
              messages=[{"role": "user", "content": "What is the capital of France?"}])
        assert "Paris" in answer.choices[0].message.content
        assert answer.usage.completion_tokens <= 512
