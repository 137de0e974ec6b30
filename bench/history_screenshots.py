"""Screenshots of the History page on real dates: Amazon Musical Instruments (unixReviewTime).

Starts the dashboard (TF-IDF, PCA maps, a temporary SEGKIT_HOME), uploads the reviews with
their time column in headless Chromium, saves the run, then opens History: the stored run,
and "Over time" by year (segment shares, sentiment per period, movers 2013 -> 2014).
Writes test-artifacts/screenshots/history_*.png.

    .venv/bin/python bench/history_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from tests.streamlit_server import streamlit_server  # noqa: E402
from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, main, wait_idle  # noqa: E402

SHOTS = ROOT / "test-artifacts" / "screenshots"
DATA = Path("/work/shared/data/amazon_musical_instruments_5core/reviews_Musical_Instruments_5.json.gz")


def amazon_csv() -> bytes:
    raw = pd.read_json(DATA, lines=True)
    frame = pd.DataFrame({"reviewerID": raw["reviewerID"], "reviewText": raw["reviewText"].fillna(""),
                          "overall": raw["overall"], "unixReviewTime": raw["unixReviewTime"]})
    return frame.to_csv(index=False).encode("utf-8")


def pick(page, label: str, option: str) -> None:
    box = main(page).locator('[data-testid="stSelectbox"]').filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=option, exact=True).first.click()
    wait_idle(page)


def run() -> None:
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    home = tempfile.mkdtemp(prefix="segkit-home-")
    env = {**os.environ, "SEGKIT_EMBEDDER": "tfidf", "SEGKIT_MAP_METHOD": "pca", "SEGKIT_HOME": home,
           "SEGKIT_CACHE_DIR": str(Path(home) / "cache"), "PYTHONPATH": str(ROOT)}
    env.pop("SEGKIT_DB_URL", None)
    with streamlit_server(env, Path(home) / "server.log") as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1400, "height": 2600}).new_page()
        page.goto(f"{url}/data")
        main(page).get_by_text("Validation report").wait_for(timeout=240_000)
        wait_idle(page)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
            {"name": "amazon_instruments.csv", "mimeType": "text/csv", "buffer": amazon_csv()})
        main(page).get_by_text("Current dataset: amazon", exact=False).wait_for(timeout=240_000)
        wait_idle(page)
        nav = page.locator('[data-testid="stSidebarNav"]')
        nav.get_by_role("link", name="5 · Compare").click()
        main(page).get_by_text("Save the current run as").wait_for(timeout=300_000)
        wait_idle(page, timeout=300)
        main(page).get_by_role("button", name="Save current run").click()
        wait_idle(page, timeout=300)
        nav.get_by_role("link", name="History").click()
        main(page).get_by_text("run database").first.wait_for(timeout=120_000)
        wait_idle(page)
        page.screenshot(path=str(SHOTS / "history_1_runs.png"), full_page=True)
        main(page).get_by_role("tab", name="Over time").click()
        main(page).locator('[data-testid="stCheckbox"] label, [data-testid="stToggle"] label').first.click()
        wait_idle(page, timeout=300)
        pick(page, "Period", "year")
        main(page).get_by_text("Movers", exact=False).first.wait_for(timeout=300_000)
        wait_idle(page, timeout=300)
        page.wait_for_timeout(1500)
        page.screenshot(path=str(SHOTS / "history_2_over_time.png"), full_page=True)
        browser.close()
    for path in sorted(SHOTS.glob("history_*.png")):
        print(f"wrote {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    run()
