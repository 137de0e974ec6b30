"""segkit's own words in English and Simplified Chinese, loaded from segkit/words/*.toml.

`t(key, lang, **fmt)` looks a message up (falling back to English, then to the key
itself) and fills its `{placeholders}` with `str.format`. Every key exists in both
languages with the same placeholders (tests/test_i18n.py).

Only segkit's words are translated: uploaded data, column names, segment names and
keywords are shown as they are. `chart_phrase` translates the fixed English words that
segkit.plots puts into charts (whole strings only, never inside user data).
No Streamlit here: the library stays importable anywhere.
"""

from __future__ import annotations

import re
import string
import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "简体中文"}
DEFAULT_LANGUAGE = "en"
WORDS_DIR = Path(__file__).with_name("words")


@cache
def _words(lang: str) -> dict:
    # Read once per process: the files ship with the package and never change under it.
    with open(WORDS_DIR / f"{lang}.toml", "rb") as handle:
        return tomllib.load(handle)


def messages(lang: str | None = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Every message of `lang` (key -> text)."""
    return _words(normalize_lang(lang))["messages"]


def normalize_lang(lang: str | None) -> str:
    """A supported language code for `lang` ('zh-CN', 'zh_Hans', '中文' -> 'zh'); English otherwise."""
    if not lang:
        return DEFAULT_LANGUAGE
    value = str(lang).strip().lower()
    if value in LANGUAGES:
        return value
    if value.startswith("zh") or value in ("中文", "简体中文", "chinese"):
        return "zh"
    return DEFAULT_LANGUAGE


def t(key: str, lang: str | None = DEFAULT_LANGUAGE, **fmt) -> str:
    """The message `key` in `lang`, formatted with `fmt` (English, then the key, if missing)."""
    text = messages(lang).get(key)
    if text is None:
        text = messages(DEFAULT_LANGUAGE).get(key, key)
    return text.format(**fmt) if fmt else text


def has(key: str, lang: str | None = DEFAULT_LANGUAGE) -> bool:
    return key in messages(lang)


def placeholders(text: str) -> set[str]:
    """The `{names}` a message expects (format specs and conversions ignored)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


def chart_phrase(text: str, lang: str | None) -> str:
    """`text` in `lang` when it is one of segkit.plots' fixed chart phrases; otherwise unchanged."""
    lang = normalize_lang(lang)
    if lang == DEFAULT_LANGUAGE or not isinstance(text, str):
        return text
    words = _words(lang)
    phrases = words.get("chart_phrases", {})
    if text in phrases:
        return phrases[text]
    for pattern, replacement in words.get("chart_patterns", {}).get("patterns", []):
        if re.fullmatch(pattern, text):
            return re.sub(pattern, replacement, text)
    return text


LANGUAGE_LABEL_KEYS = {
    "mostly Chinese": "lang.mostly_chinese",
    "mixed Chinese/English": "lang.mixed",
    "mostly English/Latin": "lang.mostly_latin",
    "mostly other scripts": "lang.other",
}


def language_label(label: str, lang: str | None) -> str:
    """segkit.io.language's label ('mostly Chinese'...) in `lang`."""
    key = LANGUAGE_LABEL_KEYS.get(label)
    return t(key, lang) if key else label


__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "chart_phrase", "has", "language_label", "messages",
           "normalize_lang", "placeholders", "t"]
