"""The operator console (`/console/`) as a person uses it, in headless Chromium: each screen's task done through the
page, its result checked through the API too, a screenshot per screen, and axe-core per screen (no serious or
critical findings). The `console` fixture hands a signed-in browser to each test; today it signs in by pasting an
admin API key, and a fixture signing in through an OpenID provider can stand in for it.

plotly.js is served at /console/vendor/plotly.min.js only where the server has it: every check here holds with
and without it (the tables are always there; charts are drawn only when `window.Plotly` exists)."""
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ADMIN_KEY, PILLAR_BIN, start_pillar, start_simulator

SHOTS = Path(os.environ.get("PILLAR_CONSOLE_SHOTS") or tempfile.mkdtemp(prefix="pillar-console-shots-"))
SHOTS.mkdir(parents=True, exist_ok=True)
PROMPT = "console-test-prompt"


def headers(key=ADMIN_KEY):
    return {"Authorization": f"Bearer {key}"}


# ---- The server and the browser --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def console_pillar(simulator):
    """A server of the console's own (its tests create keys, documents, labels and erasures), with a deployment
    that always fails, for the overview's error figures."""
    failing, failing_url = start_simulator("--fail-status", "500")
    config = {"deployments": [
        {"name": "sim", "baseURL": simulator, "model": "simulated", "models": ["gpt-4o-mini", "sim-embed"]},
        {"name": "failing", "baseURL": failing_url, "model": "simulated", "models": ["failing-model"]},
    ], "retrieval": {"embeddingModel": "sim-embed"}, "flows": {"defaultModel": "gpt-4o-mini"}}
    process, base = start_pillar(config)
    process.base = base
    yield process
    process.stop()
    failing.stop()


def new_browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1366,900"]:
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    # Every Content-Security-Policy violation, whatever the console log says about it.
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', (event) => {
          window.__cspViolations.push(event.violatedDirective + ' ' + (event.blockedURI || 'inline') + ' ' + (event.sourceFile || ''));
        });"""})
    return driver


class Console:
    """A browser on the console, with what the tests check on every screen."""

    def __init__(self, driver, base, key=ADMIN_KEY):
        self.driver = driver
        self.base = base
        self.key = key
        self.wait = WebDriverWait(driver, 30)
        self.log = []

    def sign_in_with_key(self, key=None):
        self.key = key or self.key
        self.driver.get(self.base + "/console/")
        field = self.wait.until(conditions.visibility_of_element_located((By.ID, "api-key")))
        field.send_keys(self.key)
        self.driver.find_element(By.ID, "use-key").click()
        self.wait.until(conditions.visibility_of_element_located((By.CSS_SELECTOR, "#nav-list a")))
        return self

    def nav_labels(self):
        return [link.text for link in self.driver.find_elements(By.CSS_SELECTOR, "#nav-list a")]

    def open(self, title):
        """Opens a screen from the nav, as a person does (the keyboard: focus the link, press Enter), and waits
        for focus to land on its heading."""
        link = self.driver.find_element(By.XPATH, f"//nav[@id='nav']//a[normalize-space()='{title}']")
        link.send_keys("\n")
        self.wait.until(lambda _: self.driver.execute_script(
            "const h = document.activeElement; return h && h.tagName === 'H1' && h.closest('#screen') !== null"))
        assert self.driver.find_element(By.CSS_SELECTOR, "#nav-list a[aria-current='page']").text == title
        return self.driver.find_element(By.CSS_SELECTOR, "#screen h1")

    def go(self, hash_path):
        self.driver.execute_script("location.hash = arguments[0]", hash_path)
        self.wait.until(lambda _: self.driver.execute_script(
            "const h = document.activeElement; return h && h.tagName === 'H1'"))

    def status(self):
        return " ".join(node.text for node in self.driver.find_elements(By.CSS_SELECTOR, "#screen [role=status]"))

    def errors(self):
        return [node.text for node in self.driver.find_elements(By.CSS_SELECTOR, "[role=alert]") if node.is_displayed() and node.text]

    def wait_for_status(self, text, timeout=30):
        try:
            WebDriverWait(self.driver, timeout).until(lambda _: text in self.status() or self.errors())
        except TimeoutException:
            raise AssertionError(f"no status {text!r}; status: {self.status()!r}")
        assert not self.errors(), self.errors()
        assert text in self.status()

    def confirm_dialog(self, typed=None):
        dialog = self.wait.until(conditions.visibility_of_element_located((By.CSS_SELECTOR, "dialog.confirm")))
        confirm = dialog.find_element(By.CSS_SELECTOR, "button[value=confirm]")
        if typed is not None:
            assert not confirm.is_enabled(), "the confirm button waits for the typed confirmation"
            dialog.find_element(By.CSS_SELECTOR, "input.confirm-typed").send_keys(typed)
            assert confirm.is_enabled()
        confirm.click()
        self.wait.until(conditions.invisibility_of_element_located((By.CSS_SELECTOR, "dialog.confirm")))

    def plotly(self):
        return self.driver.execute_script("return typeof window.Plotly === 'object'")

    def check_page(self, name):
        """A screenshot, no CSP violation, and axe-core with no serious or critical finding."""
        from axe_selenium_python import Axe

        assert self.driver.save_screenshot(str(SHOTS / f"{name}.png")), f"no screenshot in {SHOTS}"
        self.log += self.driver.get_log("browser")
        violations = self.driver.execute_script("return window.__cspViolations || []")
        csp_lines = [entry["message"] for entry in self.log if "Content Security Policy" in entry["message"]]
        assert not violations and not csp_lines, (violations, csp_lines)
        axe = Axe(self.driver)
        axe.inject()
        results = axe.run()
        serious = [(v["id"], v["impact"], [n.get("failureSummary") for n in v["nodes"]][:2], [n["target"] for n in v["nodes"]][:3])
                   for v in results["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, serious


@pytest.fixture
def browser():
    driver = new_browser()
    yield driver
    driver.quit()


@pytest.fixture
def console(console_pillar, browser):
    """A browser signed in to the console as the platform's admin."""
    return Console(browser, console_pillar.base).sign_in_with_key(ADMIN_KEY)


