"""A wait's progress in words (segkit/words/*.toml, keys "wait.*"): for the dashboard's bars and the CLI's line."""

from __future__ import annotations

from segkit.i18n import has, t
from segkit.waits import WaitStatus


def seconds_words(seconds: float | None, lang: str = "en") -> str:
    """'about 12 s', 'about 3 min', 'under a second' (or 'unknown')."""
    if seconds is None:
        return t("common.secs_unknown", lang)
    if seconds < 1:
        return t("common.secs_under_one", lang)
    if seconds < 90:
        return t("common.secs_seconds", lang, n=f"{seconds:.0f}")
    return t("common.secs_minutes", lang, n=f"{seconds / 60:.0f}")


def phase_words(phase: str | None, lang: str = "en") -> str:
    """What a phase does, e.g. 'reading rows' for "read.parse" ('' for a phase without words)."""
    if not phase:
        return ""
    if phase.startswith("embed."):
        name = "embed.load" if phase.endswith(".load") else "embed"
    else:
        name = "cluster.fit" if phase.startswith("cluster.fit.") else phase
    key = "wait.phase." + name.replace(".", "_")
    return t(key, lang) if has(key, lang) or has(key) else ""


def status_line(title: str, status: WaitStatus, lang: str = "en") -> str:
    """'<title> · <phase> · about 12 s left' for a progress bar."""
    doing = phase_words(status.phase, lang)
    if doing and doing.lower() in title.lower():  # "Embedding 1,000 texts…" needs no "· embedding"
        doing = ""
    key = "wait.line_overrun" if status.overrun else "wait.line"
    return t(key, lang, title=title.removesuffix("…"), phase=f" · {doing}" if doing else "",
             left=seconds_words(status.left, lang))
