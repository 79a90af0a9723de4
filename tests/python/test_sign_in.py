"""People signing in through the browser: OpenID Connect's authorization code flow with PKCE against a real OpenID
provider run by the test (PyPI's oidc-provider-mock), over HTTPS with a certificate the test makes; the session
cookie, CSRF protection, renewal with the refresh token, expiry, sign-out and erasure."""
import shutil
import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import start_sign_in_server as conftest_start_sign_in_server


def start_sign_in_server(tmp_path, simulator, provider_flags=(), sign_in=None):
    server = conftest_start_sign_in_server(
        tmp_path, {"deployments": [{"name": "sim", "baseURL": simulator, "model": "simulated", "models": ["gpt-4o-mini"]}]},
        provider_flags=provider_flags, sign_in=sign_in)
    return server.provider, server.process, server


@pytest.fixture
def server(tmp_path, simulator):
    provider, process, server = start_sign_in_server(tmp_path, simulator, provider_flags=("--token-max-age", "3"),
                                                     sign_in={"renewMinutes": 0.05})
    yield server
    process.stop()
    provider.stop()


def set_cookies(response):
    return response.raw.headers.getlist("Set-Cookie")


def test_signing_in_starts_a_secure_cookie_session_with_pkce(server):
    server.set_person("alice", {"roles": ["admin"], "groups": ["eng"]})
    browser = server.browser_session()
    assert browser.get(server.base + "/auth/session").json() == {"signed_in": False, "sign_in_url": "/auth/sign-in"}

    started, authorized, back = server.sign_in(browser, "alice", return_to="/console/")
    # The authorization request: code flow, PKCE with S256, a state and a nonce, the configured redirect.
    location = urlparse(started.headers["Location"])
    assert f"{location.scheme}://{location.netloc}" == server.issuer
    query = {name: values[0] for name, values in parse_qs(location.query).items()}
    assert query["response_type"] == "code" and query["client_id"] == "pillar-web"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) == 64 and len(query["nonce"]) == 64 and query["state"] != query["nonce"]
    assert query["redirect_uri"] == server.base + "/auth/callback"
    assert "openid" in query["scope"].split()
    [state_cookie] = set_cookies(started)
    assert state_cookie.startswith(f"__Host-pillar-sign-in={query['state']};")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in state_cookie
    assert started.headers["Cache-Control"] == "no-store"

    # Back from the provider: a session cookie, the state cookie cleared, on to where the sign-in started.
    assert back.status_code == 303, back.text
    assert back.headers["Location"] == "/console/"
    session_cookie = next(c for c in set_cookies(back) if c.startswith("__Host-pillar-session="))
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=28800"):
        assert attribute in session_cookie
    assert any(c.startswith("__Host-pillar-sign-in=;") and "Max-Age=0" in c for c in set_cookies(back))

    state = browser.get(server.base + "/auth/session").json()
    assert state["signed_in"] and len(state["csrf_token"]) == 64
    assert state["principal"]["tenant"] == "acme" and state["principal"]["roles"] == ["admin"]
    assert state["principal"]["groups"] == ["eng"] and state["principal"]["subject"].endswith(":alice")
    me = browser.get(server.base + "/v1/me").json()
    assert me["method"] == "session" and me["subject"] == state["principal"]["subject"]

    # The same code cannot be used twice.
    replayed = browser.get(authorized.headers["Location"], allow_redirects=False)
    assert replayed.status_code == 400 and replayed.json()["error"]["code"] == "sign_in_failed"

    # The audit log records who signed in.
    audit = browser.get(server.base + "/v1/admin/audit").json()["data"]
    assert any(e["action"] == "session.sign_in" and e["actor"] == me["subject"] for e in audit), audit


