"""Review-level rows -> one row per user, keeping the link back to every row.

A user's text vector is later the mean of their reviews' vectors; here we collect the
texts, aggregate traits (numeric: mean, plus n_reviews; categorical: mode) and record,
for every input row, which user it belongs to and why it may not be usable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from segkit.errors import SegkitInputError
from segkit.io.roles import ColumnRoles, validate_roles
from segkit.privacy import PersonalDataCounts, scan_texts

MAX_TEXT_CHARS = 20_000  # longer texts are cut: no embedder reads past a few hundred tokens


@dataclass(frozen=True)
class UserTable:
    """Users (one row each) and the mapping from input rows to users."""

    users: pd.DataFrame  # index 0..n_users-1; columns: user_id, n_reviews, traits, label
    row_user: np.ndarray  # for each input row: its user index, or -1 if the row has no user id
    row_texts: list[str]  # cleaned text per input row ("" when empty)
    row_status: np.ndarray  # per input row: "" if usable, else the reason (object array)
    roles: ColumnRoles
    notes: tuple[str, ...]
    # Personal data found in the texts (counts by kind, never the values); whether
    # `row_texts` hold the masked texts ("[EMAIL]"), and what each row held.
    personal_data: PersonalDataCounts = field(default_factory=PersonalDataCounts)
    texts_masked: bool = False
    row_personal_data: tuple[dict, ...] = ()
    # Derived values computed once per table (a K change re-describes the same users).
    _derived: dict = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def n_users(self) -> int:
        return len(self.users)

    @property
    def n_rows(self) -> int:
        return len(self.row_user)

    def user_has_text(self) -> np.ndarray:
        has = np.zeros(self.n_users, dtype=bool)
        ok = (self.row_user >= 0) & np.array([bool(t) for t in self.row_texts])
        has[self.row_user[ok]] = True
        return has

    def membership_matrix(self, row_mask: np.ndarray | None = None) -> sp.csr_matrix:
        """(n_users x n_rows) 0/1 matrix of which rows belong to which user."""
        mask = self.row_user >= 0
        if row_mask is not None:
            mask &= row_mask
        rows = np.flatnonzero(mask)
        return sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (self.row_user[rows], rows)),
            shape=(self.n_users, self.n_rows),
        )

    def text_language(self) -> str:
        """'zh' when the texts are mostly Chinese, else 'en' (for personas; computed once)."""
        if "language" not in self._derived:
            from segkit.io.language import MOSTLY_CHINESE, detect_language

            label = detect_language([t for t in self.row_texts if t], sample_size=500).label
            self._derived["language"] = "zh" if label == MOSTLY_CHINESE else "en"
        return self._derived["language"]

    def mean_vectors(self, row_vectors: np.ndarray, row_mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The users with at least one row in `row_mask`, and the mean of those rows' vectors
        for each of them (float32): a user's text vector, for the pipeline, saved models and Spark's tests."""
        membership = self.membership_matrix(row_mask)
        counts = np.asarray(membership.sum(axis=1)).ravel()
        user_index = np.flatnonzero(counts > 0)
        sums = membership[user_index] @ row_vectors
        return user_index, (sums / counts[user_index][:, None]).astype(np.float32)

    def user_texts(self, max_chars: int = 5000) -> list[str]:
        """All of a user's texts joined, for keywords and display (a new list; built once)."""
        key = ("user_texts", int(max_chars))
        if key not in self._derived:
            joined: list[list[str]] = [[] for _ in range(self.n_users)]
            for user, text in zip(self.row_user, self.row_texts, strict=True):
                if user >= 0 and text:
                    joined[user].append(text)
            self._derived[key] = tuple("\n".join(parts)[:max_chars] for parts in joined)
        return list(self._derived[key])


def clean_text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    text = str(value).replace("\x00", " ").strip()
    return text[:MAX_TEXT_CHARS]


def _longer_than_limit(value) -> bool:
    return isinstance(value, str) and len(value) > MAX_TEXT_CHARS


# No real trait (age, spend, counts) comes near this; beyond it, means and variances of a
# column overflow float64 and would turn every user's features into NaN.
MAX_TRAIT_MAGNITUDE = 1e100


