"""A small in-memory cache for the expensive, parameter-independent half of a clustering.

Hierarchical methods build a tree once (agglomerative's merge tree, HDBSCAN's
single-linkage tree over mutual reachability) and then read segments off it for a
given K or min_cluster_size in milliseconds. Keeping the last few trees, keyed by a
digest of the matrix and the settings the tree depends on, turns a slider move into a
re-cut instead of a rebuild. It holds derived numbers only, never the data, and is
bounded so a long session does not grow without limit.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np


class TreeCache:
    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def digest(matrix: np.ndarray) -> str:
        data = np.ascontiguousarray(matrix)
        return hashlib.sha256(data.tobytes()).hexdigest() + f":{data.dtype}:{data.shape}"

    def get_or_build(self, matrix: np.ndarray, settings: tuple[Hashable, ...],
                     build: Callable[[], np.ndarray]) -> np.ndarray:
        key = (self.digest(matrix), *settings)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        # Built outside the lock: two sessions building different trees should not queue.
        tree = build()
        with self._lock:
            self._entries[key] = tree
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return tree

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
