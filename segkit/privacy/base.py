"""The kinds of personal data segkit finds in texts, their placeholders, and the counts.

A found value is replaced by its kind's placeholder ("[EMAIL]"): the same for every value,
so no segment can form around one address, and a reader sees that something was there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# In the order they are masked: a URL's query may hold an e-mail address, an IBAN's digits
# look like a card number, and an ID number holds a phone-like run of digits.
KINDS = ("url", "email", "iban", "id", "card", "phone", "handle")
PLACEHOLDERS = {
    "url": "[URL]",
    "email": "[EMAIL]",
    "iban": "[IBAN]",
    "id": "[ID]",
    "card": "[CARD]",
    "phone": "[PHONE]",
    "handle": "[HANDLE]",
}
# Tokenizers drop placeholders: "[PHONE]" must not count as the word "phone" in keywords.
PLACEHOLDER_PATTERN = re.compile(r"\[(?:URL|EMAIL|IBAN|ID|CARD|PHONE|HANDLE)\]")


@dataclass(frozen=True)
class PersonalDataCounts:
    """How many values of each kind were found, and in how many texts; never the values."""

    counts: tuple[tuple[str, int], ...] = ()  # (kind, count) in KINDS order, kinds found only
    n_texts: int = 0  # texts looked at
    n_texts_with_any: int = 0  # texts holding at least one value

    @property
    def by_kind(self) -> dict[str, int]:
        return dict(self.counts)

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)

    @classmethod
    def from_found(cls, found: Iterable[Mapping[str, int]], n_texts: int) -> PersonalDataCounts:
        """Sum per-text counts ({kind: n} per text, empty when none)."""
        totals = dict.fromkeys(KINDS, 0)
        with_any = 0
        for per_text in found:
            if per_text:
                with_any += 1
                for kind, n in per_text.items():
                    totals[kind] += n
        return cls(tuple((k, totals[k]) for k in KINDS if totals[k]), n_texts, with_any)

    def to_dict(self) -> dict:
        return {"by_kind": self.by_kind, "n_texts": self.n_texts, "n_texts_with_any": self.n_texts_with_any}
