"""Which column is the user id, which hold text, which are traits.

`infer_roles` proposes defaults a person would pick; every one can be overridden, and
`validate_roles` checks a (possibly hand-made) choice against the frame.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace

import pandas as pd

from segkit.errors import SegkitInputError

LABEL_NAMES = {"true_segment", "label", "labels", "true_label", "ground_truth", "segment_truth",
               "class", "target", "category_true"}
_ID_PATTERN = re.compile(r"(^|[_\s-])(user|customer|client|member|account|reviewer|buyer)([_\s-]?id)?($|[_\s-])|"
                         r"(^|[_\s-])(uid|userid|customerid|reviewerid)($|[_\s-])",
                         re.IGNORECASE)


@dataclass(frozen=True)
class ColumnRoles:
    text_cols: tuple[str, ...]
    user_col: str | None = None
    numeric_cols: tuple[str, ...] = ()
    categorical_cols: tuple[str, ...] = ()
    label_col: str | None = None
    vector_cols: tuple[str, ...] = ()  # precomputed embedding columns
    ignored: dict[str, str] = field(default_factory=dict, compare=False)  # column -> why

    def to_dict(self) -> dict:
        data = asdict(self)
        data.pop("ignored")
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_dict(cls, data: dict) -> ColumnRoles:
        return cls(
            text_cols=tuple(data.get("text_cols") or ()),
            user_col=data.get("user_col"),
            numeric_cols=tuple(data.get("numeric_cols") or ()),
            categorical_cols=tuple(data.get("categorical_cols") or ()),
            label_col=data.get("label_col"),
            vector_cols=tuple(data.get("vector_cols") or ()),
        )

    def with_overrides(self, **changes) -> ColumnRoles:
        """These roles with what the user named (None = keep the inferred choice).

        A column the user names as the label leaves the *inferred* traits (it was only a
        guess); one the user names both as the label and as a trait stays, and
        `validate_roles` says so.
        """
        clean = {k: (tuple(v) if isinstance(v, list) else v) for k, v in changes.items() if v is not None}
        label = clean.get("label_col")
        if label:
            for key in ("numeric_cols", "categorical_cols"):
                if key not in clean:
                    clean[key] = tuple(c for c in getattr(self, key) if c != label)
        return replace(self, **clean)


_CJK_CHAR = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]"


def _text_stats(series: pd.Series) -> tuple[float, float]:
    """(mean length, share of distinct values). A CJK character counts as 3 Latin ones:
    it carries about a short word, so a 20-character Chinese review is free text."""
    filled = series.dropna().astype(str)
    if filled.empty:
        return 0.0, 0.0
    lengths = filled.str.len() + 2 * filled.str.count(_CJK_CHAR)
    return float(lengths.mean()), float(filled.nunique() / len(filled))


def _mostly_numeric(series: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(series):
        return True
    filled = series.dropna().astype(str).str.strip()
    if filled.empty:
        return False
    parsed = pd.to_numeric(filled, errors="coerce")
    return parsed.notna().mean() >= 0.9


def infer_roles(frame: pd.DataFrame) -> ColumnRoles:
    n_rows = len(frame)
    ignored: dict[str, str] = {}
    vector_cols = tuple(c for c in frame.columns if re.fullmatch(r"(emb|embedding|vec|dim)_?\d+", str(c), re.I))

    # Text: non-numeric columns of long, varied values; the longest is the main one.
    text_candidates = []
    for column in frame.columns:
        series = frame[column]
        if column in vector_cols or _mostly_numeric(series):
            continue
        mean_len, unique_share = _text_stats(series)
        # Many repeated reviews ("Great!") lower the distinct share; hundreds of distinct
        # long values are still free text, never a category.
        if mean_len >= 25 and (unique_share >= 0.3 or unique_share * series.notna().sum() >= 200):
            text_candidates.append((mean_len, column))
    text_candidates.sort(reverse=True)
    text_cols: tuple[str, ...] = (text_candidates[0][1],) if text_candidates else ()
    # A review title next to the body is worth keeping: short-ish free text with the body.
    for _mean_len, column in text_candidates[1:]:
        ignored[column] = "shorter free-text column (add it as a second text column if useful)"

    label_col = next((c for c in frame.columns if str(c).strip().lower() in LABEL_NAMES), None)

    user_col = None
    for column in frame.columns:
        if column in text_cols or column == label_col:
            continue
        name = str(column)
        if _ID_PATTERN.search(name):
            series = frame[column].dropna()
            if len(series) and series.nunique() < len(series):
                user_col = column
                break
    numeric_cols = []
    categorical_cols = []
    for column in frame.columns:
        if column in text_cols or column in (user_col, label_col) or column in vector_cols:
            continue
        series = frame[column]
        name = str(column).lower()
        filled = series.dropna()
        if filled.empty:
            ignored[column] = "empty in every row"
            continue
        n_unique = filled.nunique()
        if n_unique <= 1:
            ignored[column] = "the same value in every row"
            continue
        looks_like_id = bool(re.search(r"(^|_|\s)id$|^id|_id$|\bid\b", name)) or name.endswith("id")
        if looks_like_id:
            ignored[column] = "an identifier, not a trait"
            continue
        if _mostly_numeric(series):
            if not pd.api.types.is_numeric_dtype(series) or n_unique > 10 or n_unique == n_rows:
                if n_unique == n_rows and not pd.api.types.is_float_dtype(series):
                    ignored[column] = "a distinct whole number on every row (a row number or id)"
                    continue
            numeric_cols.append(column)
            continue
        max_categories = max(20, int(0.05 * n_rows)) if n_rows < 400 else 50
        if n_unique <= max_categories and n_unique < max(2, 0.5 * len(filled)):
            categorical_cols.append(column)
        elif column not in ignored:
            ignored[column] = f"free text or too many distinct values ({n_unique}) for a category"
    return ColumnRoles(
        text_cols=text_cols,
        user_col=user_col,
        numeric_cols=tuple(numeric_cols),
        categorical_cols=tuple(categorical_cols),
        label_col=label_col,
        vector_cols=vector_cols,
        ignored=ignored,
    )


def validate_roles(frame: pd.DataFrame, roles: ColumnRoles) -> None:
    """Raise a specific SegkitInputError if the chosen roles cannot work on this frame."""
    duplicated = list(frame.columns[frame.columns.duplicated()])
    if duplicated:
        name = duplicated[0]
        raise SegkitInputError(
            f"Column name '{name}' appears {list(frame.columns).count(name)} times; "
            f"rename the columns so each name is unique (read_table does this for files)."
        )
    columns = set(frame.columns)

    def require(column: str, role: str) -> None:
        if column not in columns:
            available = ", ".join(map(str, list(frame.columns)[:12]))
            raise SegkitInputError(
                f"The {role} column '{column}' is not in the file. Columns are: {available}."
            )

    if not roles.text_cols and not roles.vector_cols:
        reasons = _why_no_text_column(frame, roles)
        raise SegkitInputError(
            "No text column chosen and none found"
            + (f" ({reasons})" if reasons else "")
            + ": pick the column that holds what users wrote."
        )
    for column in roles.text_cols:
        require(column, "text")
    for column in roles.vector_cols:
        require(column, "vector")
    if roles.user_col:
        require(roles.user_col, "user id")
    if roles.label_col:
        require(roles.label_col, "label")
    for column in roles.numeric_cols:
        require(column, "numeric")
    for column in roles.categorical_cols:
        require(column, "categorical")
    used: dict[str, str] = {}
    groups = [
        ("text", roles.text_cols),
        ("user id", (roles.user_col,) if roles.user_col else ()),
        ("numeric", roles.numeric_cols),
        ("categorical", roles.categorical_cols),
        ("label", (roles.label_col,) if roles.label_col else ()),
    ]
    for role, group in groups:
        for column in group:
            if column in used and not (role == "label" and used[column] == "categorical"):
                raise SegkitInputError(
                    f"Column '{column}' is chosen both as {used[column]} and as {role}; pick one role."
                )
            used.setdefault(column, role)
    if roles.label_col and (roles.label_col in roles.numeric_cols or roles.label_col in roles.categorical_cols):
        raise SegkitInputError(
            f"The label column '{roles.label_col}' is also a trait: segments would be built from the answer."
        )


def _why_no_text_column(frame: pd.DataFrame, roles: ColumnRoles) -> str:
    """Why inference found no free text: the longest text-like column and its numbers."""
    best = None
    empty = [c for c in frame.columns if frame[c].isna().all() or frame[c].astype(str).str.strip().eq("").all()]
    if empty:
        return "; ".join(f"'{c}' is empty in every row" for c in empty[:3])
    for column in frame.columns:
        if column in roles.vector_cols or _mostly_numeric(frame[column]):
            continue
        mean_len, unique_share = _text_stats(frame[column])
        if best is None or mean_len > best[0]:
            best = (mean_len, unique_share, column)
    if best is None:
        return "every column holds numbers"
    mean_len, unique_share, column = best
    if column in roles.ignored:
        return f"the longest text column '{column}' is {roles.ignored[column]}"
    return (f"the longest text column '{column}' averages {mean_len:.0f} characters with "
            f"{unique_share:.0%} distinct values; free text needs 25+ characters and 30%+ distinct")
