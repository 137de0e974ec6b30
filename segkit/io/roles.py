"""Which column is the user id, which hold text, which are traits, the time, the label.

`infer_roles` proposes defaults a person would pick; every one can be overridden, and
`validate_roles` checks a (possibly hand-made) choice against the frame. A column it does
not use is in `ColumnRoles.ignored` with the reason, in words a page can print.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace

import pandas as pd

from segkit.errors import SegkitInputError
from segkit.io.times import spread_sample

LABEL_NAMES = {"true_segment", "label", "labels", "true_label", "ground_truth", "segment_truth",
               "class", "target", "category_true"}
# Named like a grouping someone already made: the label when it holds categories (not numbers).
_LABEL_WORDS = {"category", "categories", "segment", "class", "label", "group", "cluster", "genre", "topic"}
# A short text beside the body: a review's title or summary, offered as extra text.
_TITLE_NAME = re.compile(r"(title|summary|subject|headline|heading|caption)", re.IGNORECASE)
# An amount per row (a purchase's value): with a time column, RFM traits per user.
_AMOUNT_NAME = re.compile(r"(amount|spend|spent|revenue|sales|price|paid|payment|order_?value|total|value|cost)",
                          re.IGNORECASE)
# Votes other readers gave a review (Yelp's useful/funny/cool, Amazon's helpful, "Positive
# Feedback Count"): they describe how a review was received, not how its writer behaves,
# and as traits they split users by popularity (K = 2 on yelp_10k, named by nothing).
_FEEDBACK_NAME = re.compile(r"^(useful|funny|cool|helpful(ness)?|votes?|likes?|upvotes?|thumbs?_?up|"
                            r"(positive|negative|total)?[_\s-]?(feedback|helpful|vote|like)s?([_\s-]?(count|votes))?|"
                            r"(helpful|useful|total)[_\s-]?votes?)$", re.IGNORECASE)
FEEDBACK_REASON = "votes other readers gave the review, not the writer's behaviour (choose it as a trait if you want it)"
RFM_TRAITS = ("recency_days", "frequency", "monetary")
NEAR_CONSTANT_SHARE = 0.98  # one value in at least this share of the filled rows
MOSTLY_EMPTY_SHARE = 0.7  # empty in at least this share of the rows
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
    time_col: str | None = None  # dates or timestamps: never a trait; segments over time, RFM recency
    amount_col: str | None = None  # a row's amount (spend), for the RFM traits
    # Traits computed per user from the rows (RFM_TRAITS, needing time_col and amount_col).
    derived_traits: tuple[str, ...] = ()

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
            time_col=data.get("time_col"),
            amount_col=data.get("amount_col"),
            derived_traits=tuple(data.get("derived_traits") or ()),
        )

    def with_overrides(self, **changes) -> ColumnRoles:
        """These roles with what the user named (None = keep the inferred choice).

        A column the user names as the label leaves the *inferred* traits (it was only a
        guess); one the user names both as the label and as a trait stays, and
        `validate_roles` says so.
        """
        clean = {k: (tuple(v) if isinstance(v, list) else v) for k, v in changes.items() if v is not None}
        # A column named as the label or the time leaves the inferred traits and text.
        named = {clean.get("label_col"), clean.get("time_col")} - {None}
        for key in ("numeric_cols", "categorical_cols", "text_cols"):
            if named and key not in clean:
                clean[key] = tuple(c for c in getattr(self, key) if c not in named)
        return replace(self, **clean)


_CJK_CHAR = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]"


# Means and shares are read off this many evenly spaced filled values (their error is
# about 1/sqrt(n)): the same decision as every row, without parsing 200,000 reviews twice.
SHARE_SAMPLE = 20_000


def _text_stats(series: pd.Series) -> tuple[float, float]:
    """(mean length, share of distinct values). A CJK character counts as 3 Latin ones:
    it carries about a short word, so a 20-character Chinese review is free text.
    The distinct share counts every row (a sample would overstate it for repeated values)."""
    filled = series.dropna()
    if filled.empty:
        return 0.0, 0.0
    sample = spread_sample(filled, SHARE_SAMPLE).astype(str)
    lengths = sample.str.len() + 2 * sample.str.count(_CJK_CHAR)
    return float(lengths.mean()), float(filled.astype(str).nunique() / len(filled))


def _mostly_numeric(series: pd.Series) -> bool:
    if pd.api.types.is_numeric_dtype(series):
        return True
    filled = spread_sample(series.dropna(), SHARE_SAMPLE).astype(str).str.strip()
    if filled.empty:
        return False
    parsed = pd.to_numeric(filled, errors="coerce")
    return parsed.notna().mean() >= 0.9


def _name_words(column) -> list[str]:
    """'unixReviewTime' -> ['unix', 'review', 'time']; 'true_segment' -> ['true', 'segment']."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(column))
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def _label_like(column) -> bool:
    name = str(column).strip().lower()
    words = _name_words(column)
    return name in LABEL_NAMES or (bool(words) and (words[0] == "true" or words[-1] in _LABEL_WORDS))


