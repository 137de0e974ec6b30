"""6 · Export: the labeled rows, the segment summary, the run config and the segment dictionary."""

from dashboard.routing import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

from pathlib import Path

import streamlit as st

from dashboard.context import build_context, current_edits, edited, stability_for
from dashboard.explain_view import rules_for, separability_for
from dashboard.resources import derived_memory
from dashboard.state import SAMPLE_PATH, ensure_dataset, init_page_state
from dashboard.ui import md, noise_policy_text, page_header
from dashboard.words import dataset_label, lang, tr
from segkit.edits import labeled_export, summary_export
from segkit.export import STATUS_COLUMN, to_safe_csv
from segkit.export.audience import audience_rows
from segkit.export.report import segment_report_html
from segkit.export.xlsx import to_xlsx_bytes
from segkit.threads import limited_threads

init_page_state("out", {"labeled_csv": None})
page_header(tr("nav.export"), tr("out.intro"))
dataset = ensure_dataset()
ctx = build_context()
if ctx is None:
    st.stop()
run = edited(ctx)  # every export below takes this one run: edits applied once (segkit.edits.Edits)
edits = current_edits(ctx)
stem = Path(dataset.name.split(" (")[0]).stem or "segments"
edit_key = repr(edits)
memo = st.session_state["sk_memo"]


def memo_get(kind: str, compute):
    key = f"export|{kind}|{ctx.run_key}|{edit_key}|{ctx.map_method}" + (f"|{lang()}" if kind == "report" else "")
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def build_report(stability: dict) -> bytes:
    with limited_threads():
        html_text = segment_report_html(run, title=dataset_label(dataset), stability=stability,
                                        lang=lang(), memory=derived_memory(), rules=rules_for(ctx, run),
                                        separability=separability_for(ctx, run))
    return html_text.encode("utf-8")


mask_texts = st.toggle(tr("privacy.export_option"), key="out_mask_texts",
                       disabled=not ctx.config.roles.text_cols)
with st.spinner(tr("out.preparing")):
    labeled = memo_get(f"labeled_{mask_texts}", lambda: labeled_export(dataset.frame, run, mask_texts))
    labeled_csv = memo_get(f"labeled_csv_{mask_texts}", lambda: to_safe_csv(labeled).encode("utf-8-sig"))
    stability = stability_for(ctx)
    rules, separability = rules_for(ctx, run), separability_for(ctx, run)  # the cards' own, cached
    summary = summary_export(run, stability, rules=rules, separability=separability)
    summary_csv = memo_get("summary_csv", lambda: to_safe_csv(summary).encode("utf-8-sig"))
    # The config reproduces this export: `segkit segment --config` applies the same edits.
    config = ctx.config.with_changes(input_path=str(SAMPLE_PATH) if dataset.is_sample else dataset.name,
                                     edits=edits.to_dict())
    config_json = memo_get("config", config.to_json)
    report_html = memo_get("report", lambda: build_report(stability))
st.session_state["out_labeled_csv"] = labeled_csv

n_rows = len(dataset.frame)
status = labeled[STATUS_COLUMN]
not_segmented = int(status.str.startswith("not segmented").sum())
unassigned = int(status.str.startswith("unassigned").sum())
cols = st.columns(4)
cols[0].metric(tr("out.m_rows"), f"{n_rows:,}")
cols[1].metric(tr("out.m_export"), f"{len(labeled):,}", help=tr("out.m_export_help"))
cols[2].metric(tr("out.m_not"), f"{not_segmented:,}", help=tr("out.m_not_help", status=STATUS_COLUMN))
cols[3].metric(tr("out.m_unassigned"), f"{unassigned:,}", help=tr("out.m_unassigned_help"))
if ctx.config.roles.text_cols:
    st.caption(tr("privacy.export_masked") if mask_texts else tr("privacy.export_original"))
st.caption(tr("out.caption", policy=md(noise_policy_text(ctx.config)), method=ctx.map_method.upper(),
              merges=len(edits.merges), renames=len(edits.names)))

st.subheader(tr("out.downloads"))
c1, c2 = st.columns(2, gap="large")
with c1:
    with st.container(border=True):
        st.markdown(tr("out.labeled"))
        st.caption(tr("out.labeled_caption", status=STATUS_COLUMN))
        st.download_button(tr("out.dl_labeled"), labeled_csv, file_name=f"{stem}_segments.csv",
                           mime="text/csv", icon=":material/download:", type="primary", key="out_dl_labeled",
                           on_click="ignore")
        # Built only when clicked (a callable): a workbook of 200,000 rows takes a while.
        st.download_button(tr("out.dl_labeled_xlsx"), lambda: to_xlsx_bytes(labeled), file_name=f"{stem}_segments.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           icon=":material/table_view:", key="out_dl_labeled_xlsx", on_click="ignore")
    with st.container(border=True):
        st.markdown(tr("out.summary"))
        st.caption(tr("out.summary_caption"))
        st.download_button(tr("out.dl_summary"), summary_csv, file_name=f"{stem}_segment_summary.csv",
                           mime="text/csv", icon=":material/download:", key="out_dl_summary", on_click="ignore")
    with st.container(border=True):
        st.markdown(tr("out.audience"))
        st.caption(tr("out.audience_caption", status=STATUS_COLUMN, user=md(ctx.config.roles.user_col or "user_id")))
        flags = st.toggle(tr("out.audience_flags"), key="out_audience_flags")
        audience_csv = memo_get(f"audience_{flags}",
                                lambda: to_safe_csv(audience_rows(run, segment_flags=flags)).encode("utf-8-sig"))
        st.download_button(tr("out.dl_audience"), audience_csv, file_name=f"{stem}_audience.csv", mime="text/csv",
                           icon=":material/groups:", key="out_dl_audience", on_click="ignore")
with c2:
    with st.container(border=True):
        st.markdown(tr("out.report"))
        st.caption(tr("out.report_caption"))
        st.download_button(tr("out.dl_report"), report_html, file_name=f"{stem}_segment_dictionary.html",
                           mime="text/html", icon=":material/description:", type="primary", key="out_dl_report",
                           on_click="ignore")
    with st.container(border=True):
        st.markdown(tr("out.config"))
        input_name = Path(config.input_path).name
        st.caption(tr("out.config_caption", name=md(input_name)))
        st.code(f"segkit segment --config {stem}_run.json", language="bash")
        st.download_button(tr("out.dl_config"), config_json.encode("utf-8"), file_name=f"{stem}_run.json",
                           mime="application/json", icon=":material/settings:", key="out_dl_config",
                           on_click="ignore")

st.subheader(tr("out.preview"))
added = ["segment_id", "segment_name", "segment_confidence", STATUS_COLUMN]
st.caption(tr("out.preview_caption"))
st.dataframe(labeled.head(100), hide_index=True, height=320,
             column_order=[*added, *[c for c in labeled.columns if c not in added]])
