"""Which text encoding a file uses: BOMs, UTF-8, UTF-16 without a BOM, then GB18030 vs
Windows-1252/Latin-1 by plausibility. Binary data is refused with a message."""

from __future__ import annotations

from segkit.errors import SegkitInputError


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes, returning (text, encoding name). BOMs win; then UTF-8; then a guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16"), "utf-16"
    sample = data[:4096]
    # UTF-16 without a BOM: every other byte of ASCII text is NUL.
    if len(sample) >= 4 and sample.count(b"\x00") > len(sample) // 3:
        if sample[1:2] == b"\x00":
            return data.decode("utf-16-le"), "utf-16-le"
        if sample[0:1] == b"\x00":
            return data.decode("utf-16-be"), "utf-16-be"
    if b"\x00" in sample:
        raise SegkitInputError(
            "The file contains binary data (NUL bytes); it is not a text table."
        )
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = _guess_legacy_encoding(data)
    _refuse_binary_text(text)
    return text, encoding


def _refuse_binary_text(text: str) -> None:
    """Binary data without NUL bytes decodes as Latin-1 'text' full of control characters."""
    sample = text[:65536]
    if not sample:
        return
    controls = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f\v") or 0x7F <= ord(ch) <= 0x9F)
    if controls > max(2, 0.01 * len(sample)):
        raise SegkitInputError(
            f"The file looks binary ({controls} control characters in its first {len(sample):,}), "
            f"not a text table. Upload a CSV, Excel, Parquet or JSON Lines file."
        )


def _guess_legacy_encoding(data: bytes) -> tuple[str, str]:
    """Choose between GB18030 (Chinese Excel exports) and Windows-1252/Latin-1.

    Latin-1 bytes often also decode as GB18030, as nonsense CJK. Chinese text decodes
    to mostly common Han characters; mis-decoded Latin-1 yields many rare ones. We score
    each candidate by the share of its non-ASCII characters that are common letters.
    """
    best = None  # (score, encoding, text): one decoded text held at a time
    for encoding in ("gb18030", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _plausibility(text, encoding)
        if best is None or score > best[0]:
            best = (score, encoding, text)
        del text
    if best is None:  # latin-1 decodes anything, so this is unreachable in practice
        raise SegkitInputError("Could not work out the file's text encoding; save it as UTF-8.")
    return best[2], best[1]


def _plausibility(text: str, encoding: str) -> float:
    non_ascii = [i for i, ch in enumerate(text) if ord(ch) > 127]
    if not non_ascii:
        return 1.0
    if encoding == "gb18030":
        common = sum(1 for i in non_ascii if _is_common_cjk(text[i]))
        # GB18030 also decodes odd byte pairs to rare characters: demand mostly common ones.
        return common / len(non_ascii) - 0.3
    letters = sum(1 for i in non_ascii if text[i].isalpha() or text[i] in "€£¥°·–—‘’“”…«»¿¡")
    # Accented letters in European text sit between ASCII letters; Chinese bytes read as
    # Latin-1 come out as long runs of accented letters.
    positions = set(non_ascii)
    in_runs = sum(1 for i in non_ascii if i - 1 in positions or i + 1 in positions)
    return letters / len(non_ascii) * (1 - in_runs / len(non_ascii))


def _is_common_cjk(ch: str) -> bool:
    code = ord(ch)
    return 0x4E00 <= code <= 0x9FA5 or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF
