"""One segment's card on the Segments page: its name (editable), size, stability, persona,
distinctive words, example reviews, sentiment, profile in real units and sub-segments."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard.drilldown import subsegments_view
from dashboard.ui import chips_html, esc, md, quotes_html
from dashboard.words import lang, localize_figure, tr
from segkit.export.explain_html import rules_html, separability_html
from segkit.export.profile_html import over_under_html, sentiment_html, units_table_html
from segkit.export.report import stability_words
from segkit.plots import categorical_figure, profile_figure, segment_color


def segment_card(ctx, run, row, stability: dict, on_rename, rules=None, separability=None) -> None:
    """The card of the summary table's `row`; `on_rename(segment, widget_key)` applies a typed name.
    `rules` and `separability` (segkit.explain) add "who is in it" rules and how well it stands apart."""
    summary = run.summary
    numeric = summary.numeric
    categorical = summary.categorical
    segment = int(row["segment_id"])
    color = segment_color(segment)
    with st.container(border=True):
        if segment < 0:
            st.html(f"<h3 style='margin:0'><span class='sk-dot' style='background:{color}'></span>"
                    f"{esc(tr('common.unassigned'))}</h3>")
            st.markdown(tr("segs.unassigned_text", n=f"{int(row['size']):,}", share=f"{float(row['share']):.1%}"))
            return
        head_left, head_right = st.columns([3, 2], vertical_alignment="bottom")
        with head_left:
            widget_key = f"segs_name_{ctx.run_key[:8]}_{segment}"
            # The callback has already applied (or refused) what was typed: show the name in force.
            st.session_state[widget_key] = str(row["segment_name"])
            st.text_input(tr("segs.name_label", n=segment), key=widget_key, max_chars=80,
                          on_change=on_rename, args=(segment, widget_key), help=tr("segs.name_help"))
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
            if run.embeddings.embedder != "none":  # a traits-only run has no words or reviews to show
                st.markdown(tr("segs.words"), help=tr("segs.words_help"))
                st.html(chips_html(term for term, _ in summary.keywords.get(segment, [])))
                st.markdown(tr("segs.reviews"))
                examples = summary.representative_texts.get(segment, [])[:4]
                st.html(quotes_html(examples) if examples
                        else f"<span class='sk-muted'>{esc(tr('segs.no_text'))}</span>")
            rules_part = rules_html(rules, segment, lang())
            if rules_part:
                st.markdown(tr("xpl.rules"), help=tr("xpl.rules_help"))
                st.html(rules_part)
            sep_part = separability_html(separability, segment, summary.names, lang())
            if sep_part:
                st.markdown(tr("xpl.stands_apart"), help=tr("xpl.separability_help"))
                st.html(sep_part)
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
