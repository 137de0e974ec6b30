"""Masking in the run (issue #18 item 4): embedding, keywords, examples and the report see
"[EMAIL]", never the address; exports keep the original unless masking is chosen, and say which."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import segkit.pipeline as pipeline
from segkit.config import RunConfig
from segkit.export.labeled import PERSONAL_DATA_COLUMN, labeled_rows
from segkit.export.report import segment_report_html
from segkit.io.roles import ColumnRoles
from segkit.pipeline import run_segmentation
from tests.conftest import make_reviews

ROLES = ColumnRoles(text_cols=("review",), user_col="user_id", numeric_cols=("age",))


def _with_addresses() -> pd.DataFrame:
    frame = make_reviews(n_users=30, reviews_per_user=2)
    sport = frame["true_segment"] == "sport"
    # Every sport user writes their own address: unmasked, the addresses' words would be
    # that segment's keywords and examples.
    frame.loc[sport, "review"] = frame.loc[sport].apply(
        lambda r: f"{r['review']} mail me at {r['user_id'].lower()}@runnersmail.com or call (415) 555-2671",
        axis=1)
    return frame


@pytest.fixture
def embedded(monkeypatch):
    seen: list[str] = []

    def spy_on(name: str) -> None:  # TF-IDF goes through fit_with_cache (it keeps its state)
        real = getattr(pipeline, name)

        def spy(embedder, texts, cache, progress):
            seen.extend(texts)
            return real(embedder, texts, cache, progress)

        monkeypatch.setattr(pipeline, name, spy)

    spy_on("embed_with_cache")
    spy_on("fit_with_cache")
    return seen


def _run(frame, **changes):
    config = RunConfig(roles=ROLES, embedder="tfidf", algorithm_params={"k": 3}, map_method="pca", **changes)
    return run_segmentation(frame, config, with_map=False)


def test_embedding_keywords_examples_and_report_never_see_an_address(embedded):
    frame = _with_addresses()
    run = _run(frame)
    n_sport_rows = int((frame["true_segment"] == "sport").sum())
    assert run.table.personal_data.by_kind == {"email": n_sport_rows, "phone": n_sport_rows}
    assert embedded and not any("runnersmail" in t or "555-2671" in t for t in embedded)
    assert sum("[EMAIL]" in t for t in embedded) == n_sport_rows
    shown = [t for texts in run.summary.representative_texts.values() for t in texts]
    shown += [term for terms in run.summary.keywords.values() for term, _ in terms]
    assert not any("runnersmail" in t or "2671" in t for t in shown)
    assert not any(term in ("email", "phone") for terms in run.summary.keywords.values() for term, _ in terms)
    report = segment_report_html(run, stability={"per_segment": {}, "overall": None})
    assert "runnersmail" not in report and "555-2671" not in report
    assert f"e-mail addresses {n_sport_rows}, phone numbers {n_sport_rows}" in report


def test_exports_keep_the_original_unless_masking_is_chosen_and_say_which():
    frame = _with_addresses()
    run = _run(frame)
    kept = labeled_rows(frame, run)
    assert kept["review"].tolist() == frame["review"].tolist()
    sport = (frame["true_segment"] == "sport").to_numpy()
    assert set(kept.loc[sport, PERSONAL_DATA_COLUMN]) == {"kept: 1 email, 1 phone"}
    assert set(kept.loc[~sport, PERSONAL_DATA_COLUMN]) == {""}
    masked = labeled_rows(frame, run, mask_personal_data=True)
    assert not masked["review"].str.contains("runnersmail|555-2671").any()
    assert masked.loc[sport, "review"].str.contains(r"\[EMAIL\] or call \[PHONE\]").all()
    assert set(masked.loc[sport, PERSONAL_DATA_COLUMN]) == {"masked: 1 email, 1 phone"}
    assert masked["segment_id"].tolist() == kept["segment_id"].tolist() and len(masked) == len(frame)


def test_masking_can_be_turned_off_but_the_report_quotes_stay_masked(embedded):
    frame = _with_addresses()
    run = _run(frame, mask_personal_data=False)
    assert not run.table.texts_masked
    assert any("runnersmail" in t for t in embedded)
    assert run.table.personal_data.total > 0  # counted either way
    # Unmasked, the addresses' words lead a segment's keywords: what masking prevents.
    assert any("runnersmail" in term for terms in run.summary.keywords.values() for term, _ in terms)
    report = segment_report_html(run, stability={"per_segment": {}, "overall": None})
    quotes = re.findall(r"<blockquote>(.*?)</blockquote>", report, flags=re.S)
    assert quotes and not any("runnersmail" in q for q in quotes)
    assert any("[EMAIL]" in q for q in quotes)


def test_the_config_round_trips_the_choice():
    config = RunConfig(roles=ROLES, mask_personal_data=False)
    assert RunConfig.from_dict(config.to_dict()).mask_personal_data is False
    old = {k: v for k, v in RunConfig(roles=ROLES).to_dict().items() if k != "mask_personal_data"}
    assert RunConfig.from_dict(old).mask_personal_data is True


def test_cli_masks_exports_on_request_and_says_which(tmp_path, capsys):
    from segkit.cli import main

    source = tmp_path / "reviews.csv"
    _with_addresses().to_csv(source, index=False)
    common = [str(source), "--embedder", "tfidf", "--k", "3", "--no-map", "--quiet", "--no-cache",
              "--text-col", "review", "--user-col", "user_id"]
    assert main(["segment", *common, "--out", str(tmp_path / "kept.csv")]) == 0
    printed = capsys.readouterr()
    assert "text columns: original text" in printed.out
    assert "Personal data in 20 of 60 texts: e-mail addresses 20, phone numbers 20" in printed.out
    assert main(["segment", *common, "--mask-exports", "--out", str(tmp_path / "masked.csv")]) == 0
    assert "text columns: masked" in capsys.readouterr().out
    assert pd.read_csv(tmp_path / "kept.csv")["review"].str.contains("runnersmail").sum() == 20
    masked = pd.read_csv(tmp_path / "masked.csv")
    assert not masked["review"].str.contains("runnersmail").any()
    assert (masked[PERSONAL_DATA_COLUMN].fillna("") == "masked: 1 email, 1 phone").sum() == 20
