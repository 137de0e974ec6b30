"""The dashboard in English and Simplified Chinese.

Message catalogs (segkit/i18n.py): every key in both languages with the same
placeholders, and every key the pages use exists. The dashboard under AppTest: the
sidebar switch changes every page's title and labels, the choice stays for the session
across pages, and two sessions keep their own language. A Chinese upload is detected
on the Data page and makes the multilingual embedder the Segment page's default, with
the reason. The HTML segment dictionary in Chinese.
"""

from __future__ import annotations

import io
import json
import random
import re
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from segkit.i18n import (
    LANGUAGES,
    WORDS_DIR,
    chart_phrase,
    language_label,
    messages,
    normalize_lang,
    placeholders,
    t,
)

EN = messages("en")
ZH = messages("zh")
CHART_PHRASES = {"zh": tomllib.loads((WORDS_DIR / "zh.toml").read_text(encoding="utf-8"))["chart_phrases"]}

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
TIMEOUT = 300
CJK = re.compile(r"[\u4e00-\u9fff]")

# Three shopping topics in Chinese: the segments' names and keywords come out Chinese.
ZH_TOPICS = {
    "phone": ["手机", "电池", "续航", "充电器", "屏幕", "拍照", "蓝牙耳机", "信号"],
    "clothes": ["衣服", "尺码", "面料", "颜色", "裙子", "外套", "做工", "款式"],
    "food": ["零食", "味道", "口感", "包装", "水果", "咖啡", "饼干", "巧克力"],
}
ZH_TEMPLATES = [
    "这次买的{a}很满意，{b}也不错，{c}还可以",
    "{a}和{b}都很好，推荐大家购买，{c}比想象中好",
    "{a}一般，{b}有点问题，不过{c}还行",
    "第二次买{a}了，{b}依然稳定，{c}没让我失望",
]


def make_chinese_reviews(n_users: int = 30, reviews_per_user: int = 2, seed: int = 0) -> pd.DataFrame:
    """A small review-level table written in Chinese: user id, review, spend, city."""
    rng = random.Random(seed)
    topics = list(ZH_TOPICS)
    rows = []
    for user in range(n_users):
        topic = topics[user % len(topics)]
        words = ZH_TOPICS[topic]
        for review in range(reviews_per_user):
            a, b, c = rng.sample(words, 3)
            text = rng.choice(ZH_TEMPLATES).format(a=a, b=b, c=c) + f"（第{review + 1}次评价）"
            rows.append({"user_id": f"U{user:03d}", "review_text": text,
                         "spend": 100 + 40 * topics.index(topic) + rng.randint(0, 20),
                         "city": rng.choice(["北京", "上海", "广州"])})
    return pd.DataFrame(rows)


def chinese_csv(n_users: int = 30) -> bytes:
    buffer = io.StringIO()
    make_chinese_reviews(n_users).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


# ------------------------------------------------------------------------------ catalogs


def test_every_key_exists_in_both_languages():
    assert set(EN) == set(ZH), (sorted(set(EN) - set(ZH)), sorted(set(ZH) - set(EN)))
    assert set(LANGUAGES) == {"en", "zh"}
    # One data file per language, and nothing else in the folder that the loader would ignore.
    assert sorted(p.name for p in WORDS_DIR.iterdir() if p.suffix == ".toml") == ["en.toml", "zh.toml"]


def test_every_placeholder_matches_between_languages():
    for key in EN:
        assert placeholders(EN[key]) == placeholders(ZH[key]), key


def test_every_message_formats_and_chinese_is_chinese():
    for key in EN:
        values = {name: "X" for name in placeholders(EN[key])}
        assert t(key, "en", **values)
        assert t(key, "zh", **values)
    # Every Chinese message is written in Chinese, apart from a few that are the same on purpose.
    same = {"app.language", "common.sb_k", "seg.m_ari", "seg.m_nmi", "param.eps.label"}
    for key, text in ZH.items():
        if key in same:
            continue
        assert CJK.search(text), key