def api(base, method, path, key=ADMIN_KEY, **kwargs):
    response = requests.request(method, base + path, headers=headers(key), timeout=60, **kwargs)
    return response


def make_key(base, name, role="user"):
    response = api(base, "POST", "/v1/admin/keys", json={"name": name, "role": role})
    assert response.status_code == 201, response.text
    return response.json()


# ---- Signing in ------------------------------------------------------------------------------------------------

def test_sign_in_asks_for_a_key_and_says_why_a_bad_one_fails(console_pillar, browser):
    base = console_pillar.base
    browser.get(base + "/console")  # without the slash: FileMiddleware answers 301 to /console/
    page = Console(browser, base)
    page.wait.until(conditions.visibility_of_element_located((By.ID, "sign-in")))
    assert browser.current_url == base + "/console/"
    assert browser.switch_to.active_element.get_attribute("id") == "sign-in-heading"
    session = requests.get(base + "/auth/session", timeout=10)
    link = browser.find_element(By.ID, "sign-in-link")
    if session.status_code == 404 or not session.json().get("sign_in_url"):
        assert not link.is_displayed(), "no sign-in link where the server offers none"
    else:
        assert link.is_displayed() and link.get_attribute("href").endswith(session.json()["sign_in_url"])
    page.check_page("sign-in")

    browser.find_element(By.ID, "api-key").send_keys("pk-not-a-valid-key-000000000000")
    browser.find_element(By.ID, "use-key").click()
    error = page.wait.until(conditions.visibility_of_element_located((By.ID, "sign-in-error")))
    assert "401" in error.text and "invalid_api_key" in error.text, error.text
    assert browser.execute_script("return sessionStorage.getItem('pillar.apiKey')") is None, "a refused key is dropped"
    page.check_page("sign-in-refused")


