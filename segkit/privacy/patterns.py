"""Finders for personal data with a fixed shape: e-mail, URL query, @handle, IBAN, card,
ID numbers and Chinese mobile numbers. Each returns the (start, end) spans it found.

Numbers are only taken when their checksum holds (python-stdnum: Luhn for cards, mod-97
and the country's length for IBANs, the check digit and birth date of a Chinese resident
ID, the issuing rules of a US SSN), so prices, dates, order numbers and ISBNs stay.
"""

from __future__ import annotations

import re

from stdnum import iban as _iban
from stdnum import luhn as _luhn
from stdnum.cn import ric as _cn_ric
from stdnum.us import ssn as _us_ssn

Span = tuple[int, int]

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}[@＠]"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
    r"\.[A-Za-z]{2,24}(?![A-Za-z0-9-])")
# A link whose query holds key=value pairs: tokens, ids and addresses live there. ASCII only,
# so Chinese text right after a link is not swallowed.
_URL_QUERY = re.compile(r"(?:https?://|www\.)[A-Za-z0-9\-._~:/#\[\]@!$&'()*+,;=%]*\?"
                        r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*=[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*",
                        re.IGNORECASE)
_URL_TRAILING = ".,;:!?)]'\""
# Twitter/Instagram-style handles, and Weibo's, which may be Chinese.
_HANDLE = re.compile(r"(?<![A-Za-z0-9_.\-@＠\]$*&#%])[@＠]([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?"
                     r"|[\u4e00-\u9fffA-Za-z0-9_\-]{2,20})")
_NOT_A_HANDLE = re.compile(r"\d+(?:[.:]\d+)?(?:am|pm|h|hrs?|x|k|ish)?|\d+%?", re.IGNORECASE)

_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{1,4}){3,8}(?![A-Za-z0-9])")
_CARD = re.compile(r"(?<![\d.,-])\d(?:[ -]?\d){12,18}(?![\d-]|[.,]\d)")
_CARD_GROUPS = ((4, 4, 4, 4), (4, 4, 4, 4, 3), (4, 6, 5), (4, 6, 4), (4, 4, 4, 1), (4, 4, 4, 2), (4, 4, 4, 3))
_CN_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_US_SSN = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")
_CN_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
# Words that make the number after them a reference, not a card or phone: order, tracking,
# serial, model and part numbers, ISBN/ASIN/UPC codes, invoices (and their Chinese names).
REFERENCE_BEFORE = re.compile(
    r"(?:order|tracking|invoice|serial|sku|isbn|asin|upc|ean|model|part|item|ref|reference|"
    r"confirmation|receipt|ticket|case|account|acct|订单|单号|编号|型号|货号|流水号)"
    r"\s*(?:no\.?|nr\.?|number|num|id|code|#|:|：|号)?\s*[#:：]?\s*$|#\s*$",
    re.IGNORECASE)


_LINK = re.compile(r"https?://|www\.|\.[a-z]{2,6}/", re.IGNORECASE)


def _is_reference(text: str, start: int) -> bool:
    """Whether the number at `start` is a reference (after "order #", "ISBN"...) or part of
    a link's path ("example.com/post/2983024079"), not a card or phone number."""
    if REFERENCE_BEFORE.search(text[max(0, start - 24):start]):
        return True
    token_start = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
    return _LINK.search(text[token_start:start]) is not None


def find_emails(text: str) -> list[Span]:
    if "@" not in text and "＠" not in text:
        return []
    return [m.span() for m in _EMAIL.finditer(text)]


def find_url_queries(text: str) -> list[Span]:
    if "?" not in text:
        return []
    spans = []
    for match in _URL_QUERY.finditer(text):
        start, end = match.span()
        while end > start and text[end - 1] in _URL_TRAILING:
            if text[end - 1] == ")" and text[start:end].count("(") >= text[start:end].count(")"):
                break  # a link's own parentheses stay
            end -= 1
        if "=" in text[start:end]:
            spans.append((start, end))
    return spans


def find_handles(text: str) -> list[Span]:
    if "@" not in text and "＠" not in text:
        return []
    spans = []
    for match in _HANDLE.finditer(text):
        name = match.group(1)
        # "@5pm", "@10", "@ 3.5" are times and prices written with "at".
        if len(name) < 2 or _NOT_A_HANDLE.fullmatch(name) or not any(c.isalpha() for c in name):
            continue
        spans.append(match.span())
    return spans


def find_ibans(text: str) -> list[Span]:
    spans = []
    for match in _IBAN.finditer(text):
        # The pattern may run into the next capitalised word: keep the longest valid prefix.
        start = match.start()
        parts = match.group().split(" ")
        for n in range(len(parts), 0, -1):
            candidate = " ".join(parts[:n])
            if len(candidate.replace(" ", "")) >= 15 and _iban.is_valid(candidate):
                spans.append((start, start + len(candidate)))
                break
    return spans


def _card_prefix_ok(digits: str) -> bool:
    """Issuer prefixes of the major card networks (Visa, Mastercard, Amex, Discover, JCB,
    Diners, UnionPay, Maestro): a Luhn-valid number from another range is something else."""
    two, four = int(digits[:2]), int(digits[:4])
    return (digits[0] == "4" or 51 <= two <= 55 or 2221 <= four <= 2720 or two in (34, 37)
            or digits.startswith(("6011", "65", "62", "36", "38", "50", "56", "57", "58", "67"))
            or 644 <= int(digits[:3]) <= 649 or 3528 <= four <= 3589 or 300 <= int(digits[:3]) <= 305)


def find_cards(text: str) -> list[Span]:
    spans = []
    for match in _CARD.finditer(text):
        raw = match.group()
        digits = re.sub(r"\D", "", raw)
        groups = tuple(len(g) for g in re.split(r"[ -]", raw))
        if len(groups) > 1 and (groups not in _CARD_GROUPS or len(set(re.findall(r"[ -]", raw))) > 1):
            continue  # "1234 56 7890 1234 5": digits that happen to sit together
        if len(set(digits)) < 2 or not _card_prefix_ok(digits) or not _luhn.is_valid(digits):
            continue
        if _is_reference(text, match.start()):
            continue
        spans.append(match.span())
    return spans


def find_id_numbers(text: str) -> list[Span]:
    """Chinese resident ID numbers (18 characters, birth date and check digit) and US SSNs."""
    spans = [m.span() for m in _CN_ID.finditer(text) if _cn_ric.is_valid(m.group())]
    if "-" in text:
        spans += [m.span() for m in _US_SSN.finditer(text) if _us_ssn.is_valid(m.group())]
    return sorted(spans)


def find_cn_mobiles(text: str) -> list[Span]:
    return [m.span() for m in _CN_MOBILE.finditer(text) if not _is_reference(text, m.start())]
