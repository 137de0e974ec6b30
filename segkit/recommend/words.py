"""The words of the cold-start and leakage-free evaluation live in segkit/words/*.toml
under "rec."; `say(key, lang, **values)` fills one (keys without the prefix)."""

from __future__ import annotations

from segkit.i18n import t


def say(key: str, lang: str = "en", **values) -> str:
    return t(f"rec.{key}", lang, **values)
