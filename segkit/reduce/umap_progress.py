"""UMAP's layout rounds as progress of the open wait (segkit.waits), through UMAP's own tqdm bar.

UMAP reports nothing before its layout; its layout loop runs under tqdm, which UMAP
configures from `tqdm_kwds`. `layout_tqdm_kwds(prefix)` returns kwds that send that bar's
"done/total" to the open wait (phase `<prefix>.layout` from its first round on), or the
kwds that keep the bar off (UMAP's default when not verbose) when no wait is open.
A separate module so the reducers only gain one argument.
"""

from __future__ import annotations

import re

from segkit import waits

_COUNT = re.compile(r"(\d+)/(\d+)")
RAMP_ROUNDS = 2


class _RoundsSink:
    """A file for tqdm: each redraw ("\\r12/30") becomes progress of the layout phase."""

    def __init__(self, wait: waits.Wait, phase: str) -> None:
        self.wait, self.phase, self.entered = wait, phase, False

    def write(self, text: str) -> int:
        found = _COUNT.findall(text)
        if found:
            if not self.entered:
                self.wait.enter(self.phase)
                self.entered = True
            done, total = (int(x) for x in found[-1])
            # UMAP's first rounds touch few edges (an edge is first sampled at its own epoch):
            # measured here, rounds 0-2 of 30 took 2% of the layout. Work counts from there.
            self.wait.progress(max(done - RAMP_ROUNDS, 0), max(total - RAMP_ROUNDS, 1))
        return len(text)

    def flush(self) -> None:
        pass


def layout_tqdm_kwds(prefix: str) -> dict:
    """`tqdm_kwds` for umap.UMAP: layout rounds reported to the open wait, if one is open."""
    wait = waits.current()
    if wait is None:
        return {"disable": True}
    return {"disable": False, "file": _RoundsSink(wait, f"{prefix}.layout"), "bar_format": "{n}/{total}",
            "mininterval": 0.0, "miniters": 1, "leave": False}
