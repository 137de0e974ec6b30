"""Text -> vectors. `get_embedder(name)` returns a registered backend."""

from segkit.embed.base import Embedder, ProgressCallback, l2_normalise
from segkit.embed.cache import EmbeddingCache, embed_with_cache
from segkit.embed.registry import EMBEDDERS, available_embedders, get_embedder

__all__ = [
    "EMBEDDERS",
    "Embedder",
    "EmbeddingCache",
    "ProgressCallback",
    "available_embedders",
    "embed_with_cache",
    "get_embedder",
    "l2_normalise",
]
