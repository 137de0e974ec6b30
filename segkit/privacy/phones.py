"""Phone numbers, found with Google's libphonenumber rules (the `phonenumbers` package).

Its matcher knows each country's number plan, so "2024-03-05", "12/05/2023", "$1,299.99"
and a 9-digit order number are not phone numbers while "(415) 555-2671", "020 7946 0958"
and "010-12345678" are. A national number is read in each of `DEFAULT_REGIONS` (a
number with "+" anywhere); only texts with a run of seven or more digits are parsed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import phonenumbers

from segkit.privacy.patterns import Span, _is_reference

DEFAULT_REGIONS = ("US", "GB", "CN")
_SEVEN_DIGITS = re.compile(r"\d(?:[\s().\-]{0,3}\d){6}")
# Eight digits in a row that read as a date ("20120723-25", a date range in a title): a
# phone number is written with separators, and no national number starts 19/20 + a date.
_COMPACT_DATE = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")


def has_digit_run(text: str) -> bool:
    return _SEVEN_DIGITS.search(text) is not None


def find_phones(text: str, regions: Sequence[str] = DEFAULT_REGIONS) -> list[Span]:
    """Spans of phone numbers valid in one of `regions`, excluding reference numbers."""
    if not has_digit_run(text):
        return []
    taken: list[Span] = []
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID):
            span = (match.start, match.end)
            if any(s < span[1] and span[0] < e for s, e in taken) or _is_reference(text, span[0]):
                continue
            if _COMPACT_DATE.match(match.raw_string):
                continue
            taken.append(span)
    return sorted(taken)
