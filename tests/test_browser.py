"""End to end in a real browser: `streamlit run app.py` driven by Debian's Chromium.

Starts the app on a free loopback port (127.0.0.1 only), walks through every page on
the bundled sample, re-segments with another K, checks the map and the segment cards,
downloads the labeled CSV and compares its rows with the input, and uploads a file full
of HTML/Markdown payloads to check they are shown as text. Every request a page makes is
recorded; a test fails on any host other than the app's own. Screenshots of each page go
to test-artifacts/screenshots/. The server is always stopped.

Needs /usr/bin/chromium (scripts/setup --dev installs it). Without it the test is
skipped, except in CI (env CI set), where a missing browser is a failure.
"""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.streamlit_server import streamlit_server

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-artifacts" / "screenshots"
SAMPLE = ROOT / "sample_data" / "store_reviews.csv"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
VIEWPORT = {"width": 1400, "height": 2000}  # Streamlit scrolls inside its own container


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing and CI is set: the browser test must run in CI "
                    "(scripts/setup --dev installs Debian's chromium).")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium) and CI is not set")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    _require_chromium()
    env = {
        **os.environ,
        "SEGKIT_CACHE_DIR": str(tmp_path_factory.mktemp("segkit-cache")),
        # PCA maps: the UMAP compile (~35 s of CPU) is not what this test is about.
        "SEGKIT_MAP_METHOD": "pca",
    }
    with streamlit_server(env, tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors
    # Every request the page makes (documents, scripts, fonts, favicons, images, websockets):
    # offline means no host but the app's own.
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    page.requests = requests
    try:
        yield page
    finally:
        context.close()


def assert_only_own_host(page) -> None:
    """No request went to, and no icon/script/image/style in the page points at, another host."""
    outside = sorted({url for url in page.requests if not _is_own_host(url)})
    assert not outside, f"the page fetched from outside hosts: {outside[:10]}"
    assert any(url.startswith("http://127.0.0.1") for url in page.requests)
    linked = page.evaluate("""() => [...document.querySelectorAll('link[href], script[src], img[src], iframe[src]')]
        .map(e => e.href || e.src)""")
    outside = sorted({url for url in linked if not _is_own_host(url)})
    assert not outside, f"the page links resources on outside hosts (e.g. the favicon): {outside[:10]}"


def _is_own_host(url: str) -> bool:
    """The app's own server (127.0.0.1) or a URL that needs no network (data:, blob:, about:)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname == "127.0.0.1"


def wait_idle(page, timeout: float = 240) -> None:
    """Until the script has finished running (and stayed finished for a moment)."""
    app = page.locator('[data-testid="stApp"]')
    app.wait_for(timeout=timeout * 1000)
    deadline = time.time() + timeout
    quiet_since = None
    while time.time() < deadline:
        state = app.get_attribute("data-test-script-state")
        if state == "notRunning":
            quiet_since = quiet_since or time.time()
            if time.time() - quiet_since > 1.0:
                return
        else:
            quiet_since = None
        page.wait_for_timeout(200)
    raise TimeoutError(f"the app kept running for {timeout} s")


def main(page):
    return page.locator('[data-testid="stMain"]')


def go(page, label: str, expect: str) -> None:
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=label).click()
    main(page).get_by_text(expect, exact=False).first.wait_for(timeout=240_000)
    wait_idle(page)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def metric_value(page, label: str) -> str:
    metric = main(page).locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)).first
    return metric.locator('[data-testid="stMetricValue"]').inner_text().strip()


def test_sample_flow_end_to_end(app_url, page):
    # Overview: opens on the sample and segments it with no click.
    page.goto(app_url)
    main(page).get_by_text("The segments", exact=True).wait_for(timeout=240_000)
    wait_idle(page)
    assert main(page).locator(".js-plotly-plot").count() >= 2
    assert int(metric_value(page, "Segments")) >= 2
    shot(page, "0_overview")

    go(page, "1 · Data", "Validation report")
    assert metric_value(page, "Rows") == "6,197"
    assert metric_value(page, "Users") == "2,000"
    shot(page, "1_data")

    # Segment: switch automatic K off and move K by one; the metrics follow.
    go(page, "2 · Segment", "Quality")
    k_before = int(metric_value(page, "Segments"))
    silhouette_before = metric_value(page, "Silhouette")
    main(page).get_by_text("Choose K automatically").click()
    wait_idle(page)
    slider = main(page).locator('[data-testid="stSlider"]').filter(has_text="K (number of segments)")
    slider.get_by_role("slider").focus()
    page.keyboard.press("ArrowRight")
    wait_idle(page)
    page.wait_for_function(
        "k => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].some(m => "
        "m.innerText.startsWith('Segments') && m.innerText.includes(String(k)))", arg=k_before + 1,
        timeout=120_000)
    wait_idle(page)
    assert int(metric_value(page, "Segments")) == k_before + 1
    assert metric_value(page, "Silhouette") != silhouette_before
    shot(page, "2_segment")
    k_now = k_before + 1

    # Explore: the WebGL map with one legend entry per segment.
    go(page, "3 · Explore", "Selected users")
    chart = main(page).locator(".js-plotly-plot").first
    chart.wait_for()
    assert chart.locator("canvas").count() >= 1  # scattergl draws on a WebGL canvas
    assert chart.locator(".legend .traces").count() == k_now
    shot(page, "3_explore")

    # Segments: one card (with a name box) per segment.
    go(page, "4 · Segments", "Words that set it apart")
    names = main(page).locator('[data-testid="stTextInput"]').filter(has_text=re.compile(r"Segment \d+ name"))
    assert names.count() == k_now
    assert main(page).get_by_text("Most representative reviews").count() == k_now
    shot(page, "4_segments")

    # Compare: save this run, go back to automatic K, save again, compare.
    go(page, "5 · Compare", "Save the current run as")
    main(page).get_by_role("button", name="Save current run").click()
    wait_idle(page)
    go(page, "2 · Segment", "Quality")
    main(page).get_by_text("Choose K automatically").click()
    wait_idle(page)
    go(page, "5 · Compare", "Save the current run as")
    main(page).get_by_role("button", name="Save current run").click()
    main(page).get_by_text("Where users go").wait_for(timeout=120_000)
    wait_idle(page)
    assert main(page).get_by_text("Agreement (ARI)").count() == 1
    shot(page, "5_compare")

    # Export: the downloaded CSV has exactly the input's rows, in order.
    go(page, "6 · Export", "Downloads")
    with page.expect_download(timeout=120_000) as download_info:
        main(page).get_by_role("button", name="Download labeled rows").click()
    path = download_info.value.path()
    exported = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    source = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    assert len(exported) == len(source)
    assert exported["review_id"].tolist() == source["review_id"].tolist()
    assert exported["user_id"].tolist() == source["user_id"].tolist()
    assert {"segment_id", "segment_name", "segment_confidence", "map_x", "map_y", "segkit_status"} <= set(exported)
    empty = source["review_text"].str.strip() == ""
    assert (exported.loc[empty, "segkit_status"] != "ok").all()  # rows without text are marked, not dropped
    shot(page, "6_export")
    assert not page.errors, page.errors
    assert_only_own_host(page)


PAYLOADS = [
    "<script>window.__segkit_xss = 1</script> this charger died after two days, battery useless",
    '<img src="http://127.0.0.1:9/pixel.png" onerror="window.__segkit_xss = 2"> battery charger cable',
    "![tracker](http://127.0.0.1:9/track.png) the battery charger cable is great value",
    "**bold** [click](javascript:alert(1)) :red[coloured] $x^2$ battery and charger",
]


def _payload_csv() -> bytes:
    """18 users, 2 reviews each; a third of them write the payloads, all texts distinct."""
    topics = ["the running shoes have great grip on the trail and my knee feels fine after {n} km",
              "this face cream and serum left my skin glowing, bottle number {n} of my routine",
              "the pan and knife set made cooking dinner for {n} people easy"]
    rows = []
    for user in range(18):
        for review in range(2):
            n = 3 + user * 2 + review
            if user % 3 == 0:
                text = f"{PAYLOADS[(user // 3 + review) % len(PAYLOADS)]} (order {n})"
            else:
                text = topics[user % 3].format(n=n)
            rows.append({"user_id": f"U{user:02d}", "review": text, "spend": 100 + 10 * user})
    buffer = io.StringIO()
    pd.DataFrame(rows).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


def test_uploaded_markup_is_shown_as_text(app_url, page):
    page.goto(f"{app_url}/data")
    main(page).get_by_text("Validation report").wait_for(timeout=240_000)
    wait_idle(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "payloads.csv", "mimeType": "text/csv", "buffer": _payload_csv()})
    main(page).get_by_text("Current dataset: payloads", exact=False).wait_for(timeout=120_000)
    wait_idle(page)
    assert metric_value(page, "Users") == "18"
    go(page, "4 · Segments", "Words that set it apart")
    quotes = " ".join(main(page).locator(".sk-quote").all_inner_texts())
    assert "<script>" in quotes or "<img" in quotes or "![tracker]" in quotes or "**bold**" in quotes
    shot(page, "7_payloads_segments")
    go(page, "3 · Explore", "Selected users")
    chart = main(page).locator(".js-plotly-plot").first
    x, y = chart.evaluate("""gd => { const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
        const trace = gd._fullData.find(t => t.text.some(s => s.includes('script') || s.includes('img')));
        const i = trace.text.findIndex(s => s.includes('script') || s.includes('img'));
        return [xa.l2p(trace.x[i]) + xa._offset, ya.l2p(trace.y[i]) + ya._offset]; }""")
    box = chart.bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.wait_for_timeout(800)
    hover = page.locator(".hoverlayer").first.text_content()
    assert "<script>" in hover or "<img" in hover  # shown as text in the hover box
    assert page.locator(".hoverlayer img, .hoverlayer script, .hoverlayer a").count() == 0
    shot(page, "8_payloads_explore")
    assert page.evaluate("window.__segkit_xss") is None
    assert page.locator('img[src*="127.0.0.1:9"]').count() == 0
    assert page.locator('a[href^="javascript"]').count() == 0
    assert not page.errors, page.errors
    assert_only_own_host(page)


def _upload_file(page, name: str, frame: pd.DataFrame) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": frame.to_csv(index=False).encode("utf-8")})
    main(page).get_by_text(f"Current dataset: {Path(name).stem}", exact=False).wait_for(timeout=120_000)
    wait_idle(page)


def _auto_k_is_on(page) -> bool:
    box = main(page).locator('[data-testid="stCheckbox"]').filter(has_text="Choose K automatically").first
    return box.locator("input").is_checked()


def test_a_second_file_starts_from_the_defaults(app_url, page):
    """Issue 15 item 1, as a user meets it: file A, a manual K, then file B starts from the defaults."""
    from tests.conftest import make_reviews

    page.goto(f"{app_url}/data")
    main(page).get_by_text("Validation report").wait_for(timeout=240_000)
    wait_idle(page)
    _upload_file(page, "file_a.csv", make_reviews(n_users=40, reviews_per_user=2, seed=1))
    go(page, "2 · Segment", "Choose K automatically")
    assert _auto_k_is_on(page)
    main(page).locator('[data-testid="stCheckbox"]').filter(has_text="Choose K automatically").first.click()
    wait_idle(page)
    assert not _auto_k_is_on(page)
    go(page, "1 · Data", "Validation report")
    _upload_file(page, "file_b.csv", make_reviews(n_users=45, reviews_per_user=2, seed=2))
    assert main(page).get_by_text("starts from the default settings", exact=False).first.is_visible()
    go(page, "2 · Segment", "Choose K automatically")
    assert _auto_k_is_on(page)  # file B did not inherit file A's manual K
    shot(page, "9_second_file_defaults")
    main(page).get_by_role("button", name="Use the settings from file_a.csv instead").click()
    wait_idle(page)
    assert not _auto_k_is_on(page)  # the offered choice brings them back
    assert not page.errors, page.errors
