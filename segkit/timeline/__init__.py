"""Segments over time: sizes per period, movers between periods, and drift warnings.

A time column is named explicitly (`time_col`, `--time-col`) or guessed from its name
(`guess_time_col`); `periods` parses it and picks the period length, `movers` lets a saved
model (segkit.model) assign each period's users, `drift` flags grown/faded segments and
users that fit no segment.
"""

from segkit.timeline.drift import DriftReport, drift_report, share_shifts
from segkit.timeline.movers import Moves, assign_by_period, assign_frame, movers, sizes_of
from segkit.timeline.periods import (
           choose_freq,
           guess_time_col,
           parse_times,
           period_of,
           sizes_by_period,
           sizes_for_run,
)

__all__ = ["DriftReport", "Moves", "assign_by_period", "assign_frame", "choose_freq", "drift_report",
           "guess_time_col", "movers", "parse_times", "period_of", "share_shifts", "sizes_by_period",
           "sizes_for_run", "sizes_of"]
