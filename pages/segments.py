"""4 · Segments: one card per segment; rename, merge, read their reviews and profiles."""

from pages._shared.common import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

import numpy as np
import streamlit as st

from pages._shared.common import (
    build_context,
    chips_html,
    edited,
    edits_for,
    ensure_dataset,
    esc,
    init_page_state,
    lang,
    localize_figure,
    md,
    noise_policy_text,
    page_header,
    quotes_html,
    stability_for,
    tr,
)
from pages._shared.drilldown import subsegments_view
from segkit.edits import clean_name, rename_segment
from segkit.errors import SegkitInputError
from segkit.export.profile_html import over_under_html, sentiment_html, units_table_html
from segkit.export.report import stability_words
from segkit.plots import categorical_figure, profile_figure, segment_color

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

stability = stability_for(ctx)

# ------------------------------------------------------------------ cards
numeric = summary.numeric
categorical = summary.categorical
for _, row in table.iterrows():
    segment = int(row["segment_id"])
    color = segment_color(segment)
    with st.container(border=True):
        if segment < 0:
            st.html(f"<h3 style='margin:0'><span class='sk-dot' style='background:{color}'></span>"
                    f"{esc(tr('common.unassigned'))}</h3>")
            st.markdown(tr("segs.unassigned_text", n=f"{int(row['size']):,}", share=f"{float(row['share']):.1%}"))
            continue
        head_left, head_right = st.columns([3, 2], vertical_alignment="bottom")
        with head_left:
            widget_key = f"segs_name_{ctx.run_key[:8]}_{segment}"
            # The callback has already applied (or refused) what was typed: show the name in force.
            st.session_state[widget_key] = str(row["segment_name"])
            st.text_input(tr("segs.name_label", n=segment), key=widget_key, max_chars=80,
                          on_change=_rename, args=(segment, widget_key), help=tr("segs.name_help"))
        with head_right:
            share = stability["per_segment"].get(segment)
            stab_text = f"{share:.0%} {stability_words(share, lang())}" if share is not None else ""
            stab_title = (tr("desc.bootstrap_title", repeats=stability.get("repeats", 0),
                             fraction=f"{stability.get('fraction', 0.8):.0%}")
                          if stability.get("method") == "bootstrap" else tr("segs.stability_title"))
            stab_html = (f"<span title='{esc(stab_title)}'>{esc(tr('segs.stability'))} <b>{esc(stab_text)}</b></span>"
                         if stab_text else "")  # no number, no badge
            st.html(
                f"<div style='display:flex;gap:18px;align-items:baseline;flex-wrap:wrap'>"
                f"<span class='sk-dot' style='background:{color};width:16px;height:16px'></span>"
                f"<span><b style='font-size:1.35rem'>{int(row['size']):,}</b> {esc(tr('segs.users'))}</span>"
                f"<span><b style='font-size:1.35rem'>{float(row['share']):.0%}</b> {esc(tr('segs.of_users'))}</span>"
                f"{stab_html}</div>"
            )
        persona = summary.persona(segment, lang())
        if persona:
            st.markdown(f"*{md(persona)}*")
        left, right = st.columns([1, 1], gap="large")
        with left:
            st.markdown(tr("segs.words"), help=tr("segs.words_help"))
            st.html(chips_html(term for term, _ in summary.keywords.get(segment, [])))
            st.markdown(tr("segs.reviews"))
            examples = summary.representative_texts.get(segment, [])[:4]
            st.html(quotes_html(examples) if examples else f"<span class='sk-muted'>{esc(tr('segs.no_text'))}</span>")
        with right:
            mood = sentiment_html(summary, segment, lang())
            if mood:
                st.markdown(f"**{tr('desc.sentiment')}**")
                st.html(mood)
            fig = localize_figure(profile_figure(numeric, segment))
            if fig is not None:
                st.markdown(tr("segs.profile"), help=tr("segs.profile_help"))
                st.plotly_chart(fig, config={"displayModeBar": False}, key=f"segs_profile_{segment}")
                units = units_table_html(summary, segment, lang())
                if units:
                    st.html(units)
            if categorical:
                columns = list(categorical)
                pick = st.selectbox(tr("segs.makeup"), columns, key=f"segs_cat_{segment}",
                                    help=tr("segs.makeup_help")) if len(columns) > 1 else columns[0]
                cat_fig = localize_figure(categorical_figure(categorical[pick], segment, pick))
                if cat_fig is not None:
                    st.plotly_chart(cat_fig, config={"displayModeBar": False}, key=f"segs_catfig_{segment}")
                st.html(over_under_html(summary, segment, lang()))
        subsegments_view(ctx, run, segment, int(row["size"]))
        confidence = float(row.get("mean_confidence", np.nan))
        if confidence == confidence:
            st.caption(tr("segs.confidence", value=f"{confidence:.2f}", id=segment))
