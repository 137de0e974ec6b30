"""The dashboard's words in the session's language (the text lives in segkit/words/*.toml), and charts translated."""

from __future__ import annotations

import streamlit as st

from dashboard.state import init_state
from segkit.i18n import LANGUAGES, chart_phrase, language_label, normalize_lang, t


def lang() -> str:
    """This browser session's language for the dashboard's own words ('en' or 'zh')."""
    return normalize_lang(st.session_state.get("sk_lang", "en"))


def tr(key: str, **fmt) -> str:
    """The dashboard message `key` (segkit/words/*.toml) in this session's language."""
    return t(key, lang(), **fmt)


def metric_help(name: str) -> str:
    return tr(f"help.{name}")


def language_selector() -> None:
    """The language switch at the top of the sidebar (kept in st.session_state["sk_lang"])."""
    init_state()
    st.session_state["sk_lang_choice"] = lang()

    def _changed() -> None:
        st.session_state["sk_lang"] = normalize_lang(st.session_state["sk_lang_choice"])

    st.sidebar.radio(t("app.language", lang()), list(LANGUAGES), key="sk_lang_choice", horizontal=True,
                     format_func=LANGUAGES.get, on_change=_changed, help=tr("app.language_help"))


def localize_figure(fig):
    """Chart words from segkit.plots in this session's language (whole strings only:
    segment names, keywords and uploaded values are never touched)."""
    language = lang()
    if language == "en" or fig is None:
        return fig

    def tx(value):
        return chart_phrase(value, language) if isinstance(value, str) else value

    for trace in fig.data:
        if getattr(trace, "name", None):
            trace.name = tx(trace.name)
        if getattr(trace, "hovertemplate", None):
            trace.hovertemplate = tx(trace.hovertemplate)
        colorbar = getattr(getattr(trace, "marker", None), "colorbar", None) if trace.type != "heatmap" else None
        if trace.type == "heatmap" and trace.colorbar and trace.colorbar.title and trace.colorbar.title.text:
            trace.colorbar.title.text = tx(trace.colorbar.title.text)
        elif colorbar is not None and colorbar.title and colorbar.title.text:
            colorbar.title.text = tx(colorbar.title.text)
    for annotation in fig.layout.annotations or ():
        annotation.text = tx(annotation.text)
    fig.for_each_xaxis(lambda axis: axis.update(title_text=tx(axis.title.text)) if axis.title.text else None)
    fig.for_each_yaxis(lambda axis: axis.update(title_text=tx(axis.title.text)) if axis.title.text else None)
    if fig.layout.legend and fig.layout.legend.title and fig.layout.legend.title.text:
        fig.layout.legend.title.text = tx(fig.layout.legend.title.text)
    if fig.layout.title and fig.layout.title.text:
        fig.layout.title.text = tx(fig.layout.title.text)
    return fig


def param_label(spec) -> str:
    key = f"param.{spec.name}.label"
    return tr(key) if lang() != "en" and key in _catalog() else (spec.label or spec.name.replace("_", " "))


def param_help(spec) -> str:
    key = f"param.{spec.name}.help"
    return tr(key) if lang() != "en" and key in _catalog() else spec.help


def _catalog() -> dict:
    from segkit.i18n import messages

    return messages(lang())


def dataset_label(dataset) -> str:
    """The dataset's name as shown: the bundled sample's label is translated, file names never."""
    return tr("common.sample_label") if dataset.is_sample else dataset.name


def language_label_text(label: str) -> str:
    return language_label(label, lang())
