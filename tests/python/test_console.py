"""The operator console (`/console/`) as people use it, in headless Chromium: each person signs in through a real
OpenID provider run by the test (PyPI's oidc-provider-mock) to a Pillar serving HTTPS with a certificate the test
makes, and does each screen's task through the page; the result is checked through the API too, and every screen
gets a screenshot, axe-core (no serious or critical finding) and a check for Content-Security-Policy violations.

One Pillar, one provider and one browser serve the whole module. The people, each signing in in turn:
- `uma`, a user of tenant acme: the user's screens (Traces, My account);
- `ada`, an admin of tenant acme: the tenant admin's screens;
- `pat`, an admin of tenant default: the platform admin's screens (Gateway, Metrics, every tenant's monitors).
One test signs in by pasting an API key instead, the other way in.

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
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ADMIN_KEY, PILLAR_BIN, QuietHandler, serve_http, start_sign_in_server, start_simulator

SHOTS = Path(os.environ.get("PILLAR_CONSOLE_SHOTS") or tempfile.mkdtemp(prefix="pillar-console-shots-"))
SHOTS.mkdir(parents=True, exist_ok=True)
PROMPT = "console-test-prompt"
# Claims the provider gives each person: no `tenant` claim maps to tenant acme.
PEOPLE = {
    "uma": {"roles": ["user"], "groups": ["staff"]},
    "ada": {"roles": ["admin"]},
    "pat": {"roles": ["admin"], "tenant": "default"},
}
PRICE = {"inputPerMillion": 150.0, "outputPerMillion": 600.0}
LATENCY_MONITOR = "answer-latency"
HANDBOOK = ("# Travel policy\n\nHotel receipts must be filed within thirty days of the trip.\n\n"
            "## Trains\n\nTrains are booked in second class unless the journey is longer than four hours.\n")


# ---- The server, the provider and the browser --------------------------------------------------------------------

class Receiver(QuietHandler):
    """A webhook receiver: keeps every body posted to it."""
    bodies = []

    def do_POST(self):
        self.bodies.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()


class Server:
    """The module's Pillar: its address, its CA, people's sessions for checking through the API, and API keys."""

    def __init__(self, signed, data_dir, receiver):
        self.signed = signed
        self.base = signed.base
        self.data_dir = data_dir
        self.receiver = receiver
        self.sessions = {}
        self.acme_key = self.cli_key("acme", "console checks", "admin")

    def cli_key(self, tenant, name, role):
        created = subprocess.run([PILLAR_BIN, "keys", "create", "--data-dir", self.data_dir, "--tenant", tenant, "--name", name,
                                  "--role", role], capture_output=True, text=True, timeout=60)
        assert created.returncode == 0, created.stderr
        return next(line.split()[-1] for line in created.stdout.splitlines() if line.startswith("key:"))

    def http(self):
        session = self.signed.browser_session()
        return session

    def api(self, method, path, key=None, **kwargs):
        """A request with an API key (acme's admin key unless told), trusting the test's CA."""
        session = self.http()
        return session.request(method, self.base + path, headers={"Authorization": f"Bearer {key or self.acme_key}"},
                               timeout=120, **kwargs)

    def person(self, sub):
        """A `requests` session signed in as `sub` through the provider, for what only that person may do or read."""
        if sub not in self.sessions:
            session = self.http()
            self.signed.sign_in(session, sub)
            session.headers["X-CSRF-Token"] = self.signed.csrf(session)
            self.sessions[sub] = session
        return self.sessions[sub]

    def subject(self, sub):
        return self.person(sub).get(self.base + "/v1/me").json()["subject"]


@pytest.fixture(scope="module")
def server(simulator):
    """A server of the console's own (its tests create keys, documents, labels, runs and erasures): a deployment that
    always fails, for the overview's error figures; prices, for costs; a monitor that every answer raises (p95
    latency above 1 ms), evaluated every second; a webhook for test alerts."""
    failing, failing_url = start_simulator("--fail-status", "500")
    Receiver.bodies = []
    receiver = serve_http(Receiver)
    directory = Path(tempfile.mkdtemp(prefix="pillar-console-"))
    config = {
        "deployments": [
            {"name": "sim", "baseURL": simulator, "model": "simulated", "models": ["gpt-4o-mini", "sim-embed"]},
            {"name": "failing", "baseURL": failing_url, "model": "simulated", "models": ["failing-model"]},
        ],
        "retrieval": {"embeddingModel": "sim-embed"}, "flows": {"defaultModel": "gpt-4o-mini"},
        "prices": {"gpt-4o-mini": PRICE},
        # Generous, so that no other test meets them, but there for the budgets screen to show.
        "limits": {"tenants": {"acme": {"requestsPerMinute": 10000, "tokensPerDay": 50000000, "costPerDayUSD": 1000}}},
        "monitoring": {
            "evaluationIntervalSeconds": 1,
            "monitors": [
                {"name": LATENCY_MONITOR, "signal": "latency_p95_ms", "warning": 0.5, "alert": 1, "minimumSamples": 1},
                {"name": "groundedness-low", "signal": "groundedness", "warning": 0.7, "alert": 0.6, "minimumSamples": 20},
            ],
            "webhooks": [{"name": "console-receiver", "url": f"http://127.0.0.1:{receiver.server_port}/hook",
                          "events": ["test"], "maxAttempts": 2, "timeoutSeconds": 5}],
        },
    }
    signed = start_sign_in_server(directory, config, oidc={"tenantClaim": "tenant"})
    try:
        for sub, claims in PEOPLE.items():
            signed.set_person(sub, claims)
        yield Server(signed, signed.process.data_dir, receiver)
    finally:
        signed.stop()
        failing.stop()
        receiver.shutdown()


def spki_hash(certificate):
    """The base64 SHA-256 of a certificate's public key: Chromium accepts exactly that key, and no other error."""
    public = subprocess.run(["openssl", "x509", "-in", str(certificate), "-pubkey", "-noout"], capture_output=True, check=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=public, capture_output=True, check=True).stdout
    digest = subprocess.run(["openssl", "dgst", "-sha256", "-binary"], input=der, capture_output=True, check=True).stdout
    return subprocess.run(["base64"], input=digest, capture_output=True, check=True).stdout.decode().strip()


@pytest.fixture(scope="module")
def browser(server):
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1366,900",
                     f"--ignore-certificate-errors-spki-list={spki_hash(server.signed.certificate)}"]:
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
    yield driver
    driver.quit()


