"""/docs in a real headless Chromium: the page renders, and "Try it out" on /v1/quantity shows 1536Mi.

Needs Debian's chromium and chromium-driver (.ci/run installs them); skipped,
with the reason, where they are missing.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator

import pytest

from tests.server import Server, gunicorn

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER), reason="needs Debian's chromium and chromium-driver packages"
)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with gunicorn() as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    # As the workplace requires: no sandbox as root, and nothing reaching out to the network.
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,2000",
    ):
        options.add_argument(flag)
    with tempfile.TemporaryDirectory() as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def test_try_it_out_on_the_quantity_endpoint_shows_the_canonical_form(
    server: Server, browser: object
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    assert isinstance(browser, WebDriver)
    browser.get(server.base + "/docs")
    wait = WebDriverWait(browser, 30)
    operation = wait.until(ready.element_to_be_clickable((By.ID, "operations-quantities-get_v1_quantity")))
    paths = [element.text for element in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")]
    for path in ("/v1/quantity", "/v1/quantities/normalize", "/livez"):
        assert path in paths
    operation.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait.until(
        ready.element_to_be_clickable(
            (By.CSS_SELECTOR, "#operations-quantities-get_v1_quantity .try-out__btn")
        )
    ).click()
    field = wait.until(
        ready.visibility_of_element_located(
            (By.CSS_SELECTOR, "#operations-quantities-get_v1_quantity tr[data-param-name='value'] input")
        )
    )
    field.clear()
    field.send_keys("1.5Gi")
    browser.find_element(By.CSS_SELECTOR, "#operations-quantities-get_v1_quantity .execute").click()
    body = wait.until(
        ready.visibility_of_element_located(
            (
                By.CSS_SELECTOR,
                "#operations-quantities-get_v1_quantity .live-responses-table .response-col_description pre",
            )
        )
    )
    wait.until(lambda _: "1536Mi" in body.text)
    assert '"canonical": "1536Mi"' in body.text
