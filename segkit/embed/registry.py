"""The one place where embedders are registered by name.

Entries are "module:Class" strings so that importing segkit never imports torch;
a backend's heavy imports happen only when it is chosen.
"""

from __future__ import annotations

import importlib

from segkit.embed.base import Embedder
from segkit.errors import SegkitInputError

EMBEDDERS: dict[str, str] = {
    "tfidf": "segkit.embed.tfidf:TfidfSvdEmbedder",
    "minilm": "segkit.embed.minilm:MiniLMEmbedder",
    "multilingual": "segkit.embed.multilingual:MultilingualEmbedder",
    "static": "segkit.embed.static:StaticEmbedder",
    "precomputed": "segkit.embed.precomputed:PrecomputedEmbedder",
}


def available_embedders() -> list[str]:
    return list(EMBEDDERS)


def embedder_class(name: str) -> type[Embedder]:
    if name not in EMBEDDERS:
        raise SegkitInputError(
            f"Unknown embedder '{name}'. Choose one of: {', '.join(EMBEDDERS)}."
        )
    module_name, class_name = EMBEDDERS[name].split(":")
    return getattr(importlib.import_module(module_name), class_name)


def get_embedder(name: str, **params) -> Embedder:
    return embedder_class(name)(**params)
