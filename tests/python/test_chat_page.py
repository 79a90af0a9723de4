"""The chat page as a person uses it, in headless Chromium."""
import shutil

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ADMIN_KEY


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,800"]:
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()


def use_key(browser, key):
    browser.find_element(By.ID, "api-key").send_keys(key)
    browser.find_element(By.ID, "save-key").click()


def model_ids(browser):
    return browser.execute_script("return [...document.querySelectorAll('#model option')].map((o) => o.value)")


def pick_model(browser, model_id, timeout=20):
    WebDriverWait(browser, timeout).until(lambda _: model_id in model_ids(browser), f"{model_id} is not in the picker")
    Select(browser.find_element(By.ID, "model")).select_by_value(model_id)


def conversation_titles(browser):
    return browser.execute_script(
        "return [...document.querySelectorAll('#conversations .conversation')].map((b) => b.textContent)")


def test_chat_streams_a_reply(pillar, browser):
    browser.get(pillar.base + "/")
    use_key(browser, ADMIN_KEY)
    wait = WebDriverWait(browser, 20)
    # The picker lists the deployments' models and, since flows arrived, `pillar:` flows too.
    wait.until(lambda _: {"gpt-4o-mini", "throttled-model"} <= set(model_ids(browser)))
    Select(browser.find_element(By.ID, "model")).select_by_value("gpt-4o-mini")
    browser.find_element(By.ID, "prompt").send_keys("hello from the page")
    browser.find_element(By.ID, "send").click()
    wait.until(conditions.text_to_be_present_in_element((By.CSS_SELECTOR, "#messages li.assistant"), "Echo: hello from the page"))
    assert browser.find_element(By.CSS_SELECTOR, "#messages li.user").text == "hello from the page"
    assert not browser.find_element(By.ID, "error").is_displayed()
    assert browser.execute_script("return sessionStorage.getItem('pillar.apiKey')") == ADMIN_KEY


def test_errors_are_said_plainly(pillar, browser):
    browser.get(pillar.base + "/")
    use_key(browser, "pk-not-a-valid-key-000000000000")
    error = WebDriverWait(browser, 20).until(conditions.visibility_of_element_located((By.ID, "error")))
    assert "not valid" in error.text and "401" in error.text


def test_grounded_answer_cites_a_passage_that_opens(pillar, browser):
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    document = {"source": "handbook/vacation.md", "title": "Vacation policy",
                "content": "# Vacation\n\nEmployees get 30 days of paid vacation per year. Unused days expire in March.",
                "format": "markdown"}
    ingested = requests.post(pillar.base + "/v1/documents", headers=headers, json=document, timeout=60)
    assert ingested.status_code in (200, 201), ingested.text  # 200 when an earlier run left it unchanged
    # On the session's fresh server this key has no conversations; counting keeps the test honest if another test
    # adds some first.
    listed = requests.get(pillar.base + "/v1/conversations", headers=headers, timeout=10)
    assert listed.status_code == 200, listed.text
    before = len(listed.json()["data"])

    browser.get(pillar.base + "/")
    use_key(browser, ADMIN_KEY)
    wait = WebDriverWait(browser, 30)
    pick_model(browser, "pillar:rag")
    wait.until(conditions.visibility_of_element_located((By.ID, "conversations")))
    wait.until(lambda _: len(conversation_titles(browser)) == before)

    browser.find_element(By.ID, "prompt").send_keys("How many vacation days do employees get?")
    browser.find_element(By.ID, "send").click()
    citation = wait.until(conditions.element_to_be_clickable((By.CSS_SELECTOR, "#messages li.assistant button.citation")))
    answer = browser.find_element(By.CSS_SELECTOR, "#messages li.assistant")
    assert "30 days of paid vacation" in answer.text
    assert citation.text == "[1]" and citation.get_attribute("data-marker") == "1"
    assert "Vacation policy" in answer.find_element(By.CSS_SELECTOR, "ol.sources").text
    assert "failed" not in answer.get_attribute("class") and "ungrounded" not in answer.get_attribute("class")
    assert not browser.find_element(By.ID, "error").is_displayed()

    assert not browser.find_element(By.ID, "citation-panel").is_displayed(), "hidden until a citation is opened"
    citation.click()
    panel = wait.until(conditions.visibility_of_element_located((By.ID, "citation-panel")))
    assert panel.is_displayed()
    assert "Vacation policy" in browser.find_element(By.ID, "citation-title").text
    assert "30 days of paid vacation" in browser.find_element(By.ID, "citation-text").text
    assert "handbook/vacation.md" in browser.find_element(By.ID, "citation-source").text
    browser.find_element(By.ID, "close-citation").click()
    wait.until(conditions.invisibility_of_element_located((By.ID, "citation-panel")))

    # The chat created a conversation: the sidebar lists it (newest first) as the current one.
    wait.until(lambda _: len(conversation_titles(browser)) == before + 1)
    current = browser.find_element(By.CSS_SELECTOR, "#conversations li.current")
    assert current.find_element(By.CSS_SELECTOR, ".conversation").text.strip(), "the conversation has a title"

    current.find_element(By.CSS_SELECTOR, ".rename").click()
    alert = wait.until(conditions.alert_is_present())
    alert.send_keys("Vacation days")
    alert.accept()
    wait.until(lambda _: "Vacation days" in conversation_titles(browser))
    assert len(conversation_titles(browser)) == before + 1

    # A stored conversation shows its messages and their citations again.
    browser.find_element(By.ID, "new-chat").click()
    wait.until(lambda _: not browser.find_elements(By.CSS_SELECTOR, "#messages li"))
    browser.find_element(By.XPATH, "//nav[@id='conversations']//button[contains(@class, 'conversation')]"
                                   "[normalize-space()='Vacation days']").click()
    reloaded = wait.until(conditions.element_to_be_clickable((By.CSS_SELECTOR, "#messages li.assistant button.citation")))
    assert browser.find_element(By.CSS_SELECTOR, "#messages li.user").text == "How many vacation days do employees get?"
    reloaded.click()
    wait.until(conditions.visibility_of_element_located((By.ID, "citation-panel")))
    assert "30 days of paid vacation" in browser.find_element(By.ID, "citation-text").text

    browser.find_element(By.CSS_SELECTOR, "#conversations li.current .delete").click()
    wait.until(conditions.alert_is_present()).accept()
    wait.until(lambda _: len(conversation_titles(browser)) == before)
    assert "Vacation days" not in conversation_titles(browser)
    assert not browser.find_elements(By.CSS_SELECTOR, "#messages li"), "deleting the open conversation clears the chat"
    assert not browser.find_element(By.ID, "error").is_displayed()