def usable_numbers(values: np.ndarray) -> np.ndarray:
    """True where a value is finite and small enough to average and scale."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (np.abs(values) <= MAX_TRAIT_MAGNITUDE)


def numeric_values(series: pd.Series) -> tuple[pd.Series, int]:
    """Coerce to float; text cells, inf and absurd magnitudes become NaN.
    Returns (values, cells that were bad)."""
    raw_missing = series.isna()
    values = pd.to_numeric(series, errors="coerce").astype(float)
    values = values.where(usable_numbers(values.to_numpy()))
    bad = int((values.isna() & ~raw_missing).sum())
    return values, bad


def prepare_users(frame: pd.DataFrame, roles: ColumnRoles, mask_personal_data: bool = True) -> UserTable:
    """One row per user from review-level `frame`.

    With `mask_personal_data` (the default) e-mail addresses, phone numbers and the other
    kinds of `segkit.privacy` are replaced by placeholders in `row_texts`, so embedding,
    keywords and every example shown see "[EMAIL]", never the address; the counts by kind
    are in `personal_data` either way.
    """
    validate_roles(frame, roles)
    n_rows = len(frame)
    if n_rows == 0:
        raise SegkitInputError("The table has no rows.")
    notes: list[str] = []

    if roles.text_cols:
        too_long = sum(int(frame[c].map(_longer_than_limit).sum()) for c in roles.text_cols)
        if too_long:
            notes.append(
                f"{too_long} text cell(s) longer than {MAX_TEXT_CHARS:,} characters were cut to that length"
            )
        parts = [frame[c].map(clean_text) for c in roles.text_cols]
        texts = parts[0]
        for extra in parts[1:]:
            texts = texts.str.cat(extra, sep="\n").str.strip()
        row_texts = texts.tolist()
    else:
        row_texts = [""] * n_rows
    scanned = scan_texts(row_texts)
    if mask_personal_data:
        row_texts = list(scanned.masked)
    status = np.array(["" for _ in range(n_rows)], dtype=object)
    if roles.text_cols and not roles.vector_cols:
        empty = np.array([not t for t in row_texts])
        status[empty] = "empty text"
        if empty.all():
            raise SegkitInputError(
                f"Every row's text is empty in {', '.join(roles.text_cols)}: nothing to segment."
            )

    if roles.user_col:
        ids = frame[roles.user_col]
        missing_id = ids.isna() | (ids.astype(str).str.strip() == "")
        status[missing_id.to_numpy()] = "missing user id"
        id_strings = ids.astype(str).str.strip().where(~missing_id)
        codes, uniques = pd.factorize(id_strings, sort=False)
        row_user = codes.astype(np.int64)  # -1 where the id is missing
        user_ids = pd.Series(uniques.astype(str), name="user_id")
        if missing_id.any():
            notes.append(f"{int(missing_id.sum())} row(s) have no user id and are left unsegmented")
    else:
        row_user = np.arange(n_rows, dtype=np.int64)
        user_ids = pd.Series([str(i) for i in range(n_rows)], name="user_id")

    n_users = len(user_ids)
    if n_users == 0:
        raise SegkitInputError(f"No row has a user id in '{roles.user_col}'.")
    valid = row_user >= 0
    users = pd.DataFrame({"user_id": user_ids})
    users["n_reviews"] = np.bincount(row_user[valid], minlength=n_users)

    grouped_index = row_user[valid]
    for column in roles.numeric_cols:
        if column in roles.derived_traits:
            continue  # computed below from the time and amount columns
        values, bad = numeric_values(frame[column])
        if bad:
            notes.append(f"numeric column '{column}': {bad} cell(s) were not numbers (or were infinite or beyond ±1e100) and are treated as missing")
        sums = np.bincount(grouped_index, weights=np.nan_to_num(values.to_numpy()[valid]), minlength=n_users)
        counts = np.bincount(grouped_index, weights=values.notna().to_numpy()[valid].astype(float), minlength=n_users)
        with np.errstate(invalid="ignore", divide="ignore"):
            users[column] = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
        if values.notna().sum() == 0:
            raise SegkitInputError(f"Numeric column '{column}' has no numbers in it; unmap it or fix the file.")
    if roles.derived_traits:
        from dataclasses import replace

        from segkit.io.rfm import rfm_traits

        amounts, _bad = numeric_values(frame[roles.amount_col])
        derived, note = rfm_traits(frame, roles, row_user, n_users, amounts)
        for column in derived.columns:
            users[column] = derived[column].to_numpy()
        notes.append(note)
        # The table's roles name the derived traits as numeric ones, so every later stage
        # (fusion, profiles, exports, rules) treats them like the file's own traits.
        roles = replace(roles, numeric_cols=(*[c for c in roles.numeric_cols if c not in derived.columns],
                                             *derived.columns))
    for column in roles.categorical_cols + ((roles.label_col,) if roles.label_col else ()):
        if column in users.columns:
            continue
        users[column] = _mode_per_user(frame[column], row_user, n_users)
    if roles.user_col and (roles.numeric_cols or roles.categorical_cols):
        conflicts = _count_conflicting_users(frame, roles, row_user)
        if conflicts:
            notes.append(
                f"{conflicts} user(s) have different trait values on different rows; numeric traits are averaged, categories take the most common value"
            )
    return UserTable(users, row_user, row_texts, status, roles, tuple(notes), scanned.counts,
                     mask_personal_data, scanned.found)


def _mode_per_user(series: pd.Series, row_user: np.ndarray, n_users: int) -> pd.Series:
    valid = (row_user >= 0) & series.notna().to_numpy()
    if not valid.any():
        return pd.Series([None] * n_users, dtype=object)
    pairs = pd.DataFrame({"u": row_user[valid], "v": series.astype(str).to_numpy()[valid]})
    counts = pairs.groupby(["u", "v"], sort=True).size().reset_index(name="n")
    # Highest count wins; ties go to the value seen first alphabetically (deterministic).
    counts = counts.sort_values(["u", "n", "v"], ascending=[True, False, True])
    best = counts.drop_duplicates("u").set_index("u")["v"]
    return pd.Series(best.reindex(range(n_users)).to_numpy(), dtype=object)


def _count_conflicting_users(frame: pd.DataFrame, roles: ColumnRoles, row_user: np.ndarray) -> int:
    """Users whose user-level traits (age, region...) differ between their rows.

    Review-level columns (a rating per review) vary by nature and are not conflicts: a
    column counts as user-level when at least 90% of users have a single value in it.
    """
    columns = [c for c in (*roles.numeric_cols, *roles.categorical_cols) if c not in roles.derived_traits]
    if not columns:
        return 0
    sub = frame[columns].copy()
    sub["__u"] = row_user
    sub = sub[sub["__u"] >= 0]
    distinct = sub.groupby("__u")[columns].nunique(dropna=True)
    user_level = [c for c in columns if (distinct[c] <= 1).mean() >= 0.9]
    if not user_level:
        return 0
    return int((distinct[user_level] > 1).any(axis=1).sum())
