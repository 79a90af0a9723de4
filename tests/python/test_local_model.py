"""`pillar serve` with no configuration at all serves the embedded SmolLM2 model through llama.cpp."""
import shutil
from pathlib import Path

import pytest
from openai import OpenAI
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as conditions
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ADMIN_KEY, start_pillar


@pytest.fixture(scope="module")
def local_pillar():
    # Embedded defaults exactly: the embedding model too, which the other suites leave off.
    process, base = start_pillar(config=None, env={"PILLAR_RETRIEVAL_LOCAL_EMBEDDER_MODE": None})
    yield base
    process.stop()


def test_the_openai_client_chats_with_the_local_model(local_pillar):
    client = OpenAI(base_url=local_pillar + "/v1", api_key=ADMIN_KEY, max_retries=0)
    # Chat first (the grounded flow, then the local model), then the model that only embeds.
    assert [model.id for model in client.models.list()] == ["pillar:rag", "smollm2-135m-instruct", "all-minilm-l6-v2"]
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



def test_the_readme_grounded_example_shows_the_pages_it_names(local_pillar):
    """The README's second example on the embedded defaults, as a newcomer does it in the browser: paste the key,
    load the samples the page offers (Pillar's own documentation, embedded by the embedded embedding model), and
    ask the README's question. The 135M model's wording is not checked (the README says it is often poor), nor
    whether it writes citation markers: the passages listed under the answer are."""
    pages = len(list((Path(__file__).parents[2] / "docs").glob("*.md"))) + 1  # and the README
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]:
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium")
    browser = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        browser.get(local_pillar + "/")
        browser.find_element(By.ID, "api-key").send_keys(ADMIN_KEY)
        browser.find_element(By.ID, "save-key").click()
        wait = WebDriverWait(browser, 60)
        wait.until(conditions.visibility_of_element_located((By.ID, "samples")))
        browser.find_element(By.ID, "load-samples").click()
        WebDriverWait(browser, 900).until(
            conditions.text_to_be_present_in_element((By.ID, "samples-text"), f"Loaded {pages} documents"))
        browser.find_element(By.ID, "prompt").send_keys("How does Pillar keep budgets exact?")
        browser.find_element(By.ID, "send").click()
        listed = WebDriverWait(browser, 300).until(
            conditions.visibility_of_element_located((By.CSS_SELECTOR, "#messages li.assistant ol.sources")))
        assert "The model gateway" in listed.text, listed.text
        assert "Architecture" in listed.text, listed.text
        assert not browser.find_element(By.ID, "error").is_displayed()
    finally:
        browser.quit()
