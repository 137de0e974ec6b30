"""Short automatic names built from keywords; people rename them in the dashboard."""

from __future__ import annotations

from segkit.tokenize import has_cjk


def auto_names(keywords: dict[int, list[tuple[str, float]]], n_terms: int = 2) -> dict[int, str]:
    names: dict[int, str] = {}
    used: set[str] = set()
    for segment in sorted(keywords):
        terms = [term for term, _ in keywords[segment]]
        name = _join(terms[:n_terms]) if terms else f"Segment {segment}"
        extra = n_terms
        while name in used and extra < len(terms):
            extra += 1
            name = _join(terms[:extra])
        if name in used:
            name = f"{name} ({segment})"
        used.add(name)
        names[segment] = name
    return names


def _join(terms: list[str]) -> str:
    if any(has_cjk(t) for t in terms):
        return "·".join(terms)
    return " / ".join(t.capitalize() if i == 0 else t for i, t in enumerate(terms))
