"""A real browser on the page: headless Chromium uploads a photo, sees the ranked bars, taps a correction."""

import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
import uvicorn
from sqlalchemy import select

from bot.core.admin import Admin
from bot.core.live_model import LiveModel
from bot.core.service import CityBot
from bot.web.app import WebOptions, create_app
from storage.models import City, Label, User
from storage.store import LabelStore
from tests.synthetic import CITIES, photo_bytes
from tests.web.conftest import LOOPBACK_IS_PUBLIC
from tests.web.servers import Reply, serving

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.slow


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def site(store: LabelStore, data_dir: Path, live: str, sqlite_url: str) -> Iterator[str]:
    """The real app served by uvicorn on 127.0.0.1, with the tiny model live; yields its base URL."""
    live_model = LiveModel(store, data_dir)
    core = CityBot(store, live_model)
    options = WebOptions(max_upload_bytes=2_000_000, url_policy=LOOPBACK_IS_PUBLIC)
    app = create_app(core, Admin(store, data_dir, sqlite_url, live_model=live_model), options)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[object]:
    """Headless Debian Chromium through its chromedriver (nothing downloaded); skipped when not installed."""
    if not (shutil.which(CHROMIUM) and shutil.which(CHROMEDRIVER)):
        pytest.skip("headless Chromium not installed: run `make browser` (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is missing: pip install -e '.[dev]'")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1100,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()


def wait_for(condition, timeout: float = 15.0):
    """Poll `condition` until it returns something truthy (browser work is asynchronous)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("the page did not get there in time")


def test_upload_see_ranked_bars_and_correct_from_a_real_browser(
    site: str, browser, store: LabelStore, tmp_path: Path
) -> None:
    """Upload a photo in Chromium, see every city ranked with bars, tap a correction; the label lands in the store."""
    from selenium.webdriver.common.by import By

    photo = tmp_path / "munich.jpg"
    photo.write_bytes(photo_bytes("Munich", seed=5, size=(320, 240)))
    ARTIFACTS.mkdir(exist_ok=True)

    browser.get(site + "/")
    assert "Model v1" in browser.find_element(By.CSS_SELECTOR, ".status").text
    browser.find_element(By.ID, "file").send_keys(str(photo))
    rows = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#ranking .row"))
    cities = [row.get_attribute("data-city") for row in rows]
    percents = [float(row.find_element(By.CSS_SELECTOR, ".percent").text.rstrip(" %")) for row in rows]
    widths = [row.find_element(By.CSS_SELECTOR, ".fill").size["width"] for row in rows]
    assert sorted(cities) == sorted(CITIES)
    assert percents == sorted(percents, reverse=True) and abs(sum(percents) - 100) < 0.5
    assert widths == sorted(widths, reverse=True) and widths[0] > 0
    assert browser.find_element(By.ID, "version").text == "v1"
    browser.execute_script("document.getElementById('answers').scrollIntoView(false)")
    browser.save_screenshot(str(ARTIFACTS / "web-ranking-desktop.png"))

    correction = cities[1]
    browser.find_element(By.CSS_SELECTOR, f'#answers .answer[data-city="{correction}"]').click()
    wait_for(lambda: f"saved as {correction}" in browser.find_element(By.ID, "message").text)
    with store.transaction() as session:
        stored = session.execute(select(Label.kind, City.name, User.platform).join(City).join(User)).all()
    assert stored == [("correction", correction, "web")]

    browser.set_window_size(390, 844)  # a phone
    browser.execute_script("document.getElementById('answers').scrollIntoView(false)")
    browser.save_screenshot(str(ARTIFACTS / "web-ranking-phone.png"))
    page_width = browser.execute_script("return document.documentElement.scrollWidth")
    assert page_width <= browser.execute_script("return window.innerWidth")  # no sideways scrolling on a phone


def test_paste_a_photo_address_and_see_the_ranking(site: str, browser) -> None:
    """Pasting a photo's URL and pressing Look ranks every city from the fetched photo."""
    from selenium.webdriver.common.by import By

    with serving("127.0.0.1") as photos:
        photos.replies["/cebu.jpg"] = Reply(200, photo_bytes("Cebu", seed=8), {"Content-Type": "image/jpeg"})
        browser.get(site + "/")
        browser.find_element(By.ID, "url").send_keys(photos.url("/cebu.jpg"))
        browser.find_element(By.CSS_SELECTOR, "#by-url button").click()
        rows = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#ranking .row"))
    assert sorted(row.get_attribute("data-city") for row in rows) == sorted(CITIES)
    assert [hit.path for hit in photos.received] == ["/cebu.jpg"]
