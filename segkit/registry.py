"""One registry type for every pluggable kind: clusterers, reducers, embedders, sentiment scorers.

A registry maps a name to a class, or to a "module:Class" string imported only when the
name is used (so importing segkit never imports torch). What a class can do is declared
on the class as capability flags, with defaults on its base class, and asked through the
registry instead of lists of names kept elsewhere:

    CLUSTERERS.flag("agglomerative", "deterministic")      -> True
    CLUSTERERS.names(uses_k=True)                           -> ["kmeans", ...]
    EMBEDDERS.flag("tfidf", "corpus_fitted")                -> True

Flags in use: clusterers `uses_k`, `density_based`, `deterministic` (same labels for any
seed), `assign_rule` (how a saved model assigns new users: "centroid", "gaussian",
"density"); embedders `corpus_fitted` (a text's vector depends on the other texts) and
`per_text` (the opposite: workers can embed any partition alone).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping

from segkit.errors import SegkitInputError


class Registry(MutableMapping):
    """name -> class (or "module:Class"); `create(name, **params)` builds one."""

    def __init__(self, kind: str, entries: dict | None = None) -> None:
        self.kind = kind  # in messages: "Unknown {kind} 'x'"
        self._entries: dict = dict(entries or {})

    # MutableMapping: registering is one line, `REGISTRY["name"] = Class` (tests patch entries this way).
    def __getitem__(self, name: str):
        return self._entries[name]

    def __setitem__(self, name: str, target) -> None:
        self._entries[name] = target

    def __delitem__(self, name: str) -> None:
        del self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def check(self, name: str) -> None:
        if name not in self._entries:
            raise SegkitInputError(f"Unknown {self.kind} '{name}'. Choose one of: {', '.join(self._entries)}.")

    def load(self, name: str) -> type:
        """The class registered as `name` (imported now if registered as a string)."""
        self.check(name)
        target = self._entries[name]
        if isinstance(target, str):
            module_name, class_name = target.split(":")
            target = getattr(importlib.import_module(module_name), class_name)
        return target

    def create(self, name: str, **params):
        return self.load(name)(**params)

    def flag(self, name: str, flag: str):
        """A capability flag of `name` (the class attribute; False when the class has none)."""
        return getattr(self.load(name), flag, False)

    def names(self, **flags) -> list[str]:
        """The names whose flags have these values, in registration order."""
        return [name for name in self._entries
                if all(self.flag(name, key) == value for key, value in flags.items())]
