"""The web chat page in a real headless Chromium.

Given the server (stand-in parser, real Bot) on a free port, when a user types a
request into the page and presses Enter, then the page shows the bot's question
with the state and the parsed intent, and after the answers the completed reply
with the filled slots. Skipped only when Chromium is missing outside CI; in CI
(``CI=true``) a missing browser fails the test.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("flask")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else \
    shutil.which("chromedriver")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def fake_nlu() -> Any:
    from test_server_fakes import FakeNLU
    return FakeNLU()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: Any, fake_nlu: Any) -> Iterator[str]:
    from test_server_fakes import scenarios_file

    from nlukit.server import create_app

    app = create_app(nlu=fake_nlu, settings={"torch_threads": 0, "max_text_length": 30},
                     scenarios=scenarios_file(str(tmp_path_factory.mktemp("scen"))))
    yield from _serve(app)


def _serve(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free port in a thread; yield its base URL, then stop it."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (CHROMIUM and CHROMEDRIVER):
        msg = "chromium/chromedriver not installed (apt-get install -y chromium chromium-driver)"
        if _in_ci():
            pytest.fail(f"{msg}; in CI the browser test must run", pytrace=False)
        pytest.skip(msg)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="nlukit-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--lang=ko-KR",
                 "--window-size=1200,900"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _bot_messages(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#log .msg.bot")]


def _send(driver: Any, text: str, expect_bots: int) -> str:
    """Type ``text``, press Enter, wait for the bot's reply number ``expect_bots``."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    box = driver.find_element(By.ID, "text")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    WebDriverWait(driver, 15).until(lambda d: len(_bot_messages(d)) >= expect_bots)
    return _bot_messages(driver)[expect_bots - 1]


def _slots(driver: Any) -> dict[str, str]:
    from selenium.webdriver.common.by import By

    rows = driver.find_elements(By.CSS_SELECTOR, "#slots tr")
    return {r.find_elements(By.TAG_NAME, "td")[0].text: r.find_elements(By.TAG_NAME, "td")[1].text
            for r in rows}