def test_sign_out_in_key_mode_forgets_the_key(console):
    assert console.driver.execute_script("return sessionStorage.getItem('pillar.apiKey')") == ADMIN_KEY
    console.driver.find_element(By.ID, "sign-out").click()
    console.wait.until(conditions.visibility_of_element_located((By.ID, "sign-in")))
    assert console.driver.execute_script("return sessionStorage.getItem('pillar.apiKey')") is None
    assert not console.driver.find_element(By.ID, "app").is_displayed()


# ---- Roles -----------------------------------------------------------------------------------------------------

def test_a_platform_admin_sees_every_screen(console):
    assert console.nav_labels() == ["Overview", "API keys", "Documents", "Prompts and flows", "Feedback", "Audit log",
                                    "Data protection", "Gateway", "Metrics", "My account"]
    assert "platform admin" in console.driver.find_element(By.ID, "whoami").text


def test_a_tenant_admin_sees_no_platform_screen(console_pillar, browser):
    created = subprocess.run(
        [PILLAR_BIN, "keys", "create", "--data-dir", console_pillar.data_dir, "--tenant", "acme", "--name", "acme admin",
         "--role", "admin"], capture_output=True, text=True, timeout=60)
    assert created.returncode == 0, created.stderr
    key = next(line.split()[-1] for line in created.stdout.splitlines() if line.startswith("key:"))
    page = Console(browser, console_pillar.base).sign_in_with_key(key)
    assert "Gateway" not in page.nav_labels() and "Metrics" not in page.nav_labels()
    assert "API keys" in page.nav_labels()
    page.go("#/gateway")
    assert "not available" in browser.find_element(By.CSS_SELECTOR, "#screen h1").text
    page.check_page("tenant-admin-refused")


def test_a_user_sees_only_their_own_things_and_sets_consent(console_pillar, browser):
    base = console_pillar.base
    user = make_key(base, "console user")
    page = Console(browser, base).sign_in_with_key(user["secret"])
    assert page.nav_labels() == ["My account"]
    heading = browser.find_element(By.CSS_SELECTOR, "#screen h1")
    assert heading.text == "My account"
    assert "admin role" in browser.find_element(By.ID, "screen").text
    page.go("#/keys")
    assert "not available" in browser.find_element(By.CSS_SELECTOR, "#screen h1").text
    page.go("#/account")
    box = page.wait.until(conditions.element_to_be_clickable((By.ID, "share-conversations")))
    assert not box.is_selected()
    box.click()
    browser.find_element(By.CSS_SELECTOR, "#consent-form button[type=submit]").click()
    page.wait_for_status("go with your ratings")
    assert api(base, "GET", "/v1/me/consent", key=user["secret"]).json() == {"share_conversations": True}
    page.check_page("account-user")


# ---- Screens ---------------------------------------------------------------------------------------------------

