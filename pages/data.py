"""1 · Data: upload a file (or use the sample), check it, and say what each column is."""

from pages._shared.common import route_through_app

route_through_app()  # a deep link opened before app.py ever ran

import pandas as pd
import streamlit as st

from pages._shared.common import (
    NONE_LABEL,
    NONE_USER,
    dataset_from_upload,
    ensure_dataset,
    init_page_state,
    load_sample,
    md,
    page_header,
    set_dataset,
    user_table,
)
from segkit.errors import SegkitInputError
from segkit.io import ColumnRoles, infer_roles
from segkit.io.read import SUPPORTED

init_page_state("data", {"message": None})
page_header(
    "1 · Data",
    "One row per review (or per user). segkit needs a column with what people wrote; a user id column lets "
    "it combine each user's reviews, and numeric or categorical columns (spend, orders, age, region…) let it "
    "group by behaviour too.",
)

dataset = ensure_dataset()

# ------------------------------------------------------------------ source
source_col, sample_col = st.columns([3, 1], vertical_alignment="bottom")
with source_col:
    uploaded = st.file_uploader(
        "Upload reviews: CSV, TSV, Excel, Parquet or JSON Lines",
        type=[s.lstrip(".") for s in SUPPORTED],
        key="data_upload",
        help="Up to 200 MB. The encoding and delimiter of text files are detected automatically.",
    )
with sample_col:
    if st.button("Use the bundled sample", icon=":material/dataset:", key="data_use_sample",
                 disabled=dataset.is_sample, width="stretch"):
        set_dataset(load_sample())
        st.session_state["data_message"] = ("success", "Loaded the bundled sample.")
        st.rerun()

if uploaded is not None and uploaded.file_id != dataset.upload_id:
    try:
        with st.spinner(f"Reading {uploaded.name}…"):
            new = dataset_from_upload(uploaded.getvalue(), uploaded.name, uploaded.file_id)
    except SegkitInputError as exc:
        st.error(f"{md(uploaded.name)} cannot be used: {md(exc)}", icon=":material/error:")
        st.caption(f"Still using {md(dataset.name)}.")
    except Exception as exc:  # noqa: BLE001 - never a traceback for a bad file
        st.error(f"{md(uploaded.name)} could not be read ({type(exc).__name__}: {md(exc)}). "
                 "Check that it is a CSV/TSV, Excel, Parquet or JSON Lines file.", icon=":material/error:")
        st.caption(f"Still using {md(dataset.name)}.")
    else:
        set_dataset(new)
        dataset = new
        st.session_state["data_message"] = ("success", f"Loaded {new.name}: {len(new.frame):,} rows.")

message = st.session_state.get("data_message")
if message:
    kind, text = message
    getattr(st, kind)(md(text), icon=":material/check_circle:" if kind == "success" else None)
    st.session_state["data_message"] = None

frame = dataset.frame
st.subheader(f"Current dataset: {md(dataset.name)}")
loaded = dataset.loaded
facts = [f"format **{md(loaded.source_format)}**"]
if loaded.encoding:
    facts.append(f"encoding **{md(loaded.encoding)}** (detected)")
if loaded.delimiter:
    facts.append("delimiter **" + {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}.get(
        loaded.delimiter, md(loaded.delimiter)) + "**")
facts.append(f"{len(frame):,} rows × {len(frame.columns)} columns")
if dataset.n_bytes:
    facts.append(f"{dataset.n_bytes / 1e6:.1f} MB")
st.markdown(" · ".join(facts))
with st.expander("Preview the first rows", expanded=False, icon=":material/table_view:"):
    st.dataframe(frame.head(200), hide_index=True, height=320)

# ------------------------------------------------------------------ roles
st.subheader("What each column is")
st.caption("segkit guessed these roles; change them and press **Apply**. The label column is never used to "
           "build segments, only to score them (ARI/NMI).")
columns = [str(c) for c in frame.columns]
roles = dataset.roles
suffix = dataset.key[:10]
numeric_like = [c for c in columns if pd.api.types.is_numeric_dtype(frame[c])
                or pd.to_numeric(frame[c], errors="coerce").notna().mean() >= 0.9]
