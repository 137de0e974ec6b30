"""The explanations' words live in segkit/words/*.toml under "explain."; `tr` fills one."""

from __future__ import annotations

from segkit.i18n import t


def tr(key: str, lang: str | None = "en", **fmt) -> str:
    """The message `key` in `lang` ('en' or 'zh'), its {placeholders} filled."""
    return t(key, lang, **fmt)
