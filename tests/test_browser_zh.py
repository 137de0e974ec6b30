"""The Chinese dashboard in a real browser: switch the language, upload Chinese reviews,
and check that Chinese segment names and keywords render as characters in the charts.

Reuses the server/browser fixtures of tests/test_browser.py. Screenshots go to
test-artifacts/screenshots/zh_*.png. Chinese needs a CJK font on the machine (Debian:
fonts-noto-cjk, installed by scripts/setup --dev); without one Chromium draws every
Chinese character as the same empty box, which the glyph check below catches.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.test_browser import (  # noqa: F401 - fixtures used by name
    app_url,
    browser,
    go,
    main,
    metric_value,
    page,
    shot,
    wait_idle,
)
from tests.test_i18n import chinese_csv

pytestmark = pytest.mark.browser
CJK = re.compile(r"[\u4e00-\u9fff]")

# Draws characters on a canvas in the page's font stack and says whether different
# characters give different pixels: with no CJK font every one is the same .notdef box.
GLYPHS_DIFFER = """chars => {
    const canvas = document.createElement('canvas');
    canvas.width = 64; canvas.height = 64;
    const ctx = canvas.getContext('2d');
    const family = getComputedStyle(document.body).fontFamily;
    const pixels = chars.map(ch => {
        ctx.clearRect(0, 0, 64, 64);
        ctx.fillStyle = '#000';
        ctx.font = '40px ' + family;
        ctx.fillText(ch, 8, 48);
        return Array.from(ctx.getImageData(0, 0, 64, 64).data).join(',');
    });
    return new Set(pixels).size === pixels.length && pixels.every(p => /[1-9]/.test(p));
}"""


def _cjk_font_installed() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return bool(out.stdout.strip())


def test_chinese_ui_with_chinese_data(app_url, page):  # noqa: F811 - fixtures imported above
    assert _cjk_font_installed(), "no Chinese font: apt-get install fonts-noto-cjk (scripts/setup --dev does)"
    page.goto(f"{app_url}/data")
    main(page).get_by_text("Validation report").wait_for(timeout=240_000)
    wait_idle(page)

    # The switch is in the sidebar, on every page.
    page.locator('[data-testid="stSidebar"]').get_by_text("简体中文", exact=True).click()
    main(page).get_by_text("校验报告").wait_for(timeout=120_000)
    wait_idle(page)
    assert page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="2 · 分群设置").count() == 1

    # Upload Chinese reviews: the validation report names the language and the embedder.
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(
        {"name": "zh_reviews.csv", "mimeType": "text/csv", "buffer": chinese_csv(30)})
    main(page).get_by_text("以中文为主", exact=False).first.wait_for(timeout=120_000)
    wait_idle(page)
    assert metric_value(page, "用户数") == "30"
    assert page.evaluate(GLYPHS_DIFFER, ["分", "群", "用", "户"]), "Chinese characters render as boxes"
    shot(page, "zh_1_data")

    # Segment: the multilingual embedder is the default, and the page says why.
    go(page, "2 · 分群设置", "质量")
    assert main(page).get_by_text("向量化模型默认设为", exact=False).count() >= 1
    assert int(metric_value(page, "分群数")) >= 2
    shot(page, "zh_2_segment")

    # Overview: Chinese segment names on the bars of the sizes chart (SVG text).
    go(page, "概览", "各个分群")
    sizes = main(page).locator(".js-plotly-plot").first
    labels = sizes.locator(".ytick text").all_text_contents()
    assert labels and all(CJK.search(label) for label in labels), labels
    assert page.evaluate(GLYPHS_DIFFER, [label[0] for label in labels[:1]] + ["分", "群"])
    shot(page, "zh_0_overview")

    # Explore: the map's legend holds the Chinese names.
    go(page, "3 · 探索", "已选用户")
    legend = main(page).locator(".js-plotly-plot .legend .traces").all_text_contents()
    assert legend and all(CJK.search(entry) for entry in legend), legend
    shot(page, "zh_3_explore")

    # Segments: cards with Chinese names, keywords and reviews.
    go(page, "4 · 分群详情", "使其与众不同的词语")
    chips = main(page).locator(".sk-chip").all_inner_texts()
    assert chips and sum(bool(CJK.search(c)) for c in chips) >= len(chips) // 2, chips
    shot(page, "zh_4_segments")

    # Export: Chinese labels; the language stayed for the whole session.
    go(page, "6 · 导出", "下载")
    assert main(page).get_by_role("button", name="下载分群词典").count() == 1
    shot(page, "zh_6_export")
    assert not page.errors, page.errors