def _pick_label(frame: pd.DataFrame, taken: set) -> tuple[str | None, dict[str, str]]:
    """The ground-truth column: a known label name (any type), else a column named like a
    category, segment or class (or true_*) that holds categories, not numbers."""
    exact = next((c for c in frame.columns if str(c).strip().lower() in LABEL_NAMES and c not in taken), None)
    if exact is not None:
        return exact, {}
    ignored: dict[str, str] = {}
    for column in frame.columns:
        if column in taken or not _label_like(column):
            continue
        filled = frame[column].dropna()
        if filled.empty:
            continue
        if _mostly_numeric(frame[column]):
            ignored[column] = "named like a label but holds numbers: choose it as the label if it is one"
            continue
        if 2 <= filled.nunique() <= max(50, int(0.05 * len(frame))):
            return column, ignored
    return None, ignored


def _constant_per_user(series: pd.Series, users: pd.Series | None) -> bool:
    """Whether at least 90% of users have one value (a name or an attribute, not a text)."""
    if users is None:
        return False
    distinct = pd.DataFrame({"u": users, "v": series}).dropna().groupby("u")["v"].nunique()
    return bool(len(distinct) and (distinct <= 1).mean() >= 0.9 and (distinct.index.size < series.notna().sum()))


def _skip_reason(series: pd.Series, n_rows: int) -> str | None:
    """Why a column is no trait: empty, mostly empty or (nearly) one value."""
    filled = series.dropna()
    if not pd.api.types.is_numeric_dtype(series):
        filled = filled[filled.astype(str).str.strip() != ""]
    if filled.empty:
        return "empty in every row"
    empty_share = 1 - len(filled) / max(n_rows, 1)
    if empty_share >= MOSTLY_EMPTY_SHARE:
        return f"mostly empty ({empty_share:.0%} of rows have no value)"
    counts = filled.astype(str).value_counts()
    if len(counts) <= 1:
        return "the same value in every row"
    top_share = counts.iloc[0] / len(filled)
    if top_share >= NEAR_CONSTANT_SHARE:
        return f"nearly the same value in every row ({top_share:.1%} of rows hold one value)"
    return None


