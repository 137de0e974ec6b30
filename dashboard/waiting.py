"""Draws a wait: a progress bar with what is being done and the time left (segkit.waits knows both).

The work runs where it always did, in the page's script thread, inside the wait; a small
thread attached to the same script run redraws the bar every quarter second, so the time
left counts down also while a step reports nothing (a tree, neighbours). Nothing is drawn
for work done within `SHOW_AFTER_S` (a cached step), and the bar goes when the work ends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import streamlit as st
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from dashboard.words import lang
from segkit import waits
from segkit.waits.words import status_line

T = TypeVar("T")

SHOW_AFTER_S = 0.4
TICK_S = 0.25


def draw_status(slot, title: str, status: waits.WaitStatus, language: str) -> None:
    """One redraw of a wait's bar in `slot` (an st.empty or a container)."""
    slot.progress(min(max(status.fraction, 0.0), 0.99), text=status_line(title, status, language))


def bar_slot():
    """The place of a wait's bar. Call it on every run, computing or not: Streamlit places
    elements by their index, so a slot made only on the run that computes would move every
    element below it, and a moved file uploader forgets its file (st.spinner did not move
    anything: it is a transient element)."""
    return st.empty()


def with_progress(title: str, wait: waits.Wait, work: Callable[[], T], slot=None) -> T:
    """`work()` inside `wait`, with a progress bar titled `title` while it takes a while,
    drawn in `slot` (bar_slot(), made before knowing whether there is work) or a new one."""
    slot = st.empty() if slot is None else slot
    language = lang()  # read here: the drawing thread does not touch the session
    stop = threading.Event()

    def redraw() -> None:
        while not stop.wait(TICK_S):
            status = wait.status()
            if status.elapsed >= SHOW_AFTER_S and not status.done:
                try:
                    draw_status(slot, title, status, language)
                except Exception:  # noqa: BLE001 - the page has moved on; drawing is best effort
                    return

    drawer = threading.Thread(target=redraw, name="segkit-wait-bar", daemon=True)
    if get_script_run_ctx(suppress_warning=True) is not None:
        add_script_run_ctx(drawer)
        drawer.start()
    try:
        with waits.waiting(wait):
            return work()
    finally:
        stop.set()
        if drawer.is_alive():
            drawer.join(timeout=2.0)
        slot.empty()


def memo_or_wait(key: str, title: str, make_wait: Callable[[], waits.Wait], compute: Callable[[], T]) -> T:
    """The session's memoised value for `key`, else `compute()` with a progress bar and the
    time left (`make_wait()`: its segkit.waits plan, made only when there is work)."""
    from dashboard.state import memo_value

    slot = bar_slot()  # made whether or not there is work (bar_slot)
    return memo_value(key, lambda: with_progress(title, make_wait(), compute, slot))