@pytest.mark.slow
@pytest.mark.browser
def test_should_chat_to_a_completed_booking_in_the_browser(browser: Any, base_url: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(base_url + "/")
    assert browser.execute_script("return document.characterSet") == "UTF-8"
    assert browser.title == "nlukit 챗봇"
    session = browser.find_element(By.ID, "session").text
    assert session.startswith("web-") and len(session) == 36

    reply = _send(browser, "기차 예매해줘", 1)
    assert reply == "어디에서 출발하세요?"
    assert "ask_slot" in browser.find_element(By.ID, "state").text
    assert browser.find_element(By.ID, "intent").text.startswith("train_ticket")
    assert browser.find_element(By.ID, "missing").text == "origin, destination"

    assert _send(browser, "서울", 2) == "어디로 가세요?"
    assert _slots(browser) == {"origin": "서울"}

    assert _send(browser, "부산", 3) == "서울에서 부산으로 가는 기차를 예매할게요."
    assert "complete" in browser.find_element(By.ID, "state").text
    assert _slots(browser) == {"origin": "서울", "destination": "부산"}
    users = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#log .msg.user")]
    assert users == ["기차 예매해줘", "서울", "부산"]
    assert browser.find_element(By.ID, "text").get_attribute("value") == ""

    # the session id survives a reload of the tab (sessionStorage)
    browser.refresh()
    assert browser.find_element(By.ID, "session").text == session


@pytest.mark.slow
@pytest.mark.browser
def test_should_show_user_text_as_text_and_start_a_new_session(browser: Any, base_url: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(base_url + "/")
    browser.find_element(By.ID, "reset").click()
    old = browser.find_element(By.ID, "session").text
    _send(browser, "기차 예매해줘", 1)
    reply = _send(browser, "<img src=x onerror=alert(1)>", 2)
    assert reply  # the bot answered; the page did not run the markup
    assert browser.find_elements(By.CSS_SELECTOR, "#log img") == []
    user_texts = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#log .msg.user")]
    assert user_texts[-1] == "<img src=x onerror=alert(1)>"

    browser.find_element(By.ID, "reset").click()
    assert browser.find_elements(By.CSS_SELECTOR, "#log .msg") == []
    new = browser.find_element(By.ID, "session").text
    assert new != old and new.startswith("web-")
    # a bare city in the new session is not taken as the old session's answer
    reply = _send(browser, "부산", 1)
    assert "fallback" in browser.find_element(By.ID, "state").text, reply


@pytest.mark.slow
@pytest.mark.browser
def test_should_show_the_servers_error_message_on_the_page(browser: Any, base_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(base_url + "/")
    box = browser.find_element(By.ID, "text")
    box.send_keys("아주 긴 문장" * 10)  # 60 characters, over the server's limit of 30
    box.send_keys(Keys.ENTER)
    error = browser.find_element(By.ID, "error")
    WebDriverWait(browser, 15).until(lambda d: error.is_displayed())
    assert "text_too_long" in error.text and "30" in error.text
    assert _bot_messages(browser) == []
    # the page still works after the error
    assert _send(browser, "안녕", 1) == "안녕하세요! 무엇을 도와드릴까요?"
    assert not error.is_displayed()


@pytest.mark.slow
@pytest.mark.browser
def test_should_send_the_users_local_date_with_each_turn(browser: Any, base_url: str,
                                                         fake_nlu: Any) -> None:
    import datetime

    from selenium.webdriver.common.by import By

    # a time zone 14 hours ahead of UTC: for most of the day its date is not the server's
    browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": "Pacific/Kiritimati"})
    try:
        browser.get(base_url + "/")
        before = len(_bot_messages(browser))
        _send(browser, "기차 예매해줘", before + 1)
        y, m, d = browser.execute_script(
            "var d = new Date(); return [d.getFullYear(), d.getMonth() + 1, d.getDate()];")
        assert fake_nlu.todays[-1] == datetime.date(y, m, d)
        # and the page shows what the user's 내일 means: the day after the user's today
        browser.find_element(By.ID, "reset").click()
        _send(browser, "내일 부산 날씨", 1)
        tomorrow = datetime.date(y, m, d) + datetime.timedelta(days=1)
        assert _slots(browser)["date"] == f"내일 → {tomorrow.isoformat()}"
        offset = browser.execute_script("return new Date().getTimezoneOffset();")
        assert offset == -14 * 60   # the override took: the page's clock is the user's, not ours
    finally:
        browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ""})


@pytest.fixture(scope="module")
def confirm_url(tmp_path_factory: Any, fake_nlu: Any) -> Iterator[str]:
    """The same server, its train booking asking for a confirmation first."""
    from test_server_fakes import SCENARIOS_TOML

    from nlukit.server import create_app

    path = tmp_path_factory.mktemp("confirm") / "scenarios.toml"
    path.write_text(SCENARIOS_TOML.replace(
        'response = "{origin}에서 {destination}(으)로 가는 기차를 예매할게요."',
        'confirm = "{origin}에서 {destination}(으)로 가는 기차를 예매할까요?"\n'
        'response = "{origin}에서 {destination}(으)로 가는 기차를 예매했어요."'), encoding="utf-8")
    yield from _serve(create_app(nlu=fake_nlu, settings={"torch_threads": 0}, scenarios=str(path)))


@pytest.mark.slow
@pytest.mark.browser
def test_should_offer_yes_and_no_buttons_for_a_confirmation_question(browser: Any, confirm_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(confirm_url + "/")
    browser.find_element(By.ID, "reset").click()
    assert _send(browser, "서울에서 부산으로 가는 기차 예매해줘", 1) == "서울에서 부산으로 가는 기차를 예매할까요?"
    assert "confirm" in browser.find_element(By.ID, "state").text
    buttons = browser.find_elements(By.CSS_SELECTOR, "#log .quick button")
    assert [b.text for b in buttons] == ["네", "아니요"]
    buttons[0].click()   # the 네 button sends 네, as if typed
    WebDriverWait(browser, 15).until(lambda d: len(_bot_messages(d)) >= 2)
    assert _bot_messages(browser)[1] == "서울에서 부산으로 가는 기차를 예매했어요."
    assert [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#log .msg.user")][-1] == "네"
    assert browser.find_elements(By.CSS_SELECTOR, "#log .quick") == []   # answered: gone
