"""The first impression in a real browser, with the real default embedder rule.

A fresh server (empty embedding cache, no SEGKIT_EMBEDDER override) opens on the bundled
sample: TF-IDF preview segments must be on screen at once, with MiniLM's progress and a
stop button, and MiniLM's segments must replace them without a click, with a note.
Screenshots: test-artifacts/screenshots/preview_*.png.
"""

from __future__ import annotations

import os
import time

import pytest

from tests.streamlit_server import streamlit_server
from tests.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    VIEWPORT,
    _require_chromium,
    main,
    shot,
    wait_idle,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def default_app_url(tmp_path_factory):
    _require_chromium()
    env = {key: value for key, value in os.environ.items() if key != "SEGKIT_EMBEDDER"}
    env.update({"SEGKIT_CACHE_DIR": str(tmp_path_factory.mktemp("segkit-cache-preview")),
                "SEGKIT_MAP_METHOD": "pca"})
    with streamlit_server(env, tmp_path_factory.mktemp("streamlit-preview") / "server.log") as url:
        yield url


def test_preview_first_then_minilm_replaces_it(default_app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            started = time.time()
            page.goto(default_app_url)
            main(page).get_by_text("preview segments", exact=False).first.wait_for(timeout=120_000)
            preview_seconds = time.time() - started
            main(page).get_by_text("The segments", exact=True).wait_for(timeout=60_000)
            segments_seconds = time.time() - started
            assert main(page).get_by_role("button", name="Stop MiniLM and keep the TF-IDF preview").count() == 1
            assert main(page).locator('[data-testid="stProgress"]').count() >= 1
            shot(page, "preview_0_tfidf")
            main(page).get_by_text("Segments now use", exact=False).first.wait_for(timeout=600_000)
            wait_idle(page)
            assert main(page).get_by_text("preview segments", exact=False).count() == 0
            assert main(page).get_by_text("MiniLM", exact=False).count() >= 1
            shot(page, "preview_1_minilm")
            assert not errors, errors
            print(f"preview note after {preview_seconds:.1f} s, preview segments after {segments_seconds:.1f} s; "
                  f"MiniLM segments after "
                  f"{time.time() - started:.1f} s")
        finally:
            browser.close()
