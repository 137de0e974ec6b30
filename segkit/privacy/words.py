"""What the privacy stage says to people: its words live in segkit/words/*.toml under
"privacy."; these helpers put the counts into sentences (counts only, never values)."""

from __future__ import annotations

from segkit.i18n import t
from segkit.privacy.base import KINDS, PersonalDataCounts


def word(key: str, lang: str = "en", **values) -> str:
    return t(key, lang, **values)


def kinds_text(counts: PersonalDataCounts, lang: str = "en") -> str:
    """'e-mail addresses 3, phone numbers 1' (KINDS order; counts only, never values)."""
    sep = "，" if lang == "zh" else ", "
    by_kind = counts.by_kind
    return sep.join(f"{word(f'privacy.kind.{k}', lang)} {by_kind[k]:,}" for k in KINDS if by_kind.get(k))


def personal_data_lines(counts: PersonalDataCounts, masked: bool, lang: str = "en") -> list[str]:
    """What a data report shows: what was found, by kind, and whether it is masked."""
    if not counts.total:
        return [word("privacy.none", lang, n=f"{counts.n_texts:,}")]
    return [word("privacy.found", lang, with_any=f"{counts.n_texts_with_any:,}", n=f"{counts.n_texts:,}",
                 kinds=kinds_text(counts, lang)),
            word("privacy.masked" if masked else "privacy.kept", lang)]


def personal_data_summary(counts: PersonalDataCounts, masked: bool, lang: str = "en") -> str:
    return " ".join(personal_data_lines(counts, masked, lang))
