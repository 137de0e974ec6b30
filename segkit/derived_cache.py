"""A small in-memory cache for the expensive half of a step that a slider move does not change.

Hierarchical methods build a tree once (agglomerative's merge tree, HDBSCAN's
single-linkage tree over mutual reachability) and then read segments off it for a
given K or min_cluster_size in milliseconds; keywords count every text's words once and
then only regroup the counts by segment. Keeping the last few of these, keyed by a
digest of the input and the settings they depend on, turns a slider move into a re-read
instead of a rebuild. Entries are derived numbers, bounded in count so a long session
does not grow without limit.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

# Off inside `transient()`: refits on throw-away data (bootstrap stability) read the
# caches but do not push the trees of the data people are looking at out of them.
_STORING = contextvars.ContextVar("segkit_derived_cache_storing", default=True)


@contextlib.contextmanager
def transient():
    token = _STORING.set(False)
    try:
        yield
    finally:
        _STORING.reset(token)


class DerivedCache:
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, Any] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def digest(data: np.ndarray | Sequence[str]) -> str:
        if isinstance(data, np.ndarray):
            array = np.ascontiguousarray(data)
            return hashlib.sha256(array.tobytes()).hexdigest() + f":{array.dtype}:{array.shape}"
        hasher = hashlib.sha256()
        for text in data:  # length-prefixed, so ["ab", "c"] and ["a", "bc"] differ
            encoded = str(text).encode("utf-8", "surrogatepass")
            hasher.update(len(encoded).to_bytes(8, "little"))
            hasher.update(encoded)
        return hasher.hexdigest() + f":texts:{len(data)}"

    def get_or_build(self, data: np.ndarray | Sequence[str], settings: tuple[Hashable, ...],
                     build: Callable[[], T]) -> T:
        key = (self.digest(data), *settings)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        # Built outside the lock: two sessions building different trees should not queue.
        value = build()
        if not _STORING.get():
            return value
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
