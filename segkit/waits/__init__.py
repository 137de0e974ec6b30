"""Honest waiting: a step's progress and time left, from a cost model and the step's own progress.

A wait is a list of phases (`segkit.waits.plans` makes them), each with the seconds its
cost model expects on this machine (`segkit.waits.costs`: constants measured here,
corrected by what earlier runs measured). The library says which phase it enters
(`phase("umap.layout")`) and, where it has a loop, how far it is (`progress(done,
total)`); both do nothing when no wait is open, so the library runs the same without
one. A caller (the dashboard, the CLI, a benchmark) opens a wait with `waiting(wait)` in
the thread that does the work and reads `wait.status()` from anywhere.

The time left (`Wait.status`, one rule for every wait):

* the phase running now: once it has reported progress, from its own rate over the
  progress measured so far less its first `RATE_SKIP` (so loading a model or a filling
  pipeline does not skew it),
  blended in over its first `TRUST_AFTER` of progress and `TRUST_AFTER_TIME` of its
  expected time (two quick first steps are no rate); before that, its expected seconds
  less the time it has run, scaled by the speed measured so far;
* the phases after it: their expected seconds times the speed measured so far (actual /
  expected over the finished phases and the current one's measured part), shrunk
  towards the cost model's by `PRIOR_WEIGHT` (a share of the whole wait);
* a phase that ends in under `SKIPPED_BELOW` of its expected time without reporting
  progress through its work found its result cached (a word count, a tree) and is left
  out of the speed (and of what the machine learns);
* a phase that overruns every estimate shows `OVERRUN_SHARE` of its time so far as left,
  never zero while it runs; past `OVERRUN_AFTER` times its estimate (and a second) with
  no progress of its own, the status says so (`overrun`), and words show "longer than
  expected" instead of a number nobody can stand behind.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace

SKIPPED_BELOW = 0.25
PRIOR_WEIGHT = 0.1
TRUST_AFTER = 0.05
TRUST_AFTER_TIME = 0.1
RATE_SKIP = 0.25
OVERRUN_SHARE = 0.1
OVERRUN_AFTER = 2.0


@dataclass(frozen=True)
class Phase:
    """One part of a wait. `seconds`: expected here (after calibration); `raw`: the cost
    model's seconds before the machine's correction (what calibration learns from);
    `until_progress`: the phase lasts until the work first reports progress (loading a
    model before its first batch), then the next one begins."""

    name: str
    seconds: float
    raw: float | None = None
    until_progress: bool = False
    # Its progress counts equal steps from the phase's start (five refits): the time before
    # the first report is part of its rate, not a warm-up to leave out.
    steps_from_start: bool = False


@dataclass(frozen=True)
class WaitStatus:
    elapsed: float
    left: float  # seconds
    fraction: float  # elapsed / (elapsed + left): what a progress bar shows
    phase: str | None
    done: bool = False
    overrun: bool = False  # the phase running now took over OVERRUN_AFTER x its estimate, with no rate of its own


class Wait:
    """Progress of one wait through its phases; thread-safe (the work reports from one
    thread, a page or a bar reads `status()` from another)."""

    def __init__(self, phases: Sequence[Phase], clock: Callable[[], float] = time.perf_counter,
                 on_finish: Callable[[Wait], None] | None = None) -> None:
        self.phases = [p for p in phases if p.seconds >= 0]
        self.clock = clock
        self.on_finish = on_finish
        # name -> facts -> Phase: a phase's expectation once the work knows its size
        # (e.g. how many segments to describe), given by the library on entering it.
        self.revisers: dict[str, Callable[..., Phase]] = {}
        self._lock = threading.Lock()
        self.started: float | None = None
        self.ended: float | None = None
        self.current = 0
        self.entered: dict[int, float] = {}
        self.actual: dict[int, float] = {}
        self.skipped: set[int] = set()
        self._first: tuple[float, float] | None = None  # (time, share of the phase) of its first report
        self._last: tuple[float, float] | None = None
        self._reports: list[tuple[float, float]] = []  # the current phase's reports, in order

    @property
    def expected_s(self) -> float:
        return sum(p.seconds for p in self.phases)

    def start(self) -> None:
        with self._lock:
            if self.started is None:
                self.started = self.clock()
                self.entered[0] = self.started

    def enter(self, name: str, seconds: float | None = None, raw: float | None = None, **facts) -> None:
        """Phase `name` (or the first of the family `name.*`, e.g. "embed") begins; phases
        skipped on the way count as cached. Its expectation can be given now that its size
        is known: `seconds` (and `raw`), or `facts` for the plan's reviser of that phase
        (`revisers[name](**facts)`)."""
        if facts and name in self.revisers and seconds is None:
            revised = self.revisers[name](**facts)
            seconds, raw = revised.seconds, revised.raw
        with self._lock:
            if self.started is None or self.ended is not None:
                return
            ahead = range(self.current, len(self.phases))
            index = next((i for i in ahead if self.phases[i].name == name),
                         next((i for i in ahead if self.phases[i].name.startswith(name + ".")), None))
            if index is None:
                return
            if seconds is not None:
                self.phases[index] = replace(self.phases[index], seconds=float(seconds), raw=raw)
            if index == self.current:
                return
            now = self.clock()
            self._close(now)
            self.skipped.update(range(self.current + 1, index))
            self.current, self.entered[index] = index, now
            self._first = self._last = None
            self._reports = []

    def progress(self, done: float, total: float) -> None:
        """How far the current phase is (`done` of `total` units of its work)."""
        if not total:
            return
        share = min(max(float(done) / float(total), 0.0), 1.0)
        phase = self.phases[self.current] if self.current < len(self.phases) else None
        if phase is not None and phase.until_progress and self.current + 1 < len(self.phases):
            self.enter(self.phases[self.current + 1].name)
        with self._lock:
            if self.started is None or self.ended is not None:
                return
            now = self.clock()
            if self._first is None and phase is not None and phase.steps_from_start:
                self._first = (self.entered[self.current], 0.0)
                self._reports.append(self._first)
            if self._first is None:
                self._first = (now, share)
            self._last = (now, share)
            if not self._reports or share > self._reports[-1][1]:
                self._reports.append(self._last)

    def finish(self, ok: bool = True) -> None:
        with self._lock:
            if self.started is None or self.ended is not None:
                return
            self.ended = self.clock()
            self._close(self.ended)
            self.skipped.update(range(self.current + 1, len(self.phases)))
        if ok and self.on_finish is not None:
            self.on_finish(self)

    def _close(self, now: float) -> None:
        if not self.phases:
            return
        spent = now - self.entered[self.current]
        self.actual[self.current] = spent
        # Quick, and its progress did not show it working through its work: found cached.
        worked = self._last is not None and self._last[1] - self._first[1] >= 0.5
        if spent < SKIPPED_BELOW * self.phases[self.current].seconds and not worked:
            self.skipped.add(self.current)

    def has_rate(self) -> bool:
        """Whether the current phase has reported progress over some time (its own rate)."""
        with self._lock:
            return self._own_rate()

    def measured_all(self) -> list[float | None]:
        """Per phase, the seconds it took (None: skipped, found cached or not run)."""
        with self._lock:
            return [None if i in self.skipped or i not in self.actual else self.actual[i]
                    for i in range(len(self.phases))]

    def measured(self) -> dict[str, float]:
        """`measured_all` by phase name, for the phases that ran."""
        return {p.name: t for p, t in zip(self.phases, self.measured_all(), strict=True) if t is not None}

    def status(self, now: float | None = None) -> WaitStatus:
        with self._lock:
            return self._status(self.clock() if now is None else now)

    def _status(self, now: float) -> WaitStatus:
        if self.started is None:
            return WaitStatus(0.0, self.expected_s, 0.0, self.phases[0].name if self.phases else None)
        if self.ended is not None or not self.phases:
            elapsed = (self.ended or now) - self.started
            return WaitStatus(elapsed, 0.0, 1.0, None, True)
        elapsed = now - self.started
        j = self.current
        phase = self.phases[j]
        speed = self._speed()
        later = speed * sum(p.seconds for i, p in enumerate(self.phases) if i > j)
        in_phase = now - self.entered[j]
        left_now = max(speed * phase.seconds - in_phase, 0.0)
        if self._last is not None:
            (t0, g0), (t1, g1) = self._first, self._last
            prior = max(speed * phase.seconds * (1.0 - g1) - (now - t1), 0.0)
            left_now = prior
            if g1 > g0 and t1 > t0:
                ta, ga = self._recent_origin()
                own = max((t1 - ta) / (g1 - ga) * (1.0 - g1) - (now - t1), 0.0)
                trust = min(1.0, (g1 - g0) / TRUST_AFTER, (t1 - t0) / (TRUST_AFTER_TIME * speed * phase.seconds + 1e-9))
                left_now = trust * own + (1.0 - trust) * prior
        left = max(left_now, OVERRUN_SHARE * in_phase) + later
        overrun = in_phase > OVERRUN_AFTER * speed * phase.seconds + 1.0 and not self._own_rate()
        return WaitStatus(elapsed, left, elapsed / (elapsed + left) if elapsed + left > 0 else 0.0, phase.name,
                          overrun=overrun)

    def _own_rate(self) -> bool:
        return self._last is not None and self._last[1] > self._first[1] and self._last[0] > self._first[0]

    def _recent_origin(self) -> tuple[float, float]:
        """Where the phase's own rate is measured from: the last report at or before the
        first `RATE_SKIP` of the progress measured so far, so a slow start (a pipeline
        filling up) fades out of the rate while most of the progress still counts."""
        (_, g0), (t1, g1) = self._first, self._last
        skip = g0 + (g1 - g0) * RATE_SKIP
        index = bisect.bisect_right([g for _, g in self._reports], skip) - 1
        ta, ga = self._reports[max(index, 0)] if self._reports else self._first
        return (ta, ga) if ga < g1 and ta < t1 else self._first

    def _speed(self) -> float:
        """Actual / expected seconds so far, shrunk towards 1 (the cost model) by PRIOR_WEIGHT."""
        total = self.expected_s
        if total <= 0:
            return 1.0
        spent = expected = 0.0
        for i, seconds in self.actual.items():
            if i not in self.skipped:
                spent, expected = spent + seconds, expected + self.phases[i].seconds
        if self._own_rate():
            (t0, g0), (t1, g1) = self._first, self._last
            spent, expected = spent + (t1 - t0), expected + (g1 - g0) * self.phases[self.current].seconds
        if expected <= 0:
            return 1.0
        weight = expected / total
        return (weight * (spent / expected) + PRIOR_WEIGHT) / (weight + PRIOR_WEIGHT)


_CURRENT: ContextVar[Wait | None] = ContextVar("segkit_wait", default=None)


def current() -> Wait | None:
    """The wait open in this thread (context), if any."""
    return _CURRENT.get()


@contextmanager
def waiting(wait: Wait) -> Iterator[Wait]:
    """Open `wait` for the work done inside (in this thread); it finishes when the block
    ends, and learns its phases' times only when the block ended without an error."""
    token = _CURRENT.set(wait)
    wait.start()
    ok = False
    try:
        yield wait
        ok = True
    finally:
        _CURRENT.reset(token)
        wait.finish(ok=ok)


def phase(name: str, seconds: float | None = None, raw: float | None = None, **facts) -> None:
    """The open wait's phase `name` begins (nothing without an open wait); `facts` (e.g.
    segments=12) let the wait's plan revise what the phase is expected to take."""
    wait = _CURRENT.get()
    if wait is not None:
        wait.enter(name, seconds, raw, **facts)


def progress(done: float, total: float) -> None:
    """How far the open wait's current phase is (nothing without an open wait)."""
    wait = _CURRENT.get()
    if wait is not None:
        wait.progress(done, total)


def progress_callback() -> Callable[[int, int], None] | None:
    """A progress(done, total) bound to the open wait (for work on other threads), or None."""
    wait = _CURRENT.get()
    return None if wait is None else wait.progress