with st.form(f"data_roles_{suffix}"):
    c1, c2 = st.columns(2)
    with c1:
        text_cols = st.multiselect("Text columns (what users wrote)", columns, default=list(roles.text_cols),
                                   key=f"data_text_{suffix}",
                                   help="Several text columns (e.g. title and body) are joined.")
        user_options = [NONE_USER, *columns]
        user_col = st.selectbox("User id column", user_options,
                                index=user_options.index(roles.user_col) if roles.user_col in columns else 0,
                                key=f"data_user_{suffix}",
                                help="Rows with the same id are one user: their reviews are combined.")
        label_options = [NONE_LABEL, *columns]
        label_col = st.selectbox("Known segment / label column (optional, for scoring only)", label_options,
                                 index=label_options.index(roles.label_col) if roles.label_col in columns else 0,
                                 key=f"data_label_{suffix}")
    with c2:
        numeric_cols = st.multiselect("Numeric traits (behaviour)", numeric_like,
                                      default=[c for c in roles.numeric_cols if c in numeric_like],
                                      key=f"data_numeric_{suffix}",
                                      help="Averaged per user, e.g. spend, orders per year, age, rating.")
        categorical_cols = st.multiselect("Categorical traits", columns, default=list(roles.categorical_cols),
                                          key=f"data_categorical_{suffix}",
                                          help="Most common value per user, e.g. membership tier, region.")
        vector_like = [c for c in columns if c in roles.vector_cols] or []
        vector_cols = st.multiselect("Precomputed embedding columns", columns, default=vector_like,
                                     key=f"data_vectors_{suffix}",
                                     help="Only if the file already holds vectors (emb_0, emb_1, …).") \
            if roles.vector_cols else []
    applied = st.form_submit_button("Apply column roles", type="primary", icon=":material/check:",
                                    key=f"data_apply_{suffix}")

if applied:
    chosen = ColumnRoles(
        text_cols=tuple(text_cols),
        user_col=None if user_col == NONE_USER else user_col,
        numeric_cols=tuple(numeric_cols),
        categorical_cols=tuple(categorical_cols),
        label_col=None if label_col == NONE_LABEL else label_col,
        vector_cols=tuple(vector_cols),
        ignored={},
    )
    used = set(chosen.text_cols) | set(chosen.numeric_cols) | set(chosen.categorical_cols) | set(chosen.vector_cols)
    used |= {c for c in (chosen.user_col, chosen.label_col) if c}
    inferred = infer_roles(frame).ignored
    ignored = {c: inferred.get(c, "not used (your choice)") for c in columns if c not in used}
    chosen = ColumnRoles(**{**{k: getattr(chosen, k) for k in
                               ("text_cols", "user_col", "numeric_cols", "categorical_cols", "label_col",
                                "vector_cols")}, "ignored": ignored})
    candidate = type(dataset)(dataset.name, dataset.key, dataset.loaded, chosen, dataset.is_sample,
                              dataset.n_bytes, dataset.upload_id)
    try:
        user_table(candidate)
    except SegkitInputError as exc:
        st.error(md(exc), icon=":material/error:")
    else:
        set_dataset(candidate)
        dataset = candidate
        st.success("Column roles applied. The segmentation will be recomputed with them.",
                   icon=":material/check_circle:")

# ------------------------------------------------------------------ validation
st.subheader("Validation report")
try:
    table = user_table(dataset)
except SegkitInputError as exc:
    st.error(md(exc), icon=":material/error:")
    st.stop()

status = pd.Series(table.row_status)
empty_text = int((status == "empty text").sum())
missing_user = int((status == "missing user id").sum())
users_with_text = int(table.user_has_text().sum())
cols = st.columns(5)
cols[0].metric("Rows", f"{table.n_rows:,}")
cols[1].metric("Users", f"{table.n_users:,}", help="Distinct user ids (or rows, without a user column).")
cols[2].metric("Users with text", f"{users_with_text:,}",
               help="Only users with at least one non-empty text can be segmented; the others stay in the export.")
cols[3].metric("Empty texts", f"{empty_text:,}", help="Rows whose text is empty. They are kept in the export, "
               "marked; their user is segmented from their other rows if any.")
cols[4].metric("Rows without user id", f"{missing_user:,}")

notes = list(dataset.loaded.notes) + list(table.notes)
for note in notes:
    st.info(md(note), icon=":material/info:")
if empty_text:
    st.caption(f"{empty_text:,} row(s) have no text ({empty_text / max(table.n_rows, 1):.1%}).")

roles = dataset.roles
role_rows = [("text", ", ".join(roles.text_cols) or "–"),
             ("user id", roles.user_col or NONE_USER),
             ("numeric traits", ", ".join(roles.numeric_cols) or "–"),
             ("categorical traits", ", ".join(roles.categorical_cols) or "–"),
             ("label (scoring only)", roles.label_col or "–")]
if roles.vector_cols:
    role_rows.append(("precomputed vectors", f"{len(roles.vector_cols)} columns"))
left, right = st.columns(2)
with left:
    st.markdown("**Columns used**")
    st.dataframe(pd.DataFrame(role_rows, columns=["role", "columns"]), hide_index=True, width="stretch")
with right:
    st.markdown("**Columns ignored, and why**")
    if roles.ignored:
        st.dataframe(pd.DataFrame(sorted(roles.ignored.items()), columns=["column", "why"]), hide_index=True,
                     width="stretch")
    else:
        st.caption("None: every column has a role.")

st.page_link("pages/segment.py", label="Next: segment these users", icon=":material/arrow_forward:")
