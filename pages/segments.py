"""4 · Segments: one card per segment; rename, merge, read their reviews and profiles."""

from dashboard.routing import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

import streamlit as st

from dashboard.context import (
    back_to_settings,
    build_context,
    carry_note,
    edited,
    edits_for,
    stability_for,
)
from dashboard.explain_view import rules_for, separability_if_wanted
from dashboard.segment_card import segment_card
from dashboard.state import ensure_dataset, init_page_state
from dashboard.ui import md, noise_policy_text, page_header
from dashboard.words import tr
from segkit.edits import clean_name, rename_segment
from segkit.errors import SegkitInputError

init_page_state("segs", {"error": None, "notice": None})
page_header(tr("nav.segments"), tr("segs.intro"))
ensure_dataset()
ctx = build_context()
if ctx is None:
    st.stop()
run = edited(ctx)
edits = edits_for(ctx.run_key)
summary = run.summary
table = summary.table
names_now = {int(k): v for k, v in summary.names.items() if int(k) >= 0}

for key in ("error", "notice"):
    message = st.session_state[f"segs_{key}"]
    if message:
        (st.error if key == "error" else st.success)(md(message))
        st.session_state[f"segs_{key}"] = None


def _rename(segment: int, widget_key: str) -> None:
    new_name = st.session_state[widget_key]
    try:
        edits["names"] = rename_segment(edits["names"], segment, new_name, names_now)
    except SegkitInputError as exc:
        st.session_state["segs_error"] = str(exc)
        st.session_state[widget_key] = names_now.get(segment, "")


# ------------------------------------------------------------------ toolbar
real_ids = [int(s) for s in table["segment_id"] if int(s) >= 0]
with st.expander(tr("segs.merge"), icon=":material/merge:", expanded=False):
    with st.form("segs_merge_form", border=False):
        picked = st.multiselect(tr("segs.merge_pick"), real_ids, format_func=lambda s: names_now.get(s, str(s)),
                                key="segs_merge_pick", max_selections=max(2, len(real_ids)))
        merged_name = st.text_input(tr("segs.merge_name"), key="segs_merge_name", max_chars=80)
        if st.form_submit_button(tr("segs.merge_button"), icon=":material/merge:", type="primary",
                                 key="segs_merge_submit"):
            if len(picked) < 2:
                st.session_state["segs_error"] = tr("segs.merge_two")
            else:
                group = sorted(int(p) for p in picked)
                edits["merges"].append(group)
                new_names = {k: v for k, v in edits["names"].items() if int(k) not in group[1:]}
                if clean_name(merged_name):
                    new_names[group[0]] = clean_name(merged_name)
                else:
                    new_names.pop(group[0], None)  # a fresh automatic name from the merged keywords
                edits["names"] = new_names
                st.session_state["segs_notice"] = tr("segs.merged", n=len(group), id=group[0])
            st.rerun()
    st.caption(tr("segs.merge_caption"))

c1, c2 = st.columns([4, 1], vertical_alignment="center")
c1.caption(tr("segs.toolbar", n=len(real_ids), merges=len(edits["merges"]), renamed=len(edits["names"]),
              policy=md(noise_policy_text(ctx.config))))
if c2.button(tr("segs.undo"), icon=":material/undo:", disabled=not (edits["merges"] or edits["names"]),
             key="segs_undo", width="stretch"):
    edits["merges"].clear()
    edits["names"].clear()
    for key in [k for k in st.session_state if str(k).startswith("segs_name_")]:
        del st.session_state[key]
    st.rerun()

note = carry_note(ctx)
if note:
    carried = (tr("segs.carried", carried=note["carried"], named=note["named"]) if note["carried"]
               else tr("segs.carried_none", named=note["named"]))
    merges = tr("segs.merges_not_carried", merges=note["merges"]) if note["merges"] else ""
    st.info(f"{carried} {merges}", icon=":material/drive_file_rename_outline:")
    st.button(tr("segs.back"), on_click=back_to_settings, args=(note["settings"],), key="segs_back",
              icon=":material/undo:")

stability = stability_for(ctx)

# ------------------------------------------------------------------ cards
rules, separability = rules_for(ctx, run), separability_if_wanted(ctx, run)
for _, row in table.iterrows():
    segment_card(ctx, run, row, stability, _rename, rules, separability)
