"""Small display helpers shared by the pages: escaping, numbers, durations, chips, quotes, the sidebar."""

from __future__ import annotations

import html

import numpy as np
import streamlit as st

from dashboard.state import Dataset, init_state, restore_previous_settings
from dashboard.words import dataset_label, lang, tr
from segkit.cluster.registry import CLUSTERERS
from segkit.config import RunConfig
from segkit.waits.words import seconds_words


def md(text) -> str:
    """Escape text for st.markdown-style labels: every ASCII punctuation gets a backslash.

    Uploaded texts, file names and typed names then show literally: no links, images,
    emphasis, colour directives or HTML.
    """
    text = "" if text is None else str(text)
    out = []
    for char in text:
        if char in "\\`*_{}[]()#+-.!|<>~:$&\"'=/@%^;?,":
            out.append("\\" + char)
        elif char in "\r\n":
            out.append(" ")
        else:
            out.append(char)
    return "".join(out)


def esc(text) -> str:
    """Escape text for st.html."""
    return html.escape("" if text is None else str(text), quote=True)


def fmt(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def human_seconds(seconds: float | None) -> str:
    """'about 12 s' in this session's language (segkit.waits.words, shared with the CLI)."""
    return seconds_words(seconds, lang())


def previous_settings_offer() -> None:
    """After a new file replaced another: say it starts from the defaults, and offer the old settings."""
    before = st.session_state.get("sk_settings_before")
    dataset = st.session_state.get("sk_dataset")
    if not before or dataset is None:
        return
    previous = tr("common.sample_label") if before.get("is_sample") else before["dataset"]
    with st.container(border=True):
        st.info(tr("common.defaults_note", name=md(dataset_label(dataset)), previous=md(previous)),
                icon=":material/restart_alt:")
        c1, c2 = st.columns(2)
        c1.button(tr("common.keep_settings", previous=md(previous)), on_click=restore_previous_settings,
                  key="sk_keep_settings", icon=":material/settings_backup_restore:")
        c2.button(tr("common.keep_defaults"), on_click=lambda: st.session_state.update(sk_settings_before=None),
                  key="sk_keep_defaults")


def page_header(title: str, intro: str) -> None:
    st.title(title)
    st.caption(intro)


def style() -> None:
    """A few CSS touches shared by all pages (cards, chips, quotes)."""
    st.html("""
<style>
.sk-chips{display:flex;flex-wrap:wrap;gap:6px;margin:2px 0 6px}
.sk-chip{background:#EEF3F9;border:1px solid #D7E2EF;color:#22415F;border-radius:999px;padding:1px 10px;font-size:0.85rem}
.sk-quote{margin:0 0 6px;padding:6px 10px;background:#F7F8FA;border-left:3px solid #D5DAE1;border-radius:4px;
          font-size:0.9rem;white-space:pre-wrap;overflow-wrap:anywhere;color:#2B2F36}
.sk-dot{display:inline-block;width:12px;height:12px;border-radius:50%;margin-right:6px;vertical-align:middle}
.sk-muted{color:#6B7280;font-size:0.85rem}
</style>""")


def chips_html(terms) -> str:
    terms = list(terms)
    if not terms:
        return f'<span class="sk-muted">{esc(tr("common.no_words"))}</span>'
    return '<div class="sk-chips">' + "".join(f'<span class="sk-chip">{esc(t)}</span>' for t in terms) + "</div>"


def quotes_html(texts) -> str:
    return "".join(f'<div class="sk-quote">{esc(t)}</div>' for t in texts)


def noise_policy_text(config: RunConfig) -> str:
    if not CLUSTERERS[config.algorithm].density_based:
        return tr("common.policy_not_needed")
    if config.noise_policy == "reassign":
        return tr("common.policy_reassign")
    return tr("common.policy_keep")


def sidebar_status(slot=None) -> None:
    """Dataset, run and noise policy, on every page (into `slot`, an st.sidebar.empty())."""
    init_state()
    dataset: Dataset | None = st.session_state.get("sk_dataset")
    last = st.session_state.get("sk_last")
    with (slot.container() if slot is not None else st.sidebar):
        st.markdown(tr("common.sb_dataset"))
        failed = st.session_state.get("sk_upload_failed")
        if failed and dataset is not None:
            st.warning(tr("common.sb_upload_failed", name=md(failed), current=md(dataset_label(dataset))),
                       icon=":material/error:")
        if dataset is None:
            st.caption(tr("common.sb_none_yet"))
        else:
            st.caption(f":material/table: {md(dataset_label(dataset))}  \n"
                       + tr("common.sb_rows", rows=f"{len(dataset.frame):,}", fmt=md(dataset.loaded.source_format)))
        st.markdown(tr("common.sb_run"))
        if not last:
            st.caption(tr("common.sb_not_run"))
        else:
            k_text = tr("common.sb_k", k=last["k"]) + (tr("common.sb_auto") if last["auto_k"] else "")
            if last["density"]:
                k_text = tr("common.sb_found", k=last["k"])
            method = last.get("map_method")
            map_text = (last["map"] if method is None else
                        tr("common.sb_map_pending", map=method) if last.get("map_pending") else method)
            st.caption(f":material/hub: {md(last['algorithm'])} · {k_text}  \n"
                       + tr("common.sb_run_details", embedder=md(last["embedder"]),
                            weight=f"{last['text_weight']:.0%}") + "  \n"
                       + tr("common.sb_map", map=md(map_text)))
            policy = (tr("common.sb_policy_none") if not last["density"] else
                      (tr("common.sb_policy_reassign") if last["noise_policy"] == "reassign" else
                       tr("common.sb_policy_keep", share=f"{last['noise_share']:.0%}")))
            st.markdown(tr("common.sb_noise"))
            st.caption(md(policy))
        saved = st.session_state.get("sk_saved", [])
        if saved:
            st.caption(":material/bookmark: " + tr("common.sb_saved", n=len(saved)))
