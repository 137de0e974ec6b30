"""Names for segments made without text, from the traits that set them apart.

"High spend · frequent", "Recent · gold": one or two of the segment's most distinctive
traits, strongest first. A numeric trait counts by how many standard deviations the
segment's mean is from everyone's (|z| of `numeric_profile`, at least MIN_Z); a category
value by its lift, when most of the segment holds it and it is clearly over-represented.
RFM traits and review counts get the words a marketer uses ("recent", "lapsed",
"frequent", "one-off"); other traits read "High <trait>" / "Low <trait>".
"""

from __future__ import annotations

import pandas as pd

from segkit.labels import default_name

MIN_Z = 0.3  # a smaller difference is not what sets a segment apart
MIN_SHARE, MIN_LIFT = 0.5, 1.3  # a category value: held by most of the segment, and 30% above everyone
NAME_TERMS = 2
# (word when the segment is above everyone, word when below) for traits with a usual name.
_WORDS = {
    "recency_days": ("lapsed", "recent"),
    "frequency": ("frequent", "occasional"),
    "monetary": ("high spend", "low spend"),
    "n_reviews": ("many rows", "few rows"),
    "age": ("older", "younger"),
}


def _trait_word(trait: str, z: float) -> str:
    if trait in _WORDS:
        return _WORDS[trait][0 if z > 0 else 1]
    words = str(trait).replace("_", " ").strip()
    return f"{'high' if z > 0 else 'low'} {words}"


def _candidates(segment: int, profile: pd.DataFrame, categorical_lift: dict[str, pd.DataFrame]) -> list[tuple[float, str]]:
    """(strength, words) for a segment, strongest first."""
    out: list[tuple[float, str]] = []
    if profile is not None and not profile.empty and segment in profile.index:
        for trait, z in profile["z"].loc[segment].items():
            z = float(z)
            if z == z and abs(z) >= MIN_Z:
                out.append((abs(z), _trait_word(str(trait), z)))
    for column, lift in categorical_lift.items():
        rows = lift[(lift["segment"] == segment) & (lift["share"] >= MIN_SHARE) & (lift["lift"] >= MIN_LIFT)]
        for _, row in rows.iterrows():
            value = str(row["value"])
            if value != "(missing)" and len(value) <= 24:
                words = value if not value.replace(".", "").isdigit() else f"{column} {value}"
                # A share 30% above everyone's weighs like a third of a standard deviation.
                out.append((float(row["lift"]) - 1.0, words))
    out.sort(key=lambda item: -item[0])
    return out


def trait_names(segments, profile: pd.DataFrame, categorical_lift: dict[str, pd.DataFrame]) -> dict[int, str]:
    """{segment: name} from traits; distinct names (a third term, else the id, breaks a tie)."""
    names: dict[int, str] = {}
    for segment in sorted(int(s) for s in segments):
        terms = [words for _, words in _candidates(segment, profile, categorical_lift)]
        if not terms:
            names[segment] = default_name(segment)
            continue
        name = _join(terms[:NAME_TERMS])
        if name in names.values() and len(terms) > NAME_TERMS:
            name = _join(terms[:NAME_TERMS + 1])
        if name in names.values():
            name = f"{name} ({segment})"
        names[segment] = name
    return names


def _join(terms: list[str]) -> str:
    text = " · ".join(terms)
    return text[:1].upper() + text[1:]