def test_overview_shows_usage_by_model_and_key_with_tables_always(console):
    base = console.base
    ok = api(base, "POST", "/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    assert ok.status_code == 200, ok.text
    failed = api(base, "POST", "/v1/chat/completions", json={"model": "failing-model", "messages": [{"role": "user", "content": "hi"}]})
    assert failed.status_code >= 500, failed.text
    failure_code = failed.json()["error"]["code"]
    by_model = {row["group"]: row for row in api(base, "GET", "/v1/admin/usage", params={"group_by": "model"}).json()["data"]}

    console.open("Overview")
    console.wait_for_status("requests")
    totals = console.driver.find_element(By.ID, "overview-totals")
    requests_total = sum(row["requests"] for row in by_model.values())
    assert totals.find_element(By.CSS_SELECTOR, "[data-total=requests]").text == f"{requests_total:,}"

    tables = {table.find_element(By.TAG_NAME, "caption").text: table for table in console.driver.find_elements(By.CSS_SELECTOR, "#screen table")}
    for title in ["Requests and failures by day", "Tokens by day", "Requests and failures by model", "Tokens by key", "Failed turns by error code"]:
        assert f"Table: {title}" in tables, sorted(tables)
    model_rows = {row.find_element(By.TAG_NAME, "th").text: row.text for row in
                  tables["Table: Requests and failures by model"].find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert set(model_rows) == set(by_model)
    assert model_rows["failing-model"].startswith(f"failing-model {by_model['failing-model']['requests']} {by_model['failing-model']['failed']}")
    assert "bootstrap admin" in tables["Table: Tokens by key"].text
    assert failure_code in tables["Table: Failed turns by error code"].text

    if console.plotly():
        console.wait.until(lambda _: len(console.driver.find_elements(By.CSS_SELECTOR, "#screen .chart .main-svg")) >= 5)
        # With plotly.css served from 'self', plotly.js positions its layers without an inline <style>.
        assert console.driver.execute_script(
            "return getComputedStyle(document.querySelector('#screen .chart .main-svg')).position") == "absolute"
    else:
        assert console.driver.find_element(By.CSS_SELECTOR, "[data-charts=unavailable]").is_displayed()
        assert not console.driver.find_elements(By.CSS_SELECTOR, "#screen .chart")
    console.check_page("overview")


def test_keys_create_shows_the_secret_once_then_revoke(console):
    base = console.base
    console.open("API keys")
    console.driver.find_element(By.CSS_SELECTOR, "#create-key-form input[name=name]").send_keys("made in the console")
    Select(console.driver.find_element(By.CSS_SELECTOR, "#create-key-form select[name=role]")).select_by_value("user")
    console.driver.find_element(By.CSS_SELECTOR, "#create-key-form button[type=submit]").click()
    secret = console.wait.until(conditions.visibility_of_element_located((By.ID, "new-secret"))).text
    assert secret.startswith("pk-")
    assert "will not be shown again" in console.driver.find_element(By.CSS_SELECTOR, ".secret-box").text
    console.wait_for_status("Created made in the console")
    listed = [key for key in api(base, "GET", "/v1/admin/keys").json()["data"] if key["name"] == "made in the console"]
    assert len(listed) == 1 and listed[0]["role"] == "user" and "revoked_at" not in listed[0]
    key_id = listed[0]["id"]
    assert api(base, "GET", "/v1/me/consent", key=secret).status_code == 200, "the secret shown is the key"
    console.driver.find_element(By.ID, "copy-secret").click()
    console.check_page("keys-created")

    console.driver.find_element(By.ID, "dismiss-secret").click()
    assert not console.driver.find_elements(By.ID, "new-secret")
    console.open("Overview")
    console.open("API keys")
    console.wait.until(lambda _: key_id in console.driver.find_element(By.ID, "key-list").text)
    assert secret not in console.driver.page_source, "the secret is never shown again"
    # The signed-in key has no revoke button: a key cannot revoke itself.
    own = api(base, "GET", "/v1/admin/keys").json()["data"]
    bootstrap = next(key for key in own if key["name"] == "bootstrap admin")
    assert not console.driver.find_elements(By.CSS_SELECTOR, f"button.revoke[data-id='{bootstrap['id']}']")

    console.driver.find_element(By.CSS_SELECTOR, f"button.revoke[data-id='{key_id}']").click()
    console.confirm_dialog()
    console.wait_for_status(f"Revoked made in the console ({key_id})")
    revoked = next(key for key in api(base, "GET", "/v1/admin/keys").json()["data"] if key["id"] == key_id)
    assert revoked.get("revoked_at")
    assert api(base, "GET", "/v1/me/consent", key=secret).status_code == 401
    console.check_page("keys-revoked")


def test_documents_upload_with_progress_list_groups_and_delete(console, tmp_path):
    base = console.base
    document = tmp_path / "console-handbook.md"
    # Large enough that the upload reports progress before it ends, small enough for the default body limit.
    document.write_text("# Handbook\n\n" + "\n\n".join(f"Paragraph {n}: the console uploads documents." for n in range(5000)))
    console.open("Documents")
    console.driver.find_element(By.CSS_SELECTOR, "#upload-form input[type=file]").send_keys(str(document))
    console.driver.find_element(By.CSS_SELECTOR, "#upload-form input[name=title]").send_keys("Console handbook")
    console.driver.find_element(By.CSS_SELECTOR, "#upload-form input[name=acl]").send_keys("hr, finance")
    console.driver.find_element(By.CSS_SELECTOR, "#upload-form button[type=submit]").click()
    console.wait_for_status("Added console-handbook.md", timeout=120)
    progress = console.driver.find_element(By.ID, "upload-progress")
    assert progress.get_attribute("value") == "100"
    assert int(progress.get_attribute("data-events") or 0) >= 1, "the bar follows XMLHttpRequest's upload progress events"
    row = console.wait.until(lambda _: next((r for r in console.driver.find_elements(By.CSS_SELECTOR, "#document-list tbody tr")
                                             if "console-handbook.md" in r.text), None))
    assert "Console handbook" in row.text and "hr" in row.text and "finance" in row.text
    listed = [d for d in api(base, "GET", "/v1/documents").json()["data"] if d["source"] == "console-handbook.md"]
    assert len(listed) == 1 and sorted(listed[0]["acl"]) == ["finance", "hr"] and listed[0]["title"] == "Console handbook"
    console.check_page("documents")

    row.find_element(By.CSS_SELECTOR, "button.delete").click()
    console.confirm_dialog()
    console.wait_for_status("Deleted console-handbook.md")
    assert api(base, "GET", f"/v1/documents/{listed[0]['id']}").status_code == 404
    assert "console-handbook.md" not in console.driver.find_element(By.ID, "document-list").text


def test_prompts_point_diff_promote_rollback_and_canary(console):
    base = console.base
    for note, system in [("first", "Answer briefly."), ("second", "Answer briefly and kindly.")]:
        saved = api(base, "POST", "/v1/admin/prompts", json={"name": PROMPT, "note": note, "prompt": {
            "variables": [{"name": "question"}],
            "messages": [{"role": "system", "template": system}, {"role": "user", "template": "{{question}}"}]}})
        assert saved.status_code == 201, saved.text

    def labels():
        return {label["label"]: label["split"] for label in api(base, "GET", f"/v1/admin/prompts/{PROMPT}").json()["labels"]}

    console.open("Prompts and flows")
    console.wait.until(conditions.element_to_be_clickable((By.XPATH, f"//a[@class='entry' and normalize-space()='{PROMPT}']"))).click()
    console.wait.until(conditions.text_to_be_present_in_element((By.CSS_SELECTOR, "#screen h1"), PROMPT))

    def point(label, assignment):
        form = console.wait.until(conditions.visibility_of_element_located((By.ID, "point-label-form")))
        form.find_element(By.NAME, "label").send_keys(label)
        version = form.find_element(By.NAME, "assignment")
        version.clear()
        version.send_keys(assignment)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    point("production", "1")
    console.wait_for_status("production points at version 1")
    point("staging", "2")
    console.wait_for_status("staging points at version 2")
    assert labels() == {"production": [{"version": 1, "weight": 100}], "staging": [{"version": 2, "weight": 100}]}

    Select(console.driver.find_element(By.CSS_SELECTOR, "#diff-form select[name=from]")).select_by_value("1")
    Select(console.driver.find_element(By.CSS_SELECTOR, "#diff-form select[name=to]")).select_by_value("2")
    console.driver.find_element(By.CSS_SELECTOR, "#diff-form button").click()
    diff = console.wait.until(conditions.visibility_of_element_located((By.ID, "diff-output")))
    added = [line.text for line in diff.find_elements(By.CSS_SELECTOR, ".line.added")]
    assert any("kindly" in line for line in added), diff.text
    console.check_page("prompt-detail")

    form = console.driver.find_element(By.ID, "promote-form")
    Select(form.find_element(By.NAME, "from")).select_by_value("staging")
    form.find_element(By.NAME, "to").send_keys("production")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    console.wait_for_status("production now points at version 2")
    assert labels()["production"] == [{"version": 2, "weight": 100}]

    console.driver.find_element(By.CSS_SELECTOR, "button.rollback[data-label='production']").click()
    console.confirm_dialog()
    console.wait_for_status("production points at version 1 again")
    assert labels()["production"] == [{"version": 1, "weight": 100}]

    box = console.wait.until(conditions.visibility_of_element_located((By.CSS_SELECTOR, ".analysis[data-label='production']")))
    Select(box.find_element(By.NAME, "candidate")).select_by_value("2")
    box.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    console.wait_for_status("A canary analysis of version 2 on production is running")
    analysis = api(base, "GET", f"/v1/admin/prompts/{PROMPT}/labels/production/analysis").json()
    assert analysis["status"] == "running" and analysis["candidate_version"] == 2
    box = console.driver.find_element(By.CSS_SELECTOR, ".analysis[data-label='production']")
    assert box.find_element(By.CSS_SELECTOR, ".analysis-status").text == "running"
    console.check_page("prompt-canary")
    box.find_element(By.CSS_SELECTOR, "button.abort-analysis").click()
    console.confirm_dialog()
    console.wait_for_status("The analysis on production is aborted")
    assert api(base, "GET", f"/v1/admin/prompts/{PROMPT}/labels/production/analysis").json()["status"] == "aborted"


def test_flows_are_listed(console):
    console.go("#/library/flows")
    console.wait.until(conditions.element_to_be_clickable((By.XPATH, "//a[@class='entry' and normalize-space()='rag']")))
    console.check_page("flows")


def test_feedback_shows_shared_conversations(console):
    base = console.base
    user = make_key(base, "console rater")
    assert api(base, "PUT", "/v1/me/consent", key=user["secret"], json={"share_conversations": True}).status_code == 200
    answer = api(base, "POST", "/v1/chat", key=user["secret"], json={"message": "What does the console rate?"})
    assert answer.status_code == 200, answer.text
    rated = api(base, "POST", "/v1/feedback", key=user["secret"], json={
        "trace_id": answer.json()["trace_id"], "thumbs": "down", "comment": "Console comment <b>not bold</b>",
        "include_conversation": True})
    assert rated.status_code == 201 and rated.json()["conversation_included"], rated.text

    console.open("Feedback")
    row = console.wait.until(lambda _: next((r for r in console.driver.find_elements(By.CSS_SELECTOR, "#feedback-list tbody tr")
                                             if user["key"]["id"] in r.text), None))
    assert "1 of 5" in row.text
    assert "Console comment <b>not bold</b>" in row.text, "a comment is text, never markup"
    row.find_element(By.CSS_SELECTOR, "details.shared-conversation summary").click()
    assert "What does the console rate?" in row.find_element(By.CSS_SELECTOR, "details.shared-conversation").text
    console.driver.find_element(By.ID, "only-shared").click()
    assert all("shared" in r.text for r in console.driver.find_elements(By.CSS_SELECTOR, "#feedback-list tbody tr"))
    console.check_page("feedback")


def test_audit_log_pages_and_checks_the_chain(console):
    base = console.base
    make_key(base, "audited key")
    events = api(base, "GET", "/v1/admin/audit", params={"limit": 50}).json()
    console.open("Audit log")
    verification = console.wait.until(lambda _: (lambda node: node if node.get_attribute("data-verified") else None)(
        console.driver.find_element(By.ID, "audit-verification")))
    assert verification.get_attribute("data-verified") == "true", verification.text
    first = console.driver.find_element(By.CSS_SELECTOR, "#audit-list tbody tr")
    assert first.find_element(By.TAG_NAME, "th").text == str(events["data"][0]["seq"])
    assert "key.create" in console.driver.find_element(By.ID, "audit-list").text
    console.check_page("audit")
    if events["has_more"]:
        console.driver.find_element(By.ID, "audit-older").click()
        console.wait.until(lambda _: int(console.driver.find_element(By.CSS_SELECTOR, "#audit-list tbody tr th").text)
                           < events["data"][-1]["seq"])


def test_erasure_needs_the_subject_typed_again(console):
    base = console.base
    user = make_key(base, "console erased")
    subject = user["key"]["id"]
    assert api(base, "POST", "/v1/chat", key=user["secret"], json={"message": "Remember me?"}).status_code == 200
    assert len(api(base, "GET", "/v1/conversations", key=user["secret"]).json()["data"]) == 1

    console.open("Data protection")
    console.driver.find_element(By.CSS_SELECTOR, "#erase-form input[name=subject]").send_keys(subject)
    console.driver.find_element(By.CSS_SELECTOR, "#erase-form button[type=submit]").click()
    console.check_page("erasure-confirm")
    console.confirm_dialog(typed=subject)
    console.wait_for_status(f"Erased the data of {subject}")
    counts = {row.find_element(By.TAG_NAME, "th").text: row.find_element(By.TAG_NAME, "td").text
              for row in console.driver.find_elements(By.CSS_SELECTOR, "#erasure-result tbody tr")}
    assert counts["Conversations removed"] == "1", counts
    assert api(base, "GET", "/v1/conversations", key=user["secret"]).json()["data"] == []
    console.check_page("erasure-done")


def test_gateway_refreshes_while_open_and_stops_after(console):
    console.open("Gateway")
    table = console.wait.until(conditions.visibility_of_element_located((By.CSS_SELECTOR, "#gateway-table table")))
    names = [th.text for th in table.find_elements(By.CSS_SELECTOR, "tbody th")]
    assert names == ["failing", "sim"]
    # The failing deployment's breaker moves on its own (open, then half open); the healthy one stays closed.
    breakers = [node.get_attribute("data-breaker") for node in table.find_elements(By.CSS_SELECTOR, "[data-breaker]")]
    assert breakers[0] in ("closed", "open", "half_open") and breakers[1] == "closed", breakers
    console.wait.until(lambda _: int(console.driver.find_element(By.ID, "gateway-updated").get_attribute("data-refreshes") or 0) >= 2)
    console.check_page("gateway")

    def gateway_calls():
        return console.driver.execute_script(
            "return performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/v1/admin/gateway')).length")
    console.open("Metrics")
    settled = gateway_calls()
    time.sleep(7)
    assert gateway_calls() == settled, "the gateway screen's timer stops when the screen closes"


def test_metrics_lists_and_filters_series(console):
    console.open("Metrics")
    console.wait_for_status("series read")
    listed = console.driver.find_element(By.ID, "metrics-list").text
    assert "pillar_" in listed
    search = console.driver.find_element(By.CSS_SELECTOR, "#screen input[type=search]")
    search.clear()
    search.send_keys("pillar_gen_ai_tokens_total")
    console.wait.until(lambda _: all("pillar_gen_ai_tokens_total" in row.text for row in
                                     console.driver.find_elements(By.CSS_SELECTOR, "#metrics-list tbody tr")))
    console.check_page("metrics")


def test_account_of_an_admin(console):
    console.open("My account")
    facts = console.wait.until(conditions.visibility_of_element_located((By.ID, "whoami-facts"))).text
    assert "default" in facts and "platform admin" in facts
    console.check_page("account-admin")
    print(f"console screenshots: {SHOTS}")


def test_a_key_revoked_mid_visit_returns_to_sign_in(console_pillar, browser):
    base = console_pillar.base
    admin = make_key(base, "console short-lived admin", role="admin")
    page = Console(browser, base).sign_in_with_key(admin["secret"])
    assert api(base, "DELETE", f"/v1/admin/keys/{admin['key']['id']}").status_code == 204
    # The next screen's first call is refused: the console goes back to sign-in and says why.
    browser.find_element(By.XPATH, "//nav[@id='nav']//a[normalize-space()='API keys']").send_keys("\n")
    error = page.wait.until(conditions.visibility_of_element_located((By.ID, "sign-in-error")))
    assert "401" in error.text, error.text
    assert browser.execute_script("return sessionStorage.getItem('pillar.apiKey')") is None
