"""The Data page's sections: facts about the file, the column-roles form, and what
segkit made of the file (users, empty texts, language, which columns are used)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from dashboard.compute import user_table
from dashboard.language import language_report
from dashboard.state import NONE_LABEL, NONE_USER, Dataset, inferred_roles, memo_value, set_dataset
from dashboard.ui import md
from dashboard.words import dataset_label, lang, language_label_text, tr
from segkit.errors import SegkitInputError
from segkit.io import ColumnRoles
from segkit.io.numbers import numeric_like_columns
from segkit.io.roles import RFM_TRAITS
from segkit.privacy import mask_frame
from segkit.privacy.words import personal_data_lines


def file_facts(dataset: Dataset) -> None:
    """Format, encoding, delimiter and shape of the file, and a preview of its rows."""
    frame = dataset.frame
    st.subheader(tr("data.current", name=md(dataset_label(dataset))))
    loaded = dataset.loaded
    facts = [tr("data.fact_format", fmt=md(loaded.source_format))]
    if loaded.encoding:
        facts.append(tr("data.fact_encoding", encoding=md(loaded.encoding)))
    if loaded.delimiter:
        delimiters = {"\t": "data.delim_tab", ",": "data.delim_comma", ";": "data.delim_semicolon", "|": "data.delim_pipe"}
        facts.append(tr("data.fact_delimiter", delimiter=tr(delimiters[loaded.delimiter])
                        if loaded.delimiter in delimiters else md(loaded.delimiter)))
    facts.append(tr("data.fact_shape", rows=f"{len(frame):,}", cols=len(frame.columns)))
    if dataset.n_bytes:
        facts.append(f"{dataset.n_bytes / 1e6:.1f} MB")
    st.markdown(" · ".join(facts))
    with st.expander(tr("data.preview"), expanded=False, icon=":material/table_view:"):
        # Every text-like column masked for display (an address may sit outside the text column).
        head = frame.head(200)
        text_like = [c for c in head.columns if head[c].dtype == object or pd.api.types.is_string_dtype(head[c])]
        st.dataframe(mask_frame(head, text_like), hide_index=True, height=320)
        st.caption(tr("privacy.preview_masked"))


def _optional_column(label_key: str, none: str, columns, current, key: str, none_labels: dict,
                     help_text: str | None = None) -> str:
    """A column picker whose first option is `none` ("(none)"), preselecting `current`."""
    options = [none, *columns]
    return st.selectbox(tr(label_key), options, index=options.index(current) if current in columns else 0,
                        key=key, help=help_text, format_func=lambda c: none_labels.get(c, c) if c == none else c)


def roles_form(dataset: Dataset) -> Dataset:
    """The column roles as a form; returns the dataset with the roles applied (or as it was)."""
    frame = dataset.frame
    st.subheader(tr("data.roles"))
    st.caption(tr("data.roles_caption"))
    none_labels = {NONE_USER: tr("common.none_user"), NONE_LABEL: tr("common.none_label")}
    columns = [str(c) for c in frame.columns]
    roles = dataset.roles
    suffix = dataset.key[:10]
    # Parsed once per dataset, not on every rerun (a wide file has thousands of columns).
    numeric_like = memo_value(f"numeric_like|{dataset.key}", lambda: numeric_like_columns(frame))
    with st.form(f"data_roles_{suffix}"):
        c1, c2 = st.columns(2)
        with c1:
            text_cols = st.multiselect(tr("data.text_cols"), columns, default=list(roles.text_cols),
                                       key=f"data_text_{suffix}", help=tr("data.text_cols_help"))
            user_col = _optional_column("data.user_col", NONE_USER, columns, roles.user_col, f"data_user_{suffix}",
                                        none_labels, tr("data.user_col_help"))
            label_col = _optional_column("data.label_col", NONE_LABEL, columns, roles.label_col,
                                         f"data_label_{suffix}", none_labels)
        with c2:
            numeric_cols = st.multiselect(tr("data.numeric_cols"), numeric_like,
                                          default=[c for c in roles.numeric_cols if c in numeric_like],
                                          key=f"data_numeric_{suffix}", help=tr("data.numeric_cols_help"))
            categorical_cols = st.multiselect(tr("data.categorical_cols"), columns, default=list(roles.categorical_cols),
                                              key=f"data_categorical_{suffix}", help=tr("data.categorical_cols_help"))
            vector_like = [c for c in columns if c in roles.vector_cols] or []
            vector_cols = st.multiselect(tr("data.vector_cols"), columns, default=vector_like,
                                         key=f"data_vectors_{suffix}", help=tr("data.vector_cols_help")) \
                if roles.vector_cols else []
            time_col = _optional_column("data.time_col", NONE_LABEL, columns, roles.time_col, f"data_time_{suffix}",
                                        none_labels, tr("data.time_col_help"))
            amount_col = _optional_column("data.amount_col", NONE_LABEL, numeric_like, roles.amount_col,
                                          f"data_amount_{suffix}", none_labels, tr("data.amount_col_help"))
        applied = st.form_submit_button(tr("data.apply"), type="primary", icon=":material/check:",
                                        key=f"data_apply_{suffix}")

    if applied:
        chosen = ColumnRoles(
            text_cols=tuple(text_cols),
            user_col=None if user_col == NONE_USER else user_col,
            numeric_cols=tuple(numeric_cols),
            categorical_cols=tuple(categorical_cols),
            label_col=None if label_col == NONE_LABEL else label_col,
            vector_cols=tuple(vector_cols),
            time_col=None if time_col == NONE_LABEL else time_col,
            amount_col=None if amount_col == NONE_LABEL else amount_col,
            ignored={},
        )
        used = set(chosen.text_cols) | set(chosen.numeric_cols) | set(chosen.categorical_cols) | set(chosen.vector_cols)
        # RFM traits per user when a time and an amount are mapped (segkit.io.rfm); without a
        # time column the amount does nothing, so it is not kept as "used".
        derived = RFM_TRAITS if (chosen.time_col and chosen.amount_col and chosen.user_col) else ()
        if not derived:
            chosen = replace(chosen, amount_col=None)
        used |= {c for c in (chosen.user_col, chosen.label_col, chosen.time_col, chosen.amount_col) if c}
        inferred = inferred_roles(dataset.key, frame).ignored
        ignored = {c: inferred.get(c, tr("data.not_used")) for c in columns if c not in used}
        chosen = replace(chosen, ignored=ignored, derived_traits=derived)
        candidate = type(dataset)(dataset.name, dataset.key, dataset.loaded, chosen, dataset.is_sample,
                                  dataset.n_bytes, dataset.upload_id)
        try:
            user_table(candidate)
        except SegkitInputError as exc:
            st.error(md(exc), icon=":material/error:")
        else:
            set_dataset(candidate)
            dataset = candidate
            st.success(tr("data.applied"), icon=":material/check_circle:")
    return dataset


def validation_section(dataset: Dataset, table) -> None:
    """Rows, users, empty texts, notes, the texts' language and the columns used or ignored."""
    status = pd.Series(table.row_status)
    empty_text = int((status == "empty text").sum())
    missing_user = int((status == "missing user id").sum())
    users_with_text = int(table.user_has_text().sum())
    cols = st.columns(5)
    cols[0].metric(tr("data.m_rows"), f"{table.n_rows:,}")
    cols[1].metric(tr("data.m_users"), f"{table.n_users:,}", help=tr("data.m_users_help"))
    cols[2].metric(tr("data.m_with_text"), f"{users_with_text:,}", help=tr("data.m_with_text_help"))
    cols[3].metric(tr("data.m_empty"), f"{empty_text:,}", help=tr("data.m_empty_help"))
    cols[4].metric(tr("data.m_no_user"), f"{missing_user:,}")

    if dataset.roles.text_cols:
        st.markdown(f"**{tr('privacy.heading')}**")
        st.caption("  \n".join(md(line) for line in personal_data_lines(table.personal_data, table.texts_masked,
                                                                         lang())))
    notes = list(dataset.loaded.notes) + list(table.notes)
    for note in notes:
        st.info(md(note), icon=":material/info:")
    if empty_text:
        st.caption(tr("data.empty_caption", n=f"{empty_text:,}", share=f"{empty_text / max(table.n_rows, 1):.1%}"))

    # The language of the texts, and the embedder that suits it.
    if dataset.roles.text_cols:
        summary, (recommended, reason) = language_report(dataset)
        if summary.n_texts:
            st.markdown(tr("lang.heading"))
            lines = [tr("lang.summary", label=language_label_text(summary.label), cjk=f"{summary.cjk_share:.0%}",
                        texts=f"{summary.texts_with_cjk:.0%}", n=f"{summary.n_sampled:,}")]
            if summary.mostly_english:
                lines.append(tr("lang.english_ok", embedder=md(recommended)))
            else:
                lines.append(tr("lang.recommend", embedder=md(recommended)))
            st.info("  \n".join(lines), icon=":material/translate:")
            if not summary.mostly_english:
                st.caption(tr("lang.reason_details", reason=md(reason)))

    roles = dataset.roles
    role_rows = [(tr("data.role_text"), ", ".join(roles.text_cols) or "–"),
                 (tr("data.role_user"), roles.user_col or tr("common.none_user")),
                 (tr("data.role_numeric"), ", ".join(roles.numeric_cols) or "–"),
                 (tr("data.role_categorical"), ", ".join(roles.categorical_cols) or "–"),
                 (tr("data.role_label"), roles.label_col or "–")]
    if roles.vector_cols:
        role_rows.append((tr("data.role_vectors"), tr("data.n_columns", n=len(roles.vector_cols))))
    if roles.time_col:
        role_rows.append((tr("data.time_col"), roles.time_col))
    if roles.amount_col:
        role_rows.append((tr("data.amount_col"), roles.amount_col))
    if roles.derived_traits:
        role_rows.append((tr("data.role_derived"), ", ".join(roles.derived_traits)))
    left, right = st.columns(2)
    with left:
        st.markdown(tr("data.used"))
        st.dataframe(pd.DataFrame(role_rows, columns=[tr("data.col_role"), tr("data.col_columns")]), hide_index=True,
                     width="stretch")
    with right:
        st.markdown(tr("data.ignored"))
        if roles.ignored:
            st.dataframe(pd.DataFrame(sorted(roles.ignored.items()), columns=[tr("data.col_column"), tr("data.col_why")]),
                         hide_index=True, width="stretch")
        else:
            st.caption(tr("data.none_ignored"))
