"""Short, distinct automatic names built from distinctive keywords; people rename them.

A name is one or two of a segment's keywords ("Strings & pedals", "Customer service").
No two segments' names share a word unless a segment has nothing else left: terms are
handed out greedily, strongest claim first, so a term goes to the segment it sets apart
most and the others fall back to their next term. Two names can therefore never be the
same words in another order ("Good / place" vs "Place / good"). Words on the blocklist
(segkit/describe/blocklist.txt: profanity and slurs, English and Chinese) and masked
words ("f***ing") never appear in a name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from segkit.describe.keywords import fold_word
from segkit.labels import default_name
from segkit.tokenize import has_cjk

BLOCKLIST_PATH = Path(__file__).with_name("blocklist.txt")
NAME_TERMS = 2  # keywords per name
CANDIDATES = 30  # keywords per segment considered for its name
_MASKED = re.compile(r"[^\W\d_][*#]+[^\W\d_]*|[*#]{2,}", re.UNICODE)


@lru_cache(maxsize=1)
def _blocklist() -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...], frozenset[str]]:
    """(whole English words, English prefixes, Chinese substrings, Chinese whole words)."""
    words, prefixes, cjk_parts, cjk_words = set(), [], [], set()
    for line in BLOCKLIST_PATH.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip().lower()
        if not entry:
            continue
        if has_cjk(entry):
            (cjk_parts.append(entry) if len(entry) > 1 else cjk_words.add(entry))
        elif entry.endswith("*"):
            prefixes.append(entry[:-1])
        else:
            words.add(entry)
    return frozenset(words), tuple(prefixes), tuple(cjk_parts), frozenset(cjk_words)


def is_blocked(term: str) -> bool:
    """Whether a keyword may not appear in a name (profanity, slurs, masked words)."""
    text = str(term).lower()
    if _MASKED.search(text):
        return True
    words, prefixes, cjk_parts, cjk_words = _blocklist()
    if any(part in text for part in cjk_parts):
        return True
    for token in re.split(r"[\s/&·,]+", text):
        if not token:
            continue
        bare = token.strip("'’-")
        if bare in words or bare in cjk_words or (bare.endswith("s") and bare[:-1] in words):
            return True
        if bare.startswith(prefixes):
            return True
    return False


def name_words(term: str) -> set[str]:
    """The words a name is made of, folded so "guitar" and "guitars" count as one."""
    out = set()
    for word in re.split(r"[\s/&·,]+", str(term).lower()):
        word = fold_word(word.strip("'’-"))
        if word:
            out.add(word)
    return out


def auto_names(keywords: dict[int, list[tuple[str, float]]], n_terms: int = NAME_TERMS) -> dict[int, str]:
    """{segment: name} from each segment's ranked (term, score) keywords, most distinctive first."""
    candidates = {s: [(t, float(v)) for t, v in keywords[s][:CANDIDATES] if not is_blocked(t)]
                  for s in keywords}
    # Claims are compared relative to each segment's best keyword, so a big segment's
    # larger z-scores do not win every word; equal claims go to the larger score.
    top = {s: max((v for _, v in terms), default=1.0) or 1.0 for s, terms in candidates.items()}
    offers = sorted(((v / top[s], v, -rank, s, t) for s, terms in candidates.items()
                     for rank, (t, v) in enumerate(terms) if v > 0), reverse=True)
    picked: dict[int, list[str]] = {s: [] for s in keywords}
    owner: dict[str, int] = {}
    for *_, segment, term in offers:
        if len(picked[segment]) >= n_terms:
            continue
        words = name_words(term)
        if any(owner.get(w, segment) != segment for w in words):
            continue  # another segment already named itself with this word
        if any(words & name_words(t) for t in picked[segment]):
            continue
        if picked[segment] and _word_count(picked[segment][0]) + _word_count(term) > 3:
            continue
        picked[segment].append(term)
        for w in words:
            owner[w] = segment
    names: dict[int, str] = {}
    for segment in sorted(keywords):
        terms = picked[segment] or [t for t, _ in candidates[segment][:1]]  # unavoidable: share a word
        name = _join(terms) if terms else default_name(segment)
        if name in names.values():
            name = f"{name} ({segment})"
        names[segment] = name
    return names


def _word_count(term: str) -> int:
    return len(str(term).split(" "))


def _join(terms: list[str]) -> str:
    if any(has_cjk(t) for t in terms):
        return "·".join(t.replace(" ", "") for t in terms)
    text = " & ".join(terms)
    return text[:1].upper() + text[1:]
