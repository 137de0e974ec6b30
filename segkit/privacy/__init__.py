"""Personal data in review texts: find it, count it by kind, mask it.

`mask(text)` replaces e-mail addresses, phone numbers (English and Chinese formats),
card and IBAN numbers, ID numbers (Chinese resident ID, US SSN), links with a query
string and @handles with a placeholder per kind ("[EMAIL]"); `detect(texts)` counts them.
`segkit.io.prepare_users` masks every text before anything embeds or shows it (on by
default); exports keep the original text unless masking is chosen.
"""

from segkit.privacy.base import KINDS, PLACEHOLDER_PATTERN, PLACEHOLDERS, PersonalDataCounts
from segkit.privacy.masking import ScannedTexts, detect, mask, mask_counted, mask_frame, scan_texts

__all__ = ["KINDS", "PLACEHOLDERS", "PLACEHOLDER_PATTERN", "PersonalDataCounts", "ScannedTexts",
           "detect", "mask", "mask_counted", "mask_frame", "scan_texts"]