def test_a_tenant_without_documents_is_offered_the_samples(simulator, browser, tmp_path):
    """A newcomer's first grounded answer: the page offers Pillar's own docs, loads them, and the grounded flow
    answers from them with citations."""
    from pathlib import Path
    from conftest import start_pillar

    repository = Path(__file__).resolve().parents[2]
    samples = tmp_path / "samples"
    samples.mkdir()
    for name in ["gateway.md", "retrieval.md"]:
        (samples / name).write_text((repository / "docs" / name).read_text())
    config = {"deployments": [{"name": "sim", "baseURL": simulator, "model": "simulated",
                               "models": ["gpt-4o-mini", "sim-embed"]}],
              "retrieval": {"embeddingModel": "sim-embed", "samplesDirectory": str(samples)},
              "flows": {"defaultModel": "gpt-4o-mini"}}
    process, base = start_pillar(config)
    try:
        browser.get(base + "/")
        use_key(browser, ADMIN_KEY)
        wait = WebDriverWait(browser, 60)
        offer = wait.until(conditions.visibility_of_element_located((By.ID, "samples")))
        assert "No documents yet" in offer.text
        # The grounded flow is the first model offered, so the page starts on it.
        assert model_ids(browser)[0] == "pillar:rag"
        browser.find_element(By.ID, "load-samples").click()
        wait.until(conditions.text_to_be_present_in_element((By.ID, "samples-text"), "Loaded 2 documents"))
        assert browser.find_element(By.ID, "model").get_attribute("value") == "pillar:rag"

        browser.find_element(By.ID, "prompt").send_keys("How does the gateway count tokens for budgets?")
        browser.find_element(By.ID, "send").click()
        wait.until(conditions.element_to_be_clickable((By.CSS_SELECTOR, "#messages li.assistant button.citation")))
        sources = browser.find_element(By.CSS_SELECTOR, "#messages li.assistant ol.sources").text
        assert "The model gateway" in sources or "Grounding data" in sources, sources
        assert not browser.find_element(By.ID, "error").is_displayed()

        listed = requests.get(base + "/v1/documents", headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=10)
        assert sorted(d["source"] for d in listed.json()["data"]) == ["sample:pillar-docs/gateway.md",
                                                                      "sample:pillar-docs/retrieval.md"]
        # With documents in the tenant, a new visit offers nothing.
        browser.get(base + "/")
        use_key(browser, ADMIN_KEY)
        wait.until(lambda _: browser.find_element(By.ID, "samples").get_attribute("data-checked") == "true")
        assert not browser.find_element(By.ID, "samples").is_displayed()
    finally:
        process.stop()


def test_the_chat_page_has_no_serious_accessibility_findings(pillar, browser):
    """axe-core (shipped inside the axe-selenium-python wheel) on the page as a person sees it: signed in with a
    key, a flow picked, an answer with citations on screen and a source open."""
    from axe_selenium_python import Axe

    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    document = {"source": "handbook/parking.md", "title": "Parking", "format": "markdown",
                "content": "# Parking\n\nVisitors park in the north lot. Staff badges open the south garage."}
    assert requests.post(pillar.base + "/v1/documents", headers=headers, json=document, timeout=60).status_code in (200, 201)
    browser.get(pillar.base + "/")
    use_key(browser, ADMIN_KEY)
    wait = WebDriverWait(browser, 30)
    pick_model(browser, "pillar:rag")
    browser.find_element(By.ID, "prompt").send_keys("Where do visitors park?")
    browser.find_element(By.ID, "send").click()
    wait.until(conditions.element_to_be_clickable((By.CSS_SELECTOR, "#messages li.assistant button.citation"))).click()
    wait.until(conditions.visibility_of_element_located((By.ID, "citation-panel")))

    axe = Axe(browser)
    axe.inject()
    results = axe.run()
    serious = [(v["id"], v["impact"], [node["target"] for node in v["nodes"]][:3])
               for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, [(v["id"], [n.get("failureSummary") for n in v["nodes"]][:2]) for v in results["violations"] if v["impact"] in ("serious", "critical")]