class Console:
    """The browser on the console, with who is signed in and what the tests check on every screen."""

    def __init__(self, driver, server):
        self.driver = driver
        self.server = server
        self.base = server.base
        self.wait = WebDriverWait(driver, 30)
        self.log = []
        self.person = None

    # Signing in and out, as a person does.

    def sign_in_as(self, sub):
        """Signs `sub` in through the provider's own form (signing out whoever was in first)."""
        if self.person == sub:
            return self
        if self.person:
            self.sign_out()
        self.driver.get(self.base + "/console/")
        self.wait.until(conditions.element_to_be_clickable((By.ID, "sign-in-link"))).click()
        self.wait.until(conditions.visibility_of_element_located((By.CSS_SELECTOR, "input[name=sub]"))).send_keys(sub)
        assert self.driver.current_url.startswith(self.server.signed.issuer), "the provider's own page asks who it is"
        self.driver.find_element(By.XPATH, "//button[text()='Authorize']").click()
        self.wait.until(lambda _: self.driver.current_url.startswith(self.base + "/console/"))
        self.wait.until(conditions.visibility_of_element_located((By.CSS_SELECTOR, "#nav-list a")))
        whoami = self.driver.find_element(By.ID, "whoami").text
        assert f":{sub} " in whoami and whoami.endswith("session"), whoami
        self.person = sub
        return self

    def sign_out(self):
        """Signs out with the console's button: here, then at the provider, which sends the browser back."""
        self.driver.find_element(By.ID, "sign-out").click()
        self.wait.until(conditions.element_to_be_clickable((By.XPATH, "//button[text()='End session']"))).click()
        self.wait.until(lambda _: self.driver.current_url.startswith(self.base))
        self.person = None

    def forget_person(self):
        self.person = None

    # Moving about.

    def nav_labels(self):
        return [link.text for link in self.driver.find_elements(By.CSS_SELECTOR, "#nav-list a")]

    def open(self, title):
        """Opens a screen from the nav, as a person does (the keyboard: focus the link, press Enter), and waits
        for focus to land on its heading."""
        link = self.driver.find_element(By.XPATH, f"//nav[@id='nav']//a[normalize-space()='{title}']")
        if self.driver.execute_script("return location.hash") == link.get_attribute("hash"):
            self.go("#/account")  # already there: a screen opens afresh only when the address changes
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

    def follow(self, element):
        """Follows a link with the keyboard and waits for the next screen's heading to take focus."""
        before = self.driver.execute_script("return location.hash")
        element.send_keys("\n")
        self.wait.until(lambda _: self.driver.execute_script("return location.hash") != before)
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

    def chart_data(self, figure_id):
        """The traces plotly drew in a figure's chart (None without plotly.js), once the chart is drawn."""
        if not self.plotly():
            assert not self.driver.find_elements(By.CSS_SELECTOR, f"#{figure_id} .chart")
            return None
        self.wait.until(lambda _: self.driver.find_elements(By.CSS_SELECTOR, f"#{figure_id} .chart .main-svg"))
        return self.driver.execute_script(
            "return document.querySelector(arguments[0]).data.map((t) => ({name: t.name, x: t.x, y: t.y, base: t.base || null, "
            "orientation: t.orientation || null, type: t.type}))", f"#{figure_id} .chart")

    def table_rows(self, caption):
        """{row header: [cells]} of the table with that caption."""
        table = self.driver.find_element(By.XPATH, f"//table[caption[normalize-space()={json.dumps(caption)}]]")
        return {row.find_element(By.TAG_NAME, "th").text: [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
                for row in table.find_elements(By.CSS_SELECTOR, "tbody tr")}

    def check_page(self, name):
        """A screenshot, no CSP violation, and axe-core with no serious or critical finding."""
        from axe_selenium_python import Axe

        assert self.driver.save_screenshot(str(SHOTS / f"{name}.png")), f"no screenshot in {SHOTS}"
        self.log += self.driver.get_log("browser")
        violations = self.driver.execute_script("return window.__cspViolations || []")
        csp_lines = [entry["message"] for entry in self.log if "Content Security Policy" in entry["message"]]
        assert not violations and not csp_lines, (violations, csp_lines)
        # None of Pillar's files fails to load (a missing favicon did, on every page). Refused API calls are logged
        # too, and the tests cause some on purpose: the page shows those itself.
        errors = [entry["message"] for entry in self.log if entry["level"] == "SEVERE" and entry["message"].startswith(self.base)
                  and not entry["message"].startswith((self.base + "/v1/", self.base + "/auth/"))]
        assert not errors, errors
        axe = Axe(self.driver)
        axe.inject()
        results = axe.run()
        serious = [(v["id"], v["impact"], [n.get("failureSummary") for n in v["nodes"]][:2], [n["target"] for n in v["nodes"]][:3])
                   for v in results["violations"] if v["impact"] in ("serious", "critical")]
        assert not serious, serious


@pytest.fixture(scope="module")
def page(browser, server):
    return Console(browser, server)


@pytest.fixture
def as_user(page):
    return page.sign_in_as("uma")


@pytest.fixture
def as_admin(page):
    return page.sign_in_as("ada")


@pytest.fixture
def as_platform_admin(page):
    return page.sign_in_as("pat")


def make_key(server, name, role="user"):
    response = server.api("POST", "/v1/admin/keys", json={"name": name, "role": role})
    assert response.status_code == 201, response.text
    return response.json()


def upload_handbook(server):
    listed = server.api("GET", "/v1/documents").json()["data"]
    if not any(document["source"] == "travel-policy.md" for document in listed):
        saved = server.api("POST", "/v1/documents", files={"file": ("travel-policy.md", HANDBOOK.encode(), "text/markdown")})
        assert saved.status_code in (200, 201), saved.text


def dollars(value):
    """As the console writes dollars (en-US, 2 to 6 decimals)."""
    text = f"{value:.6f}".rstrip("0")
    whole, _, decimals = text.partition(".")
    return f"${whole}.{decimals.ljust(2, '0')}"


# ---- Signing in ----------------------------------------------------------------------------------------------------

def test_the_sign_in_page_offers_the_provider_and_takes_a_pasted_key_too(page, server):
    """The one test of the other way in: a key pasted on the sign-in panel (refused, then accepted, then forgotten)."""
    if page.person:
        page.sign_out()
    browser = page.driver
    browser.get(server.base + "/console")  # without the slash: FileMiddleware answers 301 to /console/
    page.wait.until(conditions.visibility_of_element_located((By.ID, "sign-in")))
    assert browser.current_url == server.base + "/console/"
    assert browser.switch_to.active_element.get_attribute("id") == "sign-in-heading"
    state = server.http().get(server.base + "/auth/session").json()
    link = browser.find_element(By.ID, "sign-in-link")
    assert link.is_displayed() and link.get_attribute("href") == f"{server.base}{state['sign_in_url']}?return_to=%2Fconsole%2F"
    page.check_page("sign-in")

    browser.find_element(By.ID, "api-key").send_keys("pk-not-a-valid-key-000000000000")
    browser.find_element(By.ID, "use-key").click()
    error = page.wait.until(conditions.visibility_of_element_located((By.ID, "sign-in-error")))
    assert "401" in error.text and "invalid_api_key" in error.text, error.text
    assert browser.execute_script("return sessionStorage.getItem('pillar.apiKey')") is None, "a refused key is dropped"
    page.check_page("sign-in-refused")

    user = make_key(server, "console pasted key")
    browser.find_element(By.ID, "api-key").send_keys(user["secret"])
    browser.find_element(By.ID, "use-key").click()
    page.wait.until(conditions.visibility_of_element_located((By.CSS_SELECTOR, "#nav-list a")))
    assert browser.find_element(By.ID, "whoami").text.endswith("API key")
    assert page.nav_labels() == ["Traces", "My account"]
    browser.find_element(By.ID, "sign-out").click()
    page.wait.until(conditions.visibility_of_element_located((By.ID, "sign-in")))
    assert browser.execute_script("return sessionStorage.getItem('pillar.apiKey')") is None
    assert not browser.find_element(By.ID, "app").is_displayed()


# ---- A user ----------------------------------------------------------------------------------------------------------

def test_a_user_signs_in_through_the_provider_sees_only_their_screens_and_sets_consent(as_user, server):
    page = as_user
    browser = page.driver
    assert browser.execute_script("return document.cookie") == "", "the session cookie is out of scripts' reach"
    assert browser.execute_script("return sessionStorage.getItem('pillar.apiKey')") is None, "no key was pasted"
    assert page.nav_labels() == ["Traces", "My account"]
    assert browser.find_element(By.CSS_SELECTOR, "#screen h1").text == "Traces", "a user's first screen is their traces"
    page.go("#/keys")
    assert "not available" in browser.find_element(By.CSS_SELECTOR, "#screen h1").text
    page.check_page("user-refused")
    page.open("My account")
    facts = page.wait.until(conditions.visibility_of_element_located((By.ID, "whoami-facts"))).text
    assert "acme" in facts and "user" in facts and "a browser session" in facts, facts
    assert "admin role" in browser.find_element(By.ID, "screen").text
    box = page.wait.until(conditions.element_to_be_clickable((By.ID, "share-conversations")))
    if box.is_selected():
        box.click()
    box.click()
    browser.find_element(By.CSS_SELECTOR, "#consent-form button[type=submit]").click()
    page.wait_for_status("go with your ratings")
    assert server.person("uma").get(server.base + "/v1/me/consent").json() == {"share_conversations": True}
    page.check_page("account-user")


def test_a_user_finds_their_answer_among_their_traces_and_reads_its_waterfall(as_user, server):
    page = as_user
    browser = page.driver
    upload_handbook(server)
    uma = server.person("uma")
    asked = []
    for question in ["Which class are trains booked in?", "Within how many days must hotel receipts be filed?"]:
        answer = uma.post(server.base + "/v1/chat", json={"message": question}, timeout=60)
        assert answer.status_code == 200, answer.text
        asked.append(answer.json())
    newest = asked[-1]
    trace = uma.get(server.base + f"/v1/traces/{newest['trace_id']}").json()

    page.open("Traces")
    form = page.wait.until(conditions.visibility_of_element_located((By.ID, "trace-search")))
    subject = form.find_element(By.NAME, "subject")
    assert subject.get_attribute("readonly") is not None and subject.get_attribute("value") == trace["subject"]
    Select(form.find_element(By.NAME, "range")).select_by_value("hour")
    form.find_element(By.NAME, "flow").send_keys("rag")
    Select(form.find_element(By.NAME, "status")).select_by_value("succeeded")
    per_page = form.find_element(By.NAME, "limit")
    per_page.clear()
    per_page.send_keys("1")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    page.wait_for_status("1 trace on page 1, more on the next")
    links = browser.find_elements(By.CSS_SELECTOR, "#trace-results a.trace-link")
    assert [link.get_attribute("data-id") for link in links] == [newest["trace_id"]], "newest first"
    # The cursor pages back to the earlier answer, and forward again.
    browser.find_element(By.ID, "traces-next").click()
    page.wait_for_status("on page 2")
    assert browser.find_element(By.CSS_SELECTOR, "#trace-results a.trace-link").get_attribute("data-id") == asked[0]["trace_id"]
    browser.find_element(By.ID, "traces-previous").click()
    page.wait_for_status("on page 1")
    page.check_page("traces-search")

    page.follow(browser.find_element(By.CSS_SELECTOR, f"a.trace-link[data-id='{newest['trace_id']}']"))
    assert browser.execute_script("return location.hash") == f"#/traces/{newest['trace_id']}"
    page.wait_for_status(f"{len(trace['nodes'])} nodes, succeeded")
    names = [node["name"] for node in trace["nodes"]]
    rows = page.table_rows(f"Table: Timing of the {len(names)} nodes (milliseconds from the start of the flow)")
    assert list(rows) == names, "the waterfall's table lists the nodes in the order they ran"
    for node in trace["nodes"]:
        assert rows[node["name"]][0] == node["kind"] and node["status"] in rows[node["name"]][1]
    drawn = page.chart_data("trace-waterfall")
    if drawn is not None:
        bars = [t for t in drawn if t["orientation"] == "h" and t["name"] in ("succeeded", "failed", "skipped")]
        assert sorted(y for t in bars for y in t["y"]) == sorted(names), drawn
        starts = {y: base for t in bars for y, base in zip(t["y"], t["base"])}
        assert all(abs(starts[node["name"]] - node["start_ms"]) < 1e-6 for node in trace["nodes"]), "bars start at their node's start"
        assert browser.find_elements(By.CSS_SELECTOR, "#trace-waterfall .chart .barlayer .point")

    # The retrieval node's chunks, with the cited passage's text; the llm node's prompt; the guard's result.
    retrieve = browser.find_element(By.CSS_SELECTOR, "article.node[data-node='retrieve']")
    chunk_rows = retrieve.find_elements(By.CSS_SELECTOR, ".chunks tbody tr")
    assert len(chunk_rows) == len([chunk for chunk in trace["retrieved"] if chunk["node"] == "retrieve"])
    cited = [row for row in chunk_rows if row.find_elements(By.TAG_NAME, "td")[2].text == "cited"]
    assert len(cited) == len(trace["cited_markers"]) >= 1
    assert "travel-policy.md" in cited[0].text
    assert "within thirty days" in cited[0].find_element(By.CSS_SELECTOR, ".excerpt").text
    answer_node = browser.find_element(By.CSS_SELECTOR, "article.node[data-node='answer']")
    assert "rag-answer version 1" in answer_node.text and "gpt-4o-mini" in answer_node.text
    usage = next(node for node in trace["nodes"] if node["name"] == "answer")["usage"]
    assert f"{usage['prompt_tokens']} in, {usage['completion_tokens']} out" in answer_node.text
    guard = browser.find_element(By.CSS_SELECTOR, "article.node[data-node='check_question'] .guards")
    assert "passed" in guard.text and "allow" in guard.text
    assert trace["cost_usd"] > 0 and browser.find_element(By.ID, "trace-cost").text == dollars(trace["cost_usd"]), \
        "a user sees what their own answer cost"
    page.check_page("trace")

    page.follow(browser.find_element(By.ID, "back-to-traces"))
    page.wait_for_status("on page 1")
    assert browser.find_element(By.CSS_SELECTOR, "#trace-search select[name=range]").get_attribute("value") == "hour", \
        "back from a trace, the search is as it was left"


# ---- A tenant's admin -------------------------------------------------------------------------------------------

def test_a_tenant_admin_sees_the_tenant_screens_and_no_platform_screen(as_admin):
    page = as_admin
    assert page.nav_labels() == ["Overview", "Traces", "Budgets and limits", "API keys", "Documents",
                                 "Prompts and flows", "Evaluations", "Monitors", "Feedback", "Audit log",
                                 "Data protection", "My account"]
    assert "tenant acme" in page.driver.find_element(By.ID, "whoami").text
    page.go("#/gateway")
    assert "not available" in page.driver.find_element(By.CSS_SELECTOR, "#screen h1").text
    page.check_page("tenant-admin-refused")


def test_overview_shows_usage_by_model_and_key_with_tables_always(as_admin, server):
    page = as_admin
    ok = server.api("POST", "/v1/chat/completions", json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]})
    assert ok.status_code == 200, ok.text
    failed = server.api("POST", "/v1/chat/completions", json={"model": "failing-model", "messages": [{"role": "user", "content": "hi"}]})
    assert failed.status_code >= 500, failed.text
    failure_code = failed.json()["error"]["code"]
    by_model = {row["group"]: row for row in server.api("GET", "/v1/admin/usage", params={"group_by": "model"}).json()["data"]}

    page.open("Overview")
    page.wait_for_status("requests")
    totals = page.driver.find_element(By.ID, "overview-totals")
    requests_total = sum(row["requests"] for row in by_model.values())
    assert totals.find_element(By.CSS_SELECTOR, "[data-total=requests]").text == f"{requests_total:,}"

    tables = {table.find_element(By.TAG_NAME, "caption").text: table for table in page.driver.find_elements(By.CSS_SELECTOR, "#screen table")}
    for title in ["Requests and failures by day", "Tokens by day", "Latency p95 by model", "Time to first token p95 by model",
                  "Requests and failures by model", "Requests and failures by deployment", "Tokens by key",
                  "Failed turns by error code"]:
        assert f"Table: {title}" in tables, sorted(tables)
    # Latency over time: a row per day and model, with the server's nearest-rank percentiles.
    by_day_model = server.api("GET", "/v1/admin/usage", params={"group_by": "day,model"}).json()["data"]
    timing = [row for row in by_day_model if row["dimensions"]["model"] == "gpt-4o-mini" and row.get("latency")][-1]
    latency_rows = [[cell.text for cell in row.find_elements(By.CSS_SELECTOR, "th, td")] for row in
                    tables["Table: Latency p95 by model"].find_elements(By.CSS_SELECTOR, "tbody tr")]
    wanted = [timing["dimensions"]["day"], "gpt-4o-mini"]
    row = next(cells for cells in latency_rows if cells[:2] == wanted)
    assert row[4] == f"{round(timing['latency']['p95_ms']):,} ms", (row, timing)
    deployments = tables["Table: Requests and failures by deployment"].text
    assert "sim" in deployments and "failing" in deployments
    model_rows = {row.find_element(By.TAG_NAME, "th").text: row.text for row in
                  tables["Table: Requests and failures by model"].find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert set(model_rows) == set(by_model)
    assert model_rows["failing-model"].startswith(f"failing-model {by_model['failing-model']['requests']} {by_model['failing-model']['failed']}")
    assert "console checks" in tables["Table: Tokens by key"].text
    assert failure_code in tables["Table: Failed turns by error code"].text

    if page.plotly():
        page.wait.until(lambda _: len(page.driver.find_elements(By.CSS_SELECTOR, "#screen .chart .main-svg")) >= 5)
        # With plotly.css served from 'self', plotly.js positions its layers without an inline <style>.
        assert page.driver.execute_script(
            "return getComputedStyle(document.querySelector('#screen .chart .main-svg')).position") == "absolute"
    else:
        assert page.driver.find_element(By.CSS_SELECTOR, "[data-charts=unavailable]").is_displayed()
        assert not page.driver.find_elements(By.CSS_SELECTOR, "#screen .chart")
    page.check_page("overview")


def test_budgets_show_what_each_limit_has_left(as_admin, server):
    page = as_admin
    answered = server.api("POST", "/v1/chat/completions", json={"model": "gpt-4o-mini", "max_tokens": 16,
                                                                 "messages": [{"role": "user", "content": "hi"}]})
    assert answered.status_code == 200, answered.text
    standings = server.api("GET", "/v1/admin/budgets").json()["data"]
    tenant = next(standing for standing in standings if standing["scope"] == "tenant")
    day = next(line for line in tenant["lines"] if line["name"] == "tokens_per_day")
    assert day["used"] > 0 and day["remaining"] == day["limit"] - day["used"] - day["reserved"]

    page.open("Budgets and limits")
    page.wait_for_status("scopes with limits")
    rows = page.table_rows("Table: The tenant: share of each limit spent or held")
    assert set(rows) == {"Requests per minute", "Tokens per UTC day", "Dollars per UTC day"}, rows
    allowed, used, in_flight, left, spent, resets = rows["Tokens per UTC day"]
    assert (allowed, used, in_flight) == ("50,000,000", f"{round(day['used']):,}", "0"), rows
    assert left == f"{round(day['remaining']):,}"
    assert spent.endswith("%") and resets
    assert rows["Dollars per UTC day"][0] == "$1,000.00"
    # The evaluation runs' budget (evaluation.budgetDefault) is a scope of its own.
    assert page.driver.find_element(By.CSS_SELECTOR, "section[data-scope=evaluation]").is_displayed()
    page.check_page("budgets")


def test_keys_create_shows_the_secret_once_then_revoke(as_admin, server):
    page = as_admin
    page.open("API keys")
    page.driver.find_element(By.CSS_SELECTOR, "#create-key-form input[name=name]").send_keys("made in the console")
    Select(page.driver.find_element(By.CSS_SELECTOR, "#create-key-form select[name=role]")).select_by_value("user")
    page.driver.find_element(By.CSS_SELECTOR, "#create-key-form button[type=submit]").click()
    secret = page.wait.until(conditions.visibility_of_element_located((By.ID, "new-secret"))).text
    assert secret.startswith("pk-")
    assert "will not be shown again" in page.driver.find_element(By.CSS_SELECTOR, ".secret-box").text
    page.wait_for_status("Created made in the console")
    listed = [key for key in server.api("GET", "/v1/admin/keys").json()["data"] if key["name"] == "made in the console"]
    assert len(listed) == 1 and listed[0]["role"] == "user" and "revoked_at" not in listed[0]
    assert listed[0]["tenant"] == "acme", "a session's keys are its tenant's"
    key_id = listed[0]["id"]
    assert server.api("GET", "/v1/me/consent", key=secret).status_code == 200, "the secret shown is the key"
    page.driver.find_element(By.ID, "copy-secret").click()
    page.check_page("keys-created")

    page.driver.find_element(By.ID, "dismiss-secret").click()
    assert not page.driver.find_elements(By.ID, "new-secret")
    page.open("Overview")
    page.open("API keys")
    page.wait.until(lambda _: key_id in page.driver.find_element(By.ID, "key-list").text)
    assert secret not in page.driver.page_source, "the secret is never shown again"

    page.driver.find_element(By.CSS_SELECTOR, f"button.revoke[data-id='{key_id}']").click()
    page.confirm_dialog()
    page.wait_for_status(f"Revoked made in the console ({key_id})")
    revoked = next(key for key in server.api("GET", "/v1/admin/keys").json()["data"] if key["id"] == key_id)
    assert revoked.get("revoked_at")
    assert server.api("GET", "/v1/me/consent", key=secret).status_code == 401
    page.check_page("keys-revoked")


def test_documents_upload_with_progress_list_groups_and_delete(as_admin, server, tmp_path):
    page = as_admin
    document = tmp_path / "console-handbook.md"
    # Large enough that the upload reports progress before it ends, small enough for the default body limit.
    document.write_text("# Handbook\n\n" + "\n\n".join(f"Paragraph {n}: the console uploads documents." for n in range(5000)))
    page.open("Documents")
    page.driver.find_element(By.CSS_SELECTOR, "#upload-form input[type=file]").send_keys(str(document))
    page.driver.find_element(By.CSS_SELECTOR, "#upload-form input[name=title]").send_keys("Console handbook")
    page.driver.find_element(By.CSS_SELECTOR, "#upload-form input[name=acl]").send_keys("hr, finance")
    page.driver.find_element(By.CSS_SELECTOR, "#upload-form button[type=submit]").click()
    page.wait_for_status("Added console-handbook.md", timeout=120)
    progress = page.driver.find_element(By.ID, "upload-progress")
    assert progress.get_attribute("value") == "100"
    assert int(progress.get_attribute("data-events") or 0) >= 1, "the bar follows XMLHttpRequest's upload progress events"
    row = page.wait.until(lambda _: next((r for r in page.driver.find_elements(By.CSS_SELECTOR, "#document-list tbody tr")
                                          if "console-handbook.md" in r.text), None))
    assert "Console handbook" in row.text and "hr" in row.text and "finance" in row.text
    listed = [d for d in server.api("GET", "/v1/documents").json()["data"] if d["source"] == "console-handbook.md"]
    assert len(listed) == 1 and sorted(listed[0]["acl"]) == ["finance", "hr"] and listed[0]["title"] == "Console handbook"
    page.check_page("documents")

    row.find_element(By.CSS_SELECTOR, "button.delete").click()
    page.confirm_dialog()
    page.wait_for_status("Deleted console-handbook.md")
    assert server.api("GET", f"/v1/documents/{listed[0]['id']}").status_code == 404
    assert "console-handbook.md" not in page.driver.find_element(By.ID, "document-list").text


def test_prompts_point_diff_promote_rollback_and_canary(as_admin, server):
    page = as_admin
    for note, system in [("first", "Answer briefly."), ("second", "Answer briefly and kindly.")]:
        saved = server.api("POST", "/v1/admin/prompts", json={"name": PROMPT, "note": note, "prompt": {
            "variables": [{"name": "question"}],
            "messages": [{"role": "system", "template": system}, {"role": "user", "template": "{{question}}"}]}})
        assert saved.status_code == 201, saved.text

    def labels():
        return {label["label"]: label["split"] for label in server.api("GET", f"/v1/admin/prompts/{PROMPT}").json()["labels"]}

    page.open("Prompts and flows")
    page.wait.until(conditions.element_to_be_clickable((By.XPATH, f"//a[@class='entry' and normalize-space()='{PROMPT}']"))).click()
    page.wait.until(conditions.text_to_be_present_in_element((By.CSS_SELECTOR, "#screen h1"), PROMPT))

    def point(label, assignment):
        form = page.wait.until(conditions.visibility_of_element_located((By.ID, "point-label-form")))
        form.find_element(By.NAME, "label").send_keys(label)
        version = form.find_element(By.NAME, "assignment")
        version.clear()
        version.send_keys(assignment)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    point("production", "1")
    page.wait_for_status("production points at version 1")
    point("staging", "2")
    page.wait_for_status("staging points at version 2")
    assert labels() == {"production": [{"version": 1, "weight": 100}], "staging": [{"version": 2, "weight": 100}]}

    Select(page.driver.find_element(By.CSS_SELECTOR, "#diff-form select[name=from]")).select_by_value("1")
    Select(page.driver.find_element(By.CSS_SELECTOR, "#diff-form select[name=to]")).select_by_value("2")
    page.driver.find_element(By.CSS_SELECTOR, "#diff-form button").click()
    diff = page.wait.until(conditions.visibility_of_element_located((By.ID, "diff-output")))
    added = [line.text for line in diff.find_elements(By.CSS_SELECTOR, ".line.added")]
    assert any("kindly" in line for line in added), diff.text
    page.check_page("prompt-detail")

    form = page.driver.find_element(By.ID, "promote-form")
    Select(form.find_element(By.NAME, "from")).select_by_value("staging")
    form.find_element(By.NAME, "to").send_keys("production")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    page.wait_for_status("production now points at version 2")
    assert labels()["production"] == [{"version": 2, "weight": 100}]

    page.driver.find_element(By.CSS_SELECTOR, "button.rollback[data-label='production']").click()
    page.confirm_dialog()
    page.wait_for_status("production points at version 1 again")
    assert labels()["production"] == [{"version": 1, "weight": 100}]

    box = page.wait.until(conditions.visibility_of_element_located((By.CSS_SELECTOR, ".analysis[data-label='production']")))
    Select(box.find_element(By.NAME, "candidate")).select_by_value("2")
    box.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    page.wait_for_status("A canary analysis of version 2 on production is running")
    analysis = server.api("GET", f"/v1/admin/prompts/{PROMPT}/labels/production/analysis").json()
    assert analysis["status"] == "running" and analysis["candidate_version"] == 2
    box = page.driver.find_element(By.CSS_SELECTOR, ".analysis[data-label='production']")
    assert box.find_element(By.CSS_SELECTOR, ".analysis-status").text == "running"
    page.check_page("prompt-canary")
    box.find_element(By.CSS_SELECTOR, "button.abort-analysis").click()
    page.confirm_dialog()
    page.wait_for_status("The analysis on production is aborted")
    assert server.api("GET", f"/v1/admin/prompts/{PROMPT}/labels/production/analysis").json()["status"] == "aborted"


def test_flows_are_listed(as_admin):
    page = as_admin
    page.go("#/library/flows")
    page.wait.until(conditions.element_to_be_clickable((By.XPATH, "//a[@class='entry' and normalize-space()='rag']")))
    page.check_page("flows")


def test_an_admin_searches_a_users_traces_and_sees_what_an_answer_cost(as_admin, server):
    page = as_admin
    upload_handbook(server)
    uma = server.person("uma")
    answer = uma.post(server.base + "/v1/chat", json={"message": "Which class are trains booked in?"}, timeout=60)
    assert answer.status_code == 200, answer.text
    trace_id = answer.json()["trace_id"]
    trace = server.api("GET", f"/v1/traces/{trace_id}").json()
    found = server.api("GET", "/v1/traces", params={"subject": trace["subject"], "flow": "rag", "status": "succeeded"}).json()["data"]
    assert found[0]["id"] == trace_id

    page.open("Traces")
    form = page.wait.until(conditions.visibility_of_element_located((By.ID, "trace-search")))
    subject = form.find_element(By.NAME, "subject")
    assert subject.get_attribute("readonly") is None, "an admin may search any user's traces"
    subject.send_keys(trace["subject"])
    Select(form.find_element(By.NAME, "status")).select_by_value("failed")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    page.wait_for_status("No trace matches the search")
    Select(form.find_element(By.NAME, "status")).select_by_value("succeeded")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    page.wait_for_status(f"{min(len(found), 25)} trace")
    listed = [link.get_attribute("data-id") for link in page.driver.find_elements(By.CSS_SELECTOR, "#trace-results a.trace-link")]
    assert listed == [t["id"] for t in found][:25]

    page.follow(page.driver.find_element(By.CSS_SELECTOR, f"a.trace-link[data-id='{trace_id}']"))
    page.wait_for_status("nodes, succeeded")
    # The cost of the answer's model calls, from the prices: (prompt × input + completion × output) per million.
    llm = [node for node in trace["nodes"] if node.get("usage")]
    expected = sum(node["usage"]["prompt_tokens"] * PRICE["inputPerMillion"] + node["usage"]["completion_tokens"] * PRICE["outputPerMillion"]
                   for node in llm) / 1e6
    assert page.driver.find_element(By.ID, "trace-cost").text == dollars(expected)
    answer_node = page.driver.find_element(By.CSS_SELECTOR, "article.node[data-node='answer']")
    assert dollars(expected) in answer_node.text
    assert "keeps no text" in page.driver.find_element(By.CSS_SELECTOR, "article.node[data-node='retrieve']").text, \
        "another person's passages are not shown: only their conversation holds the text"
    page.check_page("trace-admin")


def test_evaluations_import_a_dataset_run_it_see_its_scores_and_compare_with_the_baseline(as_admin, server, tmp_path):
    page = as_admin
    upload_handbook(server)
    items = [
        {"id": "receipts", "question": "Within how many days must hotel receipts be filed?", "expected_answer": "Within thirty days.",
         "expected_facts": ["thirty days"], "expected_sources": ["travel-policy.md"]},
        {"id": "trains", "question": "Which class are trains booked in?", "expected_answer": "Second class.",
         "expected_facts": ["second class"], "expected_sources": ["travel-policy.md"]},
        {"id": "cat", "question": "What colour is the office cat?", "answerable": False},
    ]
    dataset = tmp_path / "travel.jsonl"
    dataset.write_text("".join(json.dumps(item) + "\n" for item in items))

    page.open("Evaluations")
    form = page.wait.until(conditions.visibility_of_element_located((By.ID, "import-dataset-form")))
    form.find_element(By.NAME, "name").send_keys("travel")
    form.find_element(By.NAME, "file").send_keys(str(dataset))
    form.find_element(By.NAME, "note").send_keys("from the console")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    page.wait_for_status("Imported 3 items as version 1 of travel")
    stored = server.api("GET", "/v1/admin/eval/datasets/travel", params={"items": "true"}).json()
    assert [item["id"] for item in stored["items"]] == ["receipts", "trains", "cat"] and stored["version"]["note"] == "from the console"
    assert "travel" in page.driver.find_element(By.ID, "eval-datasets").text

    def start_run(note):
        start = page.driver.find_element(By.ID, "start-run-form")
        Select(start.find_element(By.NAME, "dataset")).select_by_value("travel")
        flow = start.find_element(By.NAME, "flow")
        flow.clear()
        flow.send_keys("rag")
        start.find_element(By.NAME, "note").send_keys(note)
        start.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        page.wait.until(lambda _: page.driver.execute_script("return location.hash").startswith("#/evaluations/runs/run_"))
        page.wait_for_status("The run is completed", timeout=120)
        return page.driver.execute_script("return location.hash").rsplit("/", 1)[1]

    first = start_run("first from the console")
    run = server.api("GET", f"/v1/admin/eval/runs/{first}").json()
    assert run["status"] == "completed" and run["spec"]["dataset"] == "travel" and run["spec"]["note"] == "first from the console"
    results = server.api("GET", f"/v1/admin/eval/runs/{first}/results").json()["data"]
    assert len(results) == 3
    metrics = page.table_rows("Every metric: the mean over items of each item's mean over repeats")
    for name in ["facts_recall", "token_f1", "groundedness", "abstention_correct"]:
        values = [r["scores"][name]["value"] for r in results if "value" in r["scores"].get(name, {})]
        assert metrics[name][0] == f"{sum(values) / len(values):.3f}", (name, metrics[name], values)
        assert metrics[name][1] == str(len(values))
    drawn = page.chart_data("run-scores-ratio")
    if drawn is not None:
        assert "facts_recall" in drawn[0]["x"] and "groundedness" not in drawn[0]["x"]
        judged = page.chart_data("run-scores-judge")
        assert set(judged[0]["x"]) >= {"groundedness", "relevance"}
    answers = page.driver.find_element(By.XPATH, "//table[caption[normalize-space()=\"The run's 3 answers\"]]")
    assert "thirty days" in answers.text
    page.check_page("evaluation-run")

    page.driver.find_element(By.CSS_SELECTOR, f"button.set-baseline[data-id='{first}']").click()
    page.wait_for_status(f"{first} is the baseline of travel for flow rag")
    baselines = server.api("GET", "/v1/admin/eval/baselines").json()["data"]
    assert {"dataset": "travel", "flow": "rag", "run_id": first}.items() <= next(b for b in baselines if b["dataset"] == "travel").items()

    page.follow(page.driver.find_element(By.LINK_TEXT, "All datasets and runs"))
    page.wait.until(lambda _: first in page.driver.find_element(By.ID, "eval-runs").text)
    second = start_run("second from the console")
    page.follow(page.driver.find_element(By.CSS_SELECTOR, "a.compare-baseline"))
    assert page.driver.execute_script("return location.hash") == f"#/evaluations/compare/{first}/{second}"
    page.wait_for_status(f"Compared {second} with {first} over 3 items")
    comparison = server.api("GET", "/v1/admin/eval/compare", params={"baseline": first, "candidate": second}).json()
    rows = page.table_rows("Every metric compared")
    assert list(rows) == [metric["name"] for metric in comparison["metrics"]]
    facts_recall = next(metric for metric in comparison["metrics"] if metric["name"] == "facts_recall")
    assert rows["facts_recall"][0] == f"{facts_recall['baseline_mean']:.3f}" and rows["facts_recall"][1] == f"{facts_recall['candidate_mean']:.3f}"
    if page.plotly():
        drawn = page.chart_data("compare-ratio")
        assert [t["name"] for t in drawn] == [f"baseline {first}", f"candidate {second}"]
    page.check_page("evaluation-compare")

    # A gate on the two runs, decided from the console and kept.
    page.follow(page.driver.find_element(By.LINK_TEXT, "All datasets and runs"))
    gate = page.wait.until(conditions.visibility_of_element_located((By.ID, "gate-form")))
    Select(gate.find_element(By.NAME, "candidate")).select_by_value(second)
    requirement = gate.find_element(By.NAME, "require")
    requirement.clear()
    requirement.send_keys("facts_recall>=baseline-0.1")
    gate.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    page.wait_for_status("passed")
    gates = server.api("GET", "/v1/admin/eval/gates").json()["data"]
    assert gates[0]["candidate_run_id"] == second and gates[0]["baseline_run_id"] == first and gates[0]["passed"]
    page.check_page("evaluations")


def test_monitors_show_the_tenants_state_values_and_level_changes(as_admin, server):
    page = as_admin
    upload_handbook(server)
    assert server.api("POST", "/v1/chat", json={"message": "Which class are trains booked in?"}).status_code == 200

    def scope():
        report = server.api("GET", f"/v1/admin/monitors/{LATENCY_MONITOR}").json()
        return next((s for s in report["scopes"] if s["flow"] == "rag" and s["label"] == "production"), None)
    deadline = time.monotonic() + 20
    while not ((found := scope()) and found["state"]["level"] == "alert") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert found and found["state"]["level"] == "alert", found

    page.open("Monitors")
    listed = page.wait.until(conditions.visibility_of_element_located((By.CSS_SELECTOR, "#monitor-list table")))
    rows = page.table_rows("The monitors in force and their worst level")
    assert set(rows) == {LATENCY_MONITOR, "groundedness-low"}
    assert rows[LATENCY_MONITOR][1] == "alert" and "rag@production in tenant acme" in rows[LATENCY_MONITOR][5]
    assert "tenant default" not in listed.text, "a tenant's admins see their tenant only"
    page.check_page("monitors")

    # The list refreshes itself; someone on the keyboard keeps their place.
    link_path = f"//a[@class='monitor-link' and normalize-space()='{LATENCY_MONITOR}']"
    page.driver.execute_script("arguments[0].focus()", page.driver.find_element(By.XPATH, link_path))
    refreshes = int(page.driver.find_element(By.ID, "monitors-updated").get_attribute("data-refreshes"))
    page.wait.until(lambda _: int(page.driver.find_element(By.ID, "monitors-updated").get_attribute("data-refreshes")) > refreshes)
    assert page.driver.execute_script("return document.activeElement.textContent") == LATENCY_MONITOR
    page.follow(page.driver.switch_to.active_element)
    page.wait.until(lambda _: page.driver.find_elements(By.CSS_SELECTOR, "#monitor-scopes table"))
    scopes = page.table_rows(f"Where {LATENCY_MONITOR} stands on each scope it watches")
    assert scopes["rag@production"][:2] == ["acme", "alert"]
    changes = page.driver.find_element(By.XPATH, "//table[caption[normalize-space()='Level changes, newest first (the latest 50)']]")
    assert "ok → alert" in changes.text and "latency_p95_ms is above the alert threshold" in changes.text
    values = page.driver.find_elements(By.CSS_SELECTOR, "#monitor-values tbody tr")
    assert any("rag@production in tenant acme" in row.text for row in values), [row.text for row in values]
    drawn = page.chart_data("monitor-values")
    if drawn is not None:
        assert drawn[0]["name"] == "rag@production in tenant acme" and drawn[0]["y"]
        assert any(t["name"].startswith("alert threshold") for t in drawn)
    # The page follows the monitor while open: it is refreshed without a reload.
    page.wait.until(lambda _: int(page.driver.find_element(By.ID, "monitor-updated").get_attribute("data-refreshes") or 0) >= 2)
    assert not page.driver.find_elements(By.ID, "test-alert-form"), "test alerts are the platform's"
    page.check_page("monitor")


def test_feedback_shows_shared_conversations(as_admin, server):
    page = as_admin
    user = make_key(server, "console rater")
    assert server.api("PUT", "/v1/me/consent", key=user["secret"], json={"share_conversations": True}).status_code == 200
    answer = server.api("POST", "/v1/chat", key=user["secret"], json={"message": "What does the console rate?"})
    assert answer.status_code == 200, answer.text
    rated = server.api("POST", "/v1/feedback", key=user["secret"], json={
        "trace_id": answer.json()["trace_id"], "thumbs": "down", "comment": "Console comment <b>not bold</b>",
        "include_conversation": True})
    assert rated.status_code == 201 and rated.json()["conversation_included"], rated.text

    page.open("Feedback")
    row = page.wait.until(lambda _: next((r for r in page.driver.find_elements(By.CSS_SELECTOR, "#feedback-list tbody tr")
                                          if user["key"]["id"] in r.text), None))
    assert "1 of 5" in row.text
    assert "Console comment <b>not bold</b>" in row.text, "a comment is text, never markup"
    row.find_element(By.CSS_SELECTOR, "details.shared-conversation summary").click()
    assert "What does the console rate?" in row.find_element(By.CSS_SELECTOR, "details.shared-conversation").text
    page.driver.find_element(By.ID, "only-shared").click()
    assert all("shared" in r.text for r in page.driver.find_elements(By.CSS_SELECTOR, "#feedback-list tbody tr"))
    page.check_page("feedback")


def test_audit_log_pages_and_checks_the_chain(as_admin, server):
    page = as_admin
    make_key(server, "audited key")
    events = server.api("GET", "/v1/admin/audit", params={"limit": 50}).json()
    page.open("Audit log")
    chain = page.wait.until(lambda _: (lambda node: node if node.get_attribute("data-intact") else None)(
        page.driver.find_element(By.ID, "audit-chain")))
    whole = server.api("GET", "/v1/admin/audit/verification").json()
    assert whole["intact"] and chain.get_attribute("data-intact") == "true", chain.text
    assert "Verified by the server" in chain.text and f"all {whole['events']} records" in chain.text, chain.text
    assert chain.find_element(By.TAG_NAME, "time").get_attribute("datetime"), "the moment is a <time>, not its object's name"
    verification = page.wait.until(lambda _: (lambda node: node if node.get_attribute("data-verified") else None)(
        page.driver.find_element(By.ID, "audit-verification")))
    assert verification.get_attribute("data-verified") == "true", verification.text
    first = page.driver.find_element(By.CSS_SELECTOR, "#audit-list tbody tr")
    assert first.find_element(By.TAG_NAME, "th").text == str(events["data"][0]["seq"])
    audit = page.driver.find_element(By.ID, "audit-list").text
    assert "key.create" in audit and "session.sign_in" in audit, "signing in through the provider is audited"
    page.check_page("audit")
    if events["has_more"]:
        page.driver.find_element(By.ID, "audit-older").click()
        page.wait.until(lambda _: int(page.driver.find_element(By.CSS_SELECTOR, "#audit-list tbody tr th").text)
                        < events["data"][-1]["seq"])


def test_erasure_needs_the_subject_typed_again(as_admin, server):
    page = as_admin
    user = make_key(server, "console erased")
    subject = user["key"]["id"]
    assert server.api("POST", "/v1/chat", key=user["secret"], json={"message": "Remember me?"}).status_code == 200
    assert len(server.api("GET", "/v1/conversations", key=user["secret"]).json()["data"]) == 1

    page.open("Data protection")
    page.driver.find_element(By.CSS_SELECTOR, "#erase-form input[name=subject]").send_keys(subject)
    page.driver.find_element(By.CSS_SELECTOR, "#erase-form button[type=submit]").click()
    page.check_page("erasure-confirm")
    page.confirm_dialog(typed=subject)
    page.wait_for_status(f"Erased the data of {subject}")
    counts = {row.find_element(By.TAG_NAME, "th").text: row.find_element(By.TAG_NAME, "td").text
              for row in page.driver.find_elements(By.CSS_SELECTOR, "#erasure-result tbody tr")}
    assert counts["Conversations removed"] == "1", counts
    assert server.api("GET", "/v1/conversations", key=user["secret"]).json()["data"] == []
    page.check_page("erasure-done")


# ---- The platform's admin ----------------------------------------------------------------------------------------

def test_a_platform_admin_sees_every_screen(as_platform_admin):
    page = as_platform_admin
    assert page.nav_labels() == ["Overview", "Traces", "Budgets and limits", "API keys", "Documents",
                                 "Prompts and flows", "Evaluations", "Monitors", "Feedback", "Audit log",
                                 "Data protection", "Gateway", "Metrics", "My account"]
    assert "platform admin" in page.driver.find_element(By.ID, "whoami").text


def test_gateway_refreshes_while_open_and_stops_after(as_platform_admin):
    page = as_platform_admin
    page.open("Gateway")
    table = page.wait.until(conditions.visibility_of_element_located((By.CSS_SELECTOR, "#gateway-table table")))
    names = [th.text for th in table.find_elements(By.CSS_SELECTOR, "tbody th")]
    assert names == ["failing", "sim"]
    # The failing deployment's breaker moves on its own (open, then half open); the healthy one stays closed.
    breakers = [node.get_attribute("data-breaker") for node in table.find_elements(By.CSS_SELECTOR, "[data-breaker]")]
    assert breakers[0] in ("closed", "open", "half_open") and breakers[1] == "closed", breakers
    page.wait.until(lambda _: int(page.driver.find_element(By.ID, "gateway-updated").get_attribute("data-refreshes") or 0) >= 2)
    page.check_page("gateway")

    def gateway_calls():
        return page.driver.execute_script(
            "return performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/v1/admin/gateway')).length")
    page.open("Metrics")
    settled = gateway_calls()
    time.sleep(7)
    assert gateway_calls() == settled, "the gateway screen's timer stops when the screen closes"


def test_metrics_lists_and_filters_series(as_platform_admin):
    page = as_platform_admin
    page.open("Metrics")
    page.wait_for_status("series read")
    listed = page.driver.find_element(By.ID, "metrics-list").text
    assert "pillar_" in listed
    search = page.driver.find_element(By.CSS_SELECTOR, "#screen input[type=search]")
    search.clear()
    search.send_keys("pillar_gen_ai_tokens_total")
    page.wait.until(lambda _: all("pillar_gen_ai_tokens_total" in row.text for row in
                                  page.driver.find_elements(By.CSS_SELECTOR, "#metrics-list tbody tr")))
    page.check_page("metrics")


def test_the_platform_admin_sees_every_tenants_monitors_and_sends_a_test_alert(as_platform_admin, server):
    page = as_platform_admin
    assert server.api("POST", "/v1/chat", key=ADMIN_KEY, json={"message": "Which class are trains booked in?"}).status_code == 200
    page.open("Monitors")
    page.wait.until(lambda _: "rag@production in tenant default" in page.driver.find_element(By.ID, "monitor-list").text)
    assert "rag@production in tenant acme" in page.driver.find_element(By.ID, "monitor-list").text
    page.follow(page.driver.find_element(By.XPATH, f"//a[@class='monitor-link' and normalize-space()='{LATENCY_MONITOR}']"))
    form = page.wait.until(conditions.visibility_of_element_located((By.ID, "test-alert-form")))
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    page.wait_for_status("delivered to 1 of 1 webhooks")
    deliveries = page.table_rows(next(caption.text for caption in page.driver.find_elements(By.CSS_SELECTOR, "#test-alert-result caption")))
    assert deliveries["console-receiver"][0] == "delivered"
    received = [body for body in Receiver.bodies if body["event"] == "test"]
    assert received and received[-1]["details"]["monitor"] == LATENCY_MONITOR
    page.check_page("monitor-platform")


def test_account_of_the_platform_admin(as_platform_admin):
    page = as_platform_admin
    page.open("My account")
    facts = page.wait.until(conditions.visibility_of_element_located((By.ID, "whoami-facts"))).text
    assert "default" in facts and "platform admin" in facts and "a browser session" in facts
    page.check_page("account-admin")
    print(f"console screenshots: {SHOTS}")


def test_a_session_ended_mid_visit_returns_to_sign_in(as_platform_admin, server):
    """Erasing a person ends their sessions: the console's next call is refused, and it says so on the sign-in panel."""
    page = as_platform_admin
    subject = page.driver.execute_async_script(
        "const done = arguments[0]; fetch('/v1/me').then((r) => r.json()).then((me) => done(me.subject), () => done(null));")
    assert subject and subject.endswith(":pat")
    erased = server.api("POST", f"/v1/admin/subjects/{subject}/erasure", key=ADMIN_KEY)
    assert erased.status_code == 200 and erased.json()["sessions"] >= 1, erased.text
    page.driver.find_element(By.XPATH, "//nav[@id='nav']//a[normalize-space()='API keys']").send_keys("\n")
    error = page.wait.until(conditions.visibility_of_element_located((By.ID, "sign-in-error")))
    assert "401" in error.text and "session_expired" in error.text, error.text
    assert page.driver.find_element(By.ID, "sign-in-link").is_displayed(), "signing in again is one link away"
    page.forget_person()