def test_every_key_the_dashboard_uses_exists():
    used = set()
    for path in [ROOT / "app.py", *sorted((ROOT / "pages").rglob("*.py")), *sorted((ROOT / "dashboard").rglob("*.py")),
                 ROOT / "segkit" / "export" / "report.py"]:
        used |= set(re.findall(r"""\btr\(\s*["']([a-z_]+\.[A-Za-z0-9_.]+)["']""", path.read_text(encoding="utf-8")))
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[A-Za-z0-9_.]+)["']""", path.read_text(encoding="utf-8")))
    assert len(used) > 250, len(used)
    missing = sorted(key for key in used if key not in EN)
    assert not missing, missing


def test_lookup_falls_back_and_normalizes():
    assert t("nav.data", "zh") == "1 · 数据"
    assert t("nav.data", "zh-CN") == "1 · 数据"
    assert t("nav.data", "fr") == "1 · Data"
    assert t("no.such.key", "zh") == "no.such.key"
    assert normalize_lang(None) == "en" and normalize_lang("简体中文") == "zh"
    assert language_label("mostly Chinese", "zh") == "以中文为主"
    assert language_label("mostly Chinese", "en") == "mostly Chinese"


def test_chart_phrases_match_whole_strings_only():
    assert chart_phrase("current K", "zh") == "当前 K"
    assert chart_phrase("suggested K = 7", "zh") == "建议 K = 7"
    assert chart_phrase("current K", "en") == "current K"
    # A segment name that merely contains chart words is left alone.
    assert chart_phrase("all users of the night shift", "zh") == "all users of the night shift"
    for english, chinese in CHART_PHRASES["zh"].items():
        assert re.findall(r"%\{[^}]*\}", english) == re.findall(r"%\{[^}]*\}", chinese), english


def test_segkit_plots_phrases_are_all_known():
    """The fixed words segkit.plots writes into charts are the ones localize_figure translates."""
    from segkit.plots import figures

    source = Path(figures.__file__).read_text(encoding="utf-8")
    for phrase in ("current K", "K (number of segments)", "Segments found", "this segment", "all users",
                   "vs all users (standard deviations)", "Silhouette (higher is better, max 1)"):
        assert phrase in source and phrase in CHART_PHRASES["zh"], phrase


# ------------------------------------------------------------------------------ dashboard

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

PAGES = {
    "pages/data.py": ("1 · Data", "1 · 数据"),
    "pages/segment.py": ("2 · Segment", "2 · 分群设置"),
    "pages/explore.py": ("3 · Explore", "3 · 探索"),
    "pages/segments.py": ("4 · Segments", "4 · 分群详情"),
    "pages/compare.py": ("5 · Compare", "5 · 对比"),
    "pages/export.py": ("6 · Export", "6 · 导出"),
    "pages/recommend.py": ("Recommend", "7 · 推荐"),
}


