"""6 · Export: the labeled rows, the segment summary, the run config and the segment dictionary."""

from pages._shared.common import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

import json
from pathlib import Path

import streamlit as st

from pages._shared.common import (
    SAMPLE_PATH,
    build_context,
    edited,
    edited_labels,
    edits_for,
    ensure_dataset,
    init_page_state,
    limited_threads,
    md,
    noise_policy_text,
    page_header,
    stability_for,
)
from segkit.edits import labeled_export, names_after_merges, summary_export
from segkit.export import STATUS_COLUMN, to_safe_csv
from segkit.export.report import segment_report_html

init_page_state("out", {"labeled_csv": None})
page_header(
    "6 · Export",
    "Download every uploaded row with its segment, the segment summary, the settings to re-run this "
    "segmentation, and the segment dictionary: one HTML file you can mail to a colleague (it opens offline).",
)
dataset = ensure_dataset()
ctx = build_context()
if ctx is None:
    st.stop()
run = edited(ctx)
edits = edits_for(ctx.run_key)
names = {int(k): v for k, v in run.summary.names.items()}
user_labels = edited_labels(ctx) if edits["merges"] else None
stem = Path(dataset.name.split(" (")[0]).stem or "segments"
edit_key = json.dumps(edits, sort_keys=True, default=str)
memo = st.session_state["sk_memo"]


def memo_get(kind: str, compute):
    key = f"export|{kind}|{ctx.run_key}|{edit_key}|{ctx.map_method}"
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def build_report(stability: dict) -> bytes:
    with limited_threads():
        html_text = segment_report_html(ctx.run, names_after_merges(edits["names"], edits["merges"]) or None,
                                        user_labels, title=dataset.name, stability=stability)
    return html_text.encode("utf-8")


with st.spinner("Preparing the files…"):
    labeled = memo_get("labeled", lambda: labeled_export(dataset.frame, ctx.run, names, user_labels))
    labeled_csv = memo_get("labeled_csv", lambda: to_safe_csv(labeled).encode("utf-8-sig"))
    stability = stability_for(ctx)
    summary = summary_export(run, stability)
    summary_csv = memo_get("summary_csv", lambda: to_safe_csv(summary).encode("utf-8-sig"))
    config = ctx.config.with_changes(
        input_path=str(SAMPLE_PATH) if dataset.is_sample else dataset.name,
        map_method=ctx.map_method,
    )
    config_json = config.to_json()
    report_html = memo_get("report", lambda: build_report(stability))
st.session_state["out_labeled_csv"] = labeled_csv

n_rows = len(dataset.frame)
status = labeled[STATUS_COLUMN]
not_segmented = int(status.str.startswith("not segmented").sum())
unassigned = int(status.str.startswith("unassigned").sum())
cols = st.columns(4)
cols[0].metric("Rows in your file", f"{n_rows:,}")
cols[1].metric("Rows in the export", f"{len(labeled):,}",
               help="Always the same: rows that could not be segmented are kept and marked, never dropped.")
cols[2].metric("Rows not segmented", f"{not_segmented:,}",
               help="No user id, or a user with no text at all. Their segment columns are empty and "
                    f"'{STATUS_COLUMN}' says why.")
cols[3].metric("Rows 'Unassigned'", f"{unassigned:,}", help="Outliers of a density method (noise policy 'keep').")
st.caption(f"Noise policy: {md(noise_policy_text(ctx.config))}. Map coordinates (map_x, map_y) are from the "
           f"{ctx.map_method.upper()} map. {len(edits['merges'])} merge(s) and {len(edits['names'])} rename(s) "
           "from the Segments page are included.")

st.subheader("Downloads")
c1, c2 = st.columns(2, gap="large")
with c1:
    with st.container(border=True):
        st.markdown("**Labeled rows (CSV)**")
        st.caption("Every uploaded row, in the original order, plus segment_id, segment_name, segment_confidence, "
                   f"map_x, map_y and {STATUS_COLUMN}. Cells that a spreadsheet would run as a formula are "
                   "prefixed with a quote.")
        st.download_button("Download labeled rows", labeled_csv, file_name=f"{stem}_segments.csv",
                           mime="text/csv", icon=":material/download:", type="primary", key="out_dl_labeled",
                           on_click="ignore")
    with st.container(border=True):
        st.markdown("**Segment summary (CSV)**")
        st.caption("One row per segment: name, size, share, keywords, an example, stability and the profile "
                   "(z-scores against all users).")
        st.download_button("Download segment summary", summary_csv, file_name=f"{stem}_segment_summary.csv",
                           mime="text/csv", icon=":material/download:", key="out_dl_summary", on_click="ignore")
with c2:
    with st.container(border=True):
        st.markdown("**Segment dictionary (HTML)**")
        st.caption("A card per segment: name, size, keywords, example reviews, profile chart and stability. "
                   "Self-contained: no internet needed to open it.")
        st.download_button("Download segment dictionary", report_html, file_name=f"{stem}_segment_dictionary.html",
                           mime="text/html", icon=":material/description:", type="primary", key="out_dl_report",
                           on_click="ignore")
    with st.container(border=True):
        st.markdown("**Run configuration (JSON)**")
        input_name = Path(config.input_path).name
        st.caption("Re-creates this segmentation (before merges and renames) from the command line. Put it next to "
                   f"{md(input_name)} and run:")
        st.code(f"segkit segment --config {stem}_run.json", language="bash")
        st.download_button("Download run config", config_json.encode("utf-8"), file_name=f"{stem}_run.json",
                           mime="application/json", icon=":material/settings:", key="out_dl_config",
                           on_click="ignore")

st.subheader("Preview")
added = ["segment_id", "segment_name", "segment_confidence", STATUS_COLUMN]
st.caption("The first 100 rows; segkit's columns first (map_x and map_y are at the end).")
st.dataframe(labeled.head(100), hide_index=True, height=320,
             column_order=[*added, *[c for c in labeled.columns if c not in added]])
