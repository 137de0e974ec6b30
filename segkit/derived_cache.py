"""A small in-memory cache for the expensive half of a step that a slider move does not change.

Hierarchical methods build a tree once (agglomerative's merge tree, HDBSCAN's
single-linkage tree over mutual reachability) and then read segments off it for a
given K or min_cluster_size in milliseconds; keywords count every text's words once and
then only regroup the counts by segment. Keeping the last few of these, keyed by a
digest of the input and the settings they depend on, turns a slider move into a re-read
instead of a rebuild. Entries are derived numbers, bounded in count so a long session
does not grow without limit.

Nothing here is a module global: a `Memory` holds one cache per kind and is passed in,
like hdbscan's `memory=` (`Clusterer.fit(..., memory=)`, `describe_segments(...,
memory=)`, `score_texts(..., memory=)`, `run_segmentation(..., memory=)`). Without one
nothing is kept. `run_segmentation` makes one per run (the CLI: one per command); the
dashboard keeps one per process (`st.cache_resource`), so a slider move re-reads.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

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
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _cache(max_entries: int):
    return field(default_factory=lambda: DerivedCache(max_entries))


@dataclass
class Memory:
    """The derived caches one session shares (a CLI run, a dashboard process)."""

    # A 20,000-user merge tree is 20k x 4 floats (0.6 MB); 4 keep a few settings warm.
    merge_trees: DerivedCache = _cache(4)  # agglomerative: per matrix and linkage
    # HDBSCAN's single-linkage tree over mutual reachability depends on the data and
    # min_samples only: a min_cluster_size move re-condenses it (~50 ms instead of a 0.5 s
    # fit at 20k users). 100k users: 3 MB per tree.
    linkage_trees: DerivedCache = _cache(4)
    # Counting every text's words is ~1 s at 20,000 users and does not depend on the
    # segments; tens of MB per entry, hence only two.
    term_counts: DerivedCache = _cache(2)
    sentiment: DerivedCache = _cache(8)  # review scores, by text content
    bootstraps: DerivedCache = _cache(8)  # the report's bootstrap stability, per space and labels
    scorers: dict = field(default_factory=dict)  # sentiment scorers by name (VADER's lexicon loads once)

    def clear(self) -> None:
        for cache in (self.merge_trees, self.linkage_trees, self.term_counts, self.sentiment, self.bootstraps):
            cache.clear()
        self.scorers.clear()


def get_or_build(memory: Memory | None, kind: str, data, settings: tuple, build: Callable[[], T]) -> T:
    """`build()`, kept in `memory`'s cache `kind` when there is a memory."""
    if memory is None:
        return build()
    return getattr(memory, kind).get_or_build(data, settings, build)