@pytest.fixture(autouse=True)
def _fast_env(monkeypatch, tmp_path_factory):
    monkeypatch.setenv("SEGKIT_MAP_METHOD", "pca")
    monkeypatch.setenv("SEGKIT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "segkit-cache-i18n"))


def _dataset(frame: pd.DataFrame, name: str = "reviews.csv"):
    from dashboard.state import Dataset
    from segkit.io import infer_roles, read_table

    data = frame.to_csv(index=False).encode("utf-8")
    loaded = read_table(data, name)
    return Dataset(name, f"i18n-{abs(hash(data))}", loaded, infer_roles(loaded.frame), False, len(data))


def _app(frame: pd.DataFrame | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if frame is not None:
        at.session_state["sk_dataset"] = _dataset(frame)
    return at


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _words(at: AppTest) -> str:
    """Every label, heading and caption of the page, as one text."""
    parts = [e.value for e in (*at.title, *at.subheader, *at.caption, *at.markdown, *at.info)]
    parts += [m.label for m in at.metric]
    for kind in ("selectbox", "multiselect", "slider", "toggle", "radio", "text_input", "number_input", "button"):
        parts += [w.label for w in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def _switch_to(at: AppTest, lang: str) -> None:
    at.radio(key="sk_lang_choice").set_value(lang).run()


def test_switching_to_chinese_translates_every_page_and_persists():
    from tests.conftest import make_reviews

    at = _app(make_reviews(n_users=45, reviews_per_user=2))
    at.run()
    _no_errors(at)
    assert at.title[0].value == "Your user segments"
    assert at.session_state["sk_lang"] == "en"
    _switch_to(at, "zh")
    _no_errors(at)
    assert at.session_state["sk_lang"] == "zh"
    assert at.title[0].value == "您的用户分群"
    assert {m.label for m in at.metric} >= {"已分群用户", "分群数", "轮廓系数 silhouette"}
    assert "各个分群" in [s.value for s in at.subheader]
    for page, (english, chinese) in PAGES.items():
        at.switch_page(page).run()
        _no_errors(at)
        assert at.session_state["sk_lang"] == "zh", page  # kept across pages
        assert at.title[0].value == chinese, page
        words = _words(at)
        assert english not in [e.value for e in at.title], page
        assert len(CJK.findall(words)) > 20, (page, words[:300])
    # The sidebar (drawn by app.py on every page) is Chinese too.
    sidebar = " ".join(m.value for m in at.sidebar.markdown)
    assert "当前数据集" in sidebar and "当前运行" in sidebar
    # Labels that matter on the Segment page.
    at.switch_page("pages/segment.py").run()
    labels = _words(at)
    for text in ("向量化模型（embedder）", "文本与行为的权重", "自动选择 K", "随机种子", "保存运行以便对比", "质量"):
        assert text in labels, text
    # Back to English on any page: everything follows.
    _switch_to(at, "en")
    _no_errors(at)
    assert at.title[0].value == "2 · Segment"
    at.switch_page("pages/overview.py").run()
    assert at.title[0].value == "Your user segments"
    assert "Segments" in {m.label for m in at.metric}


def test_two_sessions_keep_their_own_language():
    from tests.conftest import make_reviews

    frame = make_reviews(n_users=30, reviews_per_user=2)
    chinese, english = _app(frame), _app(frame)
    chinese.run()
    english.run()
    _switch_to(chinese, "zh")
    english.switch_page("pages/data.py").run()
    chinese.switch_page("pages/data.py").run()
    _no_errors(english)
    _no_errors(chinese)
    assert english.title[0].value == "1 · Data"
    assert chinese.title[0].value == "1 · 数据"
    assert english.session_state["sk_lang"] == "en"
    assert "Validation report" in [s.value for s in english.subheader]
    assert "校验报告" in [s.value for s in chinese.subheader]
    # A new session starts in English whatever other sessions chose.
    fresh = _app(frame)
    fresh.run()
    assert fresh.title[0].value == "Your user segments"


def test_charts_are_translated_but_segment_names_are_not():
    # TF-IDF named: "auto" would embed Chinese with the multilingual model behind a preview,
    # and this test is about the charts' words, not about which segments arrive when.
    at = _app(make_chinese_reviews(n_users=36))
    from dashboard.state import DEFAULT_SETTINGS

    at.session_state["sk_settings"] = json.loads(json.dumps({**DEFAULT_SETTINGS, "embedder": "tfidf"}))
    at.session_state["sk_lang"] = "zh"
    at.switch_page("pages/segment.py").run()
    _no_errors(at)
    specs = [json.dumps(json.loads(chart.proto.spec), ensure_ascii=False) for chart in at.get("plotly_chart")]
    everything = "\n".join(specs)
    assert "轮廓系数 silhouette（越高越好，最大 1）" in everything  # K sweep panel title
    assert "K（分群数）" in everything
    assert "current K" not in everything
    names = _segment_names(at)
    assert names and all(CJK.search(n) for n in names)
    sizes = next(spec for spec in specs if "名用户" in spec)  # the sizes chart's hover box
    for name in names:
        assert name in sizes  # segment names shown as they are


def _segment_names(at: AppTest) -> list[str]:
    for key, value in at.session_state["sk_memo"].items():
        if key.startswith("cluster|"):
            return [v for k, v in value[2].names.items() if int(k) >= 0]
    return []


@pytest.fixture
def fake_multilingual(monkeypatch):
    """The multilingual embedder with a stand-in model (no 100 MB model load in a UI test)."""
    from segkit.embed import multilingual

    class _Model:
        dim = 16

        def query(self, texts):
            out = np.zeros((len(texts), 16), dtype=np.float32)
            for i, text in enumerate(texts):
                for word, column in (("手机", 0), ("电池", 1), ("衣服", 5), ("尺码", 6), ("零食", 10), ("咖啡", 11)):
                    out[i, column] += text.count(word)
                out[i, 15] = 0.1
            return out

    monkeypatch.setattr(multilingual, "load_model", lambda: _Model())


def test_chinese_upload_is_detected_and_sets_the_multilingual_default(fake_multilingual, monkeypatch):
    monkeypatch.delenv("SEGKIT_EMBEDDER", raising=False)  # the real default rule
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["sk_lang"] = "zh"
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="data_upload").set_value(("评论.csv", chinese_csv(), "text/csv")).run()
    _no_errors(at)
    info = " ".join(i.value for i in at.info)
    assert "以中文为主" in info and "multilingual" in info, info
    assert at.session_state["sk_settings"]["embedder"] == "auto"  # "auto" follows the language
    reason = at.session_state["sk_embedder_reason"]
    assert reason["embedder"] == "multilingual" and reason["label"] == "mostly Chinese"
    at.switch_page("pages/segment.py").run()
    _no_errors(at)
    assert at.selectbox(key="seg_embedder_choice").value == "auto"
    assert "multilingual" in at.selectbox(key="seg_embedder_choice").format_func("auto")
    deadline = time.time() + 60  # the multilingual model embeds behind the TF-IDF preview
    while at.session_state["sk_last"]["embedder"] != "multilingual" and time.time() < deadline:
        time.sleep(0.2)
        at.run()
    info = " ".join(i.value for i in at.info)
    assert "向量化模型默认设为" in info and "multilingual" in info and "以中文为主" in info, info
    assert any("mostly Chinese" in c.value for c in at.caption)  # the library's reason, in full
    assert at.session_state["sk_last"]["embedder"] == "multilingual"


def test_english_upload_keeps_the_default_embedder():
    from tests.conftest import make_reviews

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.switch_page("pages/data.py").run()
    data = make_reviews(n_users=20, reviews_per_user=2).to_csv(index=False).encode("utf-8")
    at.file_uploader(key="data_upload").set_value(("reviews.csv", data, "text/csv")).run()
    _no_errors(at)
    assert "mostly English/Latin" in " ".join(i.value for i in at.info)
    assert at.session_state["sk_settings"]["embedder"] == "auto"
    assert at.session_state["sk_embedder_reason"] is None


# ------------------------------------------------------------------------------ HTML report


def test_segment_dictionary_in_chinese_keeps_names_and_keywords():
    from segkit.config import RunConfig
    from segkit.export.report import segment_report_html
    from segkit.io import infer_roles
    from segkit.pipeline import run_segmentation

    frame = make_chinese_reviews(n_users=36)
    run = run_segmentation(frame, RunConfig(roles=infer_roles(frame), algorithm_params={"k": 3}), with_map=False)
    stability = {"per_segment": {s: 0.9 for s in range(3)}, "overall": 0.9, "seeds": [1], "deterministic": False}
    zh = segment_report_html(run, stability=stability, lang="zh")
    en = segment_report_html(run, stability=stability)
    assert '<html lang="zh-CN">' in zh and "<h1>分群词典</h1>" in zh
    for word in ("关键词", "示例评论", "稳定性", "阅读说明", "与全体用户对比的画像"):
        assert word in zh, word
    assert "Segment dictionary" not in zh and "Keywords" not in zh
    assert "<h1>Segment dictionary</h1>" in en and "关键词" not in en
    for name in run.summary.names.values():
        assert name in zh and name in en  # names are data: never translated
    keyword = run.summary.keywords[0][0][0]
    assert keyword in zh
