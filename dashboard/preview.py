"""The preview banner: progress of the slow embedder, a way to stop it, the note when segments swapped."""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from dashboard.compute import Preview
from dashboard.resources import embed_jobs, session_id
from dashboard.state import settings
from dashboard.ui import human_seconds, md
from dashboard.words import tr
from segkit.embed.choice import (
    PREVIEW_EMBEDDER,
    display_name,
)

if TYPE_CHECKING:  # only for annotations: dashboard.context imports this module
    from dashboard.context import Context


def preview_banner(ctx: Context) -> None:
    """Preview segments: progress and ETA of the better embedder, a way to stop it, the swap note.

    Always one element, empty or not: Streamlit places the elements below by index, and a
    banner that came and went moved them (a file uploader that moves forgets its file)."""
    with st.container():
        _banner(ctx)


def _banner(ctx: Context) -> None:
    note = st.session_state.get("sk_swap_note")
    if ctx.preview is None:
        if note and note["dataset"] == ctx.dataset.key and note["embedder"] == ctx.config.embedder:
            st.success(tr("common.swapped", embedder=display_name(note["embedder"]),
                          preview=display_name(PREVIEW_EMBEDDER)),
                       icon=":material/auto_awesome:")
        return
    preview = ctx.preview
    if preview.status.state == "failed":
        st.warning(tr("common.preview_failed", embedder=display_name(preview.wanted),
                      preview=display_name(PREVIEW_EMBEDDER),
                      error=md(preview.status.error)), icon=":material/warning:")
        return

    @st.fragment(run_every=1.0)
    def _poll() -> None:
        job = embed_jobs().get(preview.job_key)
        status = job.status() if job is not None else preview.status
        if status.state in ("done", "failed"):
            st.rerun()
        eta = human_seconds(status.eta_s) if status.eta_s is not None else tr("common.secs_unknown")
        st.progress(status.fraction, text=tr("common.preview_progress", embedder=display_name(preview.wanted),
                                             preview=display_name(PREVIEW_EMBEDDER), done=f"{status.done:,}",
                                             total=f"{status.total:,}" if status.total else "…", eta=eta))

    with st.container(border=True):
        st.info(tr("common.preview_note", embedder=display_name(preview.wanted),
                   preview=display_name(PREVIEW_EMBEDDER)),
                icon=":material/hourglass_top:")
        _poll()
        st.button(tr("common.preview_keep", embedder=display_name(preview.wanted),
                     preview=display_name(PREVIEW_EMBEDDER)),
                  on_click=cancel_background_embedding, args=(preview,), key="sk_preview_keep",
                  icon=":material/stop_circle:")


def cancel_background_embedding(preview: Preview) -> None:
    """Stop waiting for the slow embedder and keep the preview's embedder from now on."""
    embed_jobs().cancel(preview.job_key, session_id())
    settings()["embedder"] = PREVIEW_EMBEDDER
    st.session_state["seg_embedder_choice"] = PREVIEW_EMBEDDER
