"""The one place where embedders are registered by name.

Entries are "module:Class" strings so that importing segkit never imports torch;
a backend's heavy imports happen only when it is chosen.
"""

from __future__ import annotations

from segkit.embed.base import Embedder
from segkit.registry import Registry

EMBEDDERS = Registry("embedder", {
    "tfidf": "segkit.embed.tfidf:TfidfSvdEmbedder",
    "minilm": "segkit.embed.minilm:MiniLMEmbedder",
    "multilingual": "segkit.embed.multilingual:MultilingualEmbedder",
    "static": "segkit.embed.static:StaticEmbedder",
    "precomputed": "segkit.embed.precomputed:PrecomputedEmbedder",
})


def available_embedders() -> list[str]:
    return list(EMBEDDERS)


def embedder_class(name: str) -> type[Embedder]:
    return EMBEDDERS.load(name)


def get_embedder(name: str, **params) -> Embedder:
    return EMBEDDERS.create(name, **params)