def test_state_changing_requests_with_the_cookie_need_the_csrf_token(server):
    server.set_person("carol", {"roles": ["admin"]})
    browser = server.browser_session()
    server.sign_in(browser, "carol")
    refused = browser.post(server.base + "/v1/admin/keys", json={"name": "no token", "role": "user"})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_token_invalid", refused.text
    wrong = browser.post(server.base + "/v1/admin/keys", json={"name": "wrong token", "role": "user"},
                         headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "csrf_token_invalid"
    token = server.csrf(browser)
    created = browser.post(server.base + "/v1/admin/keys", json={"name": "with token", "role": "user"},
                           headers={"X-CSRF-Token": token})
    assert created.status_code == 201, created.text
    key_id = created.json()["key"]["id"]
    not_revoked = browser.delete(server.base + f"/v1/admin/keys/{key_id}")
    assert not_revoked.status_code == 403 and not_revoked.json()["error"]["code"] == "csrf_token_invalid"
    keys = browser.get(server.base + "/v1/admin/keys").json()["data"]
    assert next(k for k in keys if k["id"] == key_id).get("revoked_at") is None, "the refused request changed nothing"
    # A program's credentials in a header need no CSRF token: a browser never attaches them on its own.
    keyed = browser.get(server.base + "/v1/me", headers={"Authorization": f"Bearer {created.json()['secret']}"}).json()
    assert keyed["method"] == "api_key" and keyed["tenant"] == "acme"


def test_a_callback_from_another_browser_is_refused(server):
    """Login CSRF: an attacker's authorization code, sent to a victim's browser, must not sign the victim in."""
    server.set_person("mallory", {"roles": ["user"]})
    attacker, victim = server.browser_session(), server.browser_session()
    started = attacker.get(server.base + "/auth/sign-in", allow_redirects=False)
    authorized = requests.post(started.headers["Location"], data={"sub": "mallory"}, allow_redirects=False, timeout=10)
    lured = victim.get(authorized.headers["Location"], allow_redirects=False)
    assert lured.status_code == 400 and lured.json()["error"]["code"] == "sign_in_failed"
    assert not victim.get(server.base + "/auth/session").json()["signed_in"]
    # The browser that set out can still finish.
    assert attacker.get(authorized.headers["Location"], allow_redirects=False).status_code == 303


def test_sign_in_refuses_to_send_the_browser_elsewhere_afterwards(server):
    browser = server.browser_session()
    for target in ["//evil.example/", "https://evil.example/", "/\\evil.example", "evil", "/x\ny"]:
        refused = browser.get(server.base + "/auth/sign-in", params={"return_to": target}, allow_redirects=False)
        assert refused.status_code == 400, target
        assert refused.json()["error"]["param"] == "return_to"
    denied = browser.get(server.base + "/auth/callback", params={"state": "ab" * 32, "error": "access_denied"},
                         allow_redirects=False)
    assert denied.status_code == 400 and denied.json()["error"]["code"] == "sign_in_failed"


def test_the_session_renews_with_the_refresh_token_until_the_provider_revokes_it(server):
    server.set_person("dave", {"roles": ["user"], "groups": ["sales"]})
    server.set_person("dave-admin", {"roles": ["admin"]})
    browser, admin = server.browser_session(), server.browser_session()
    server.sign_in(browser, "dave")
    time.sleep(4)  # the ID token (3 s) has run out: the next request renews at the provider
    renewed = browser.get(server.base + "/v1/me")
    assert renewed.status_code == 200 and renewed.json()["groups"] == ["sales"], renewed.text

    assert requests.post(f"{server.issuer}/users/dave/revoke-tokens", timeout=10).status_code == 204
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        ended = browser.get(server.base + "/v1/me")
        if ended.status_code != 200:
            break
        time.sleep(0.5)
    assert ended.status_code == 401 and ended.json()["error"]["code"] == "session_expired", ended.text
    assert not browser.get(server.base + "/auth/session").json()["signed_in"]
    server.sign_in(admin, "dave-admin")
    audit = admin.get(server.base + "/v1/admin/audit").json()["data"]
    assert any(e["action"] == "session.sign_out" and e["details"].get("reason") == "refresh refused" for e in audit)


def test_signing_out_ends_the_session_here_and_at_the_provider(server):
    server.set_person("erin", {"roles": ["user"]})
    browser = server.browser_session()
    server.sign_in(browser, "erin")
    old_cookie = browser.cookies.get("__Host-pillar-session")
    assert old_cookie
    assert browser.post(server.base + "/auth/sign-out").status_code == 403, "signing out needs the CSRF token too"
    token = server.csrf(browser)
    signed_out = browser.post(server.base + "/auth/sign-out", headers={"X-CSRF-Token": token})
    assert signed_out.status_code == 200, signed_out.text
    end = urlparse(signed_out.json()["end_session_url"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == server.issuer + "/oauth2/end_session"
    parameters = parse_qs(end.query)
    assert parameters["post_logout_redirect_uri"] == [server.base + "/"] and parameters["id_token_hint"][0].count(".") == 2
    assert any(c.startswith("__Host-pillar-session=;") and "Max-Age=0" in c for c in set_cookies(signed_out))
    # The old cookie is worthless even if a browser kept it.
    replayed = requests.get(server.base + "/v1/me", verify=server.ca, headers={"Cookie": f"__Host-pillar-session={old_cookie}"})
    assert replayed.status_code == 401 and replayed.json()["error"]["code"] == "session_expired"
    assert browser.get(server.base + "/v1/me").status_code == 401


def test_a_session_ends_when_it_is_left_idle(tmp_path, simulator):
    provider, process, server = start_sign_in_server(tmp_path, simulator, sign_in={"idleMinutes": 0.05})
    try:
        server.set_person("frank", {"roles": ["user"]})
        browser = server.browser_session()
        server.sign_in(browser, "frank")
        assert browser.get(server.base + "/v1/me").status_code == 200
        time.sleep(4)
        idle = browser.get(server.base + "/v1/me")
        assert idle.status_code == 401 and idle.json()["error"]["code"] == "session_expired"
        assert "without use" in idle.json()["error"]["message"]
    finally:
        process.stop()
        provider.stop()


def test_a_session_ends_at_its_absolute_expiry_however_active(tmp_path, simulator):
    provider, process, server = start_sign_in_server(
        tmp_path, simulator, sign_in={"sessionHours": 0.0015, "idleMinutes": 0.05})
    try:
        server.set_person("grace", {"roles": ["user"]})
        browser = server.browser_session()
        _, _, back = server.sign_in(browser, "grace")
        assert any(c.startswith("__Host-pillar-session=") and c.endswith("Max-Age=5") for c in set_cookies(back))
        # The browser drops the cookie at its Max-Age; one that kept it (or a stolen copy) is refused by the server.
        cookie = {"Cookie": f"__Host-pillar-session={browser.cookies.get('__Host-pillar-session')}"}
        deadline = time.monotonic() + 12
        while time.monotonic() < deadline:
            answer = requests.get(server.base + "/v1/me", headers=cookie, verify=server.ca)
            if answer.status_code != 200:
                break
            time.sleep(0.5)  # active all along: the idle limit never trips
        assert answer.status_code == 401 and "has expired" in answer.json()["error"]["message"], answer.text
    finally:
        process.stop()
        provider.stop()


def test_erasing_a_person_signs_them_out(server):
    server.set_person("heidi", {"roles": ["admin"]})
    server.set_person("ivan", {"roles": ["user"]})
    admin, person = server.browser_session(), server.browser_session()
    server.sign_in(admin, "heidi")
    server.sign_in(person, "ivan")
    subject = person.get(server.base + "/v1/me").json()["subject"]
    erased = admin.post(server.base + f"/v1/admin/subjects/{subject}/erasure", headers={"X-CSRF-Token": server.csrf(admin)})
    assert erased.status_code == 200, erased.text
    assert erased.json()["sessions"] == 1
    assert person.get(server.base + "/v1/me").status_code == 401


@pytest.fixture
def chromium():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,800", "--ignore-certificate-errors"]:
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()


def test_a_person_signs_in_on_the_chat_page_chats_and_signs_out(server, chromium, tmp_path):
    server.set_person("judy", {"roles": ["user"]})
    wait = WebDriverWait(chromium, 30)
    chromium.get(server.base + "/")
    sign_in = wait.until(conditions.element_to_be_clickable((By.ID, "sign-in")))
    sign_in.click()
    # The provider's own form.
    wait.until(conditions.visibility_of_element_located((By.CSS_SELECTOR, "input[name=sub]"))).send_keys("judy")
    chromium.find_element(By.XPATH, "//button[text()='Authorize']").click()
    # Back on the chat page, signed in: no key was pasted.
    wait.until(conditions.text_to_be_present_in_element((By.ID, "signed-in-as"), "judy"))
    assert "acme" in chromium.find_element(By.ID, "signed-in-as").text
    assert chromium.execute_script("return sessionStorage.getItem('pillar.apiKey')") is None
    assert chromium.execute_script("return document.cookie") == "", "the session cookie is out of scripts' reach"
    wait.until(lambda _: "gpt-4o-mini" in chromium.execute_script(
        "return [...document.querySelectorAll('#model option')].map((o) => o.value)"))
    Select(chromium.find_element(By.ID, "model")).select_by_value("gpt-4o-mini")
    chromium.find_element(By.ID, "prompt").send_keys("hello while signed in")
    chromium.find_element(By.ID, "send").click()
    wait.until(conditions.text_to_be_present_in_element((By.CSS_SELECTOR, "#messages li.assistant"),
                                                        "Echo: hello while signed in"))
    chromium.save_screenshot(str(tmp_path / "signed-in.png"))

    chromium.find_element(By.ID, "sign-out").click()
    # The provider's sign-out page, then back to Pillar, signed out.
    wait.until(conditions.element_to_be_clickable((By.XPATH, "//button[text()='End session']"))).click()
    wait.until(conditions.visibility_of_element_located((By.ID, "sign-in")))
    assert not chromium.find_element(By.ID, "signed-in-as").is_displayed()


def test_an_admin_signs_in_to_the_console_and_changes_things_with_the_session(server, chromium, tmp_path):
    """The console on a real session: its changes carry the CSRF token (the server refuses them otherwise), and
    signing out ends the session."""
    from axe_selenium_python import Axe
    server.set_person("kim", {"roles": ["admin"]})
    wait = WebDriverWait(chromium, 30)
    chromium.get(server.base + "/console/")
    wait.until(conditions.element_to_be_clickable((By.ID, "sign-in-link"))).click()
    wait.until(conditions.visibility_of_element_located((By.CSS_SELECTOR, "input[name=sub]"))).send_keys("kim")
    chromium.find_element(By.XPATH, "//button[text()='Authorize']").click()
    wait.until(lambda _: chromium.current_url.startswith(server.base + "/console/"))
    wait.until(conditions.visibility_of_element_located((By.CSS_SELECTOR, "#nav-list a")))
    assert "kim" in chromium.find_element(By.ID, "whoami").text
    labels = [link.text for link in chromium.find_elements(By.CSS_SELECTOR, "#nav-list a")]
    assert "API keys" in labels and "Gateway" not in labels, "a tenant admin of acme, not a platform admin"

    next(link for link in chromium.find_elements(By.CSS_SELECTOR, "#nav-list a") if link.text == "API keys").click()
    wait.until(conditions.visibility_of_element_located((By.CSS_SELECTOR, "#create-key-form input[name=name]"))).send_keys(
        "made with a session")
    Select(chromium.find_element(By.CSS_SELECTOR, "#create-key-form select[name=role]")).select_by_value("user")
    chromium.find_element(By.CSS_SELECTOR, "#create-key-form button[type=submit]").click()
    secret = wait.until(conditions.visibility_of_element_located((By.ID, "new-secret"))).text
    me = requests.get(server.base + "/v1/me", headers={"Authorization": f"Bearer {secret}"}, verify=server.ca, timeout=10)
    assert me.status_code == 200 and me.json()["tenant"] == "acme", me.text
    axe = Axe(chromium)
    axe.inject()
    serious = [v["id"] for v in axe.run()["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    chromium.save_screenshot(str(tmp_path / "console-signed-in.png"))

    chromium.find_element(By.ID, "sign-out").click()
    wait.until(conditions.element_to_be_clickable((By.XPATH, "//button[text()='End session']"))).click()
    wait.until(lambda _: chromium.current_url.startswith(server.base))
    probe = chromium.execute_async_script(
        "const done = arguments[0]; fetch('/auth/session').then((r) => r.json()).then(done, () => done(null));")
    assert probe == {"signed_in": False, "sign_in_url": "/auth/sign-in"}