def infer_roles(frame: pd.DataFrame) -> ColumnRoles:
    from segkit.io.times import looks_like_time

    n_rows = len(frame)
    ignored: dict[str, str] = {}
    vector_cols = tuple(c for c in frame.columns if re.fullmatch(r"(emb|embedding|vec|dim)_?\d+", str(c), re.I))

    # Times first: a timestamp is a number and a date string can look like free text.
    time_cols = [c for c in frame.columns if c not in vector_cols and looks_like_time(str(c), frame[c])]
    time_col = time_cols[0] if time_cols else None
    for column in time_cols[1:]:
        ignored[column] = f"a date or time (the time column is '{time_col}')"

    # Text: non-numeric columns of long, varied values; the longest is the main one.
    text_candidates = []
    for column in frame.columns:
        series = frame[column]
        if column in vector_cols or column in time_cols or _mostly_numeric(series):
            continue
        mean_len, unique_share = _text_stats(series)
        # Many repeated reviews ("Great!") lower the distinct share; hundreds of distinct
        # long values are still free text, never a category.
        if mean_len >= 25 and (unique_share >= 0.3 or unique_share * series.notna().sum() >= 200):
            text_candidates.append((mean_len, column))
    text_candidates.sort(reverse=True)
    text_cols: tuple[str, ...] = (text_candidates[0][1],) if text_candidates else ()
    for _mean_len, column in text_candidates[1:]:
        ignored[column] = "shorter free-text column (add it as a second text column if useful)"

    label_col, label_notes = _pick_label(frame, set(text_cols) | set(time_cols))
    ignored.update(label_notes)

    user_col = None
    for column in frame.columns:
        if column in text_cols or column == label_col or column in time_cols:
            continue
        name = str(column)
        if _ID_PATTERN.search(name):
            series = frame[column].dropna()
            if len(series) and series.nunique() < len(series):
                user_col = column
                break

    # A review title beside the body: short, varied and not the same for all of a user's rows.
    if text_cols:
        users = frame[user_col] if user_col else None
        for column in frame.columns:
            if column in (*text_cols, user_col, label_col, *time_cols, *vector_cols) or not _TITLE_NAME.search(str(column)):
                continue
            series = frame[column]
            mean_len, unique_share = _text_stats(series)
            varied = unique_share >= 0.3 or unique_share * series.notna().sum() >= 200
            if not _mostly_numeric(series) and mean_len >= 5 and varied and not _constant_per_user(series, users):
                text_cols = (*text_cols, column)
                ignored.pop(column, None)
                break

    numeric_cols = []
    categorical_cols = []
    for column in frame.columns:
        if column in text_cols or column in (user_col, label_col) or column in vector_cols or column in time_cols:
            continue
        if column in ignored:
            continue
        series = frame[column]
        name = str(column).lower()
        reason = _skip_reason(series, n_rows)
        if reason:
            ignored[column] = reason
            continue
        filled = series.dropna()
        n_unique = filled.nunique()
        looks_like_id = bool(re.search(r"(^|_|\s)id$|^id|_id$|\bid\b", name)) or name.endswith("id")
        if looks_like_id:
            ignored[column] = "an identifier, not a trait"
            continue
        numeric = _mostly_numeric(series)
        if numeric and _FEEDBACK_NAME.match(str(column).strip()):
            ignored[column] = FEEDBACK_REASON
            continue
        if numeric:
            if not pd.api.types.is_numeric_dtype(series) or n_unique > 10 or n_unique == n_rows:
                if n_unique == n_rows and not pd.api.types.is_float_dtype(series):
                    ignored[column] = "a distinct whole number on every row (a row number or id)"
                    continue
            numeric_cols.append(column)
            continue
        max_categories = max(20, int(0.05 * n_rows)) if n_rows < 400 else 50
        if _named_like_text(column):
            # A few short reviews repeated are still reviews, not a category to segment on.
            ignored[column] = ("named like text but too short or repetitive for free text "
                               "(choose it as a text column if it is one)")
        elif n_unique <= max_categories and n_unique < max(2, 0.5 * len(filled)):
            categorical_cols.append(column)
        else:
            ignored[column] = f"free text or too many distinct values ({n_unique}) for a category"

    amount_col = next((c for c in numeric_cols if _AMOUNT_NAME.search(str(c))), None)
    # Recency, frequency and monetary value need a user with several dated rows.
    derived = RFM_TRAITS if (time_col and amount_col and user_col) else ()
    return ColumnRoles(
        text_cols=text_cols,
        user_col=user_col,
        numeric_cols=tuple(numeric_cols),
        categorical_cols=tuple(categorical_cols),
        label_col=label_col,
        vector_cols=vector_cols,
        ignored=ignored,
        time_col=time_col,
        amount_col=amount_col,
        derived_traits=derived,
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

    has_traits = bool(roles.numeric_cols or roles.categorical_cols or roles.derived_traits)
    # Without text, users are segmented on their traits alone, unless a column named for
    # text is there but unusable: then the file is likely broken, and saying so helps more.
    if not roles.text_cols and not roles.vector_cols and (not has_traits or _broken_text_column(frame, roles)):
        reasons = _why_no_text_column(frame, roles)
        raise SegkitInputError(
            "No text column chosen and none found"
            + (f" ({reasons})" if reasons else "")
            + ": pick the column that holds what users wrote"
            + (", or numeric or categorical traits to segment on." if not has_traits else ".")
        )
    for column in roles.text_cols:
        require(column, "text")
    for column in roles.vector_cols:
        require(column, "vector")
    if roles.user_col:
        require(roles.user_col, "user id")
    if roles.label_col:
        require(roles.label_col, "label")
    if roles.time_col:
        require(roles.time_col, "time")
    if roles.amount_col:
        require(roles.amount_col, "amount")
    for column in roles.numeric_cols:
        if column not in roles.derived_traits:  # computed per user by prepare_users
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
        ("time", (roles.time_col,) if roles.time_col else ()),
    ]
    for role, group in groups:
        for column in group:
            if column in used and not (role == "label" and used[column] == "categorical"):
                raise SegkitInputError(
                    f"Column '{column}' is chosen both as {used[column]} and as {role}; pick one role."
                )
            used.setdefault(column, role)
    unknown = [t for t in roles.derived_traits if t not in RFM_TRAITS]
    if unknown:
        raise SegkitInputError(f"Unknown derived trait '{unknown[0]}': segkit derives {', '.join(RFM_TRAITS)}.")
    if roles.derived_traits and not (roles.time_col and roles.amount_col):
        raise SegkitInputError(
            "Recency, frequency and monetary value need a time column and an amount column "
            "(--time-col and --amount-col), or turn them off (--no-rfm).")
    if roles.label_col and (roles.label_col in roles.numeric_cols or roles.label_col in roles.categorical_cols):
        raise SegkitInputError(
            f"The label column '{roles.label_col}' is also a trait: segments would be built from the answer."
        )


_TEXT_WORDS = {"review", "reviews", "text", "comment", "comments", "body", "content", "description", "feedback",
               "message", "opinion", "remarks"}
_TEXT_CJK = re.compile(r"评论|内容|评价|留言")


def _named_like_text(column) -> bool:
    """'review', 'reviewText', 'comment_body' (a word of the name), never 'reviewerName'."""
    return bool(_TEXT_WORDS & set(_name_words(column))) or bool(_TEXT_CJK.search(str(column)))



def _broken_text_column(frame: pd.DataFrame, roles: ColumnRoles) -> str | None:
    """A column named like text ('review', 'comment'...) that is empty or one value in every row."""
    for column in frame.columns:
        if not _named_like_text(column) or column in (roles.numeric_cols + roles.categorical_cols):
            continue
        filled = frame[column].dropna().astype(str).str.strip()
        filled = filled[filled != ""]
        if filled.nunique() <= 1 and not _mostly_numeric(frame[column]):
            return str(column)
    return None


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
