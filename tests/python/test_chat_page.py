"""The chat page as a person uses it, in headless Chromium."""
import shutil

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ADMIN_KEY


@pytest.fixture
def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]:
        options.add_argument(argument)
    options.binary_location = shutil.which("chromium")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()


def use_key(browser, key):
    browser.find_element(By.ID, "api-key").send_keys(key)
    browser.find_element(By.ID, "save-key").click()


def test_chat_streams_a_reply(pillar, browser):
    browser.get(pillar.base + "/")
    use_key(browser, ADMIN_KEY)
    wait = WebDriverWait(browser, 20)
    wait.until(lambda _: len(Select(browser.find_element(By.ID, "model")).options) == 2)
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
