"""Item scores per user for the recommenders the cold-start and hybrid evaluations compare.

Everything is scored from the training matrix only (`Catalogue`); what is known of the
users being scored (their known items, segment, sign-up vector) is a `Known`. Scores are
dense blocks (users x items) computed in batches; known items are never recommended.

- global popularity: users per item;
- segment popularity: the segment's counts shrunk toward global popularity (the same
  PRIOR_USERS pull as `evaluate.py`), so a small segment's noise does not win;
- nearest users by embedding: the items of the `n_neighbours` training users closest to
  the user in the segmentation's fused space (text, or traits given as vectors; the space
  the saved model assigns in);
- item-kNN: cosine co-occurrence with the user's known items;
- hybrid: (1 - w) * item-kNN / its row maximum + w * a prior / its maximum, the prior being
  the segment's popularity or, as the control at the same w, global popularity.
Every method adds a tie-break of 1e-6 x global popularity, so empty rows fall back to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from segkit.errors import SegkitInputError
from segkit.recommend.evaluate import PRIOR_USERS, _encode, _Encoded, _item_similarity, _top_k

SCORERS = {
    "global_popularity": "Global popularity",
    "segment_popularity": "Segment popularity",
    "segment_popularity_shuffled": "Segment popularity, shuffled segments (control)",
    "text_knn": "Nearest users by embedding",
    "item_knn": "Item-kNN",
    "hybrid_segment": "Hybrid: item-kNN + segment prior",
    "hybrid_global": "Hybrid: item-kNN + global prior, same weight (control)",
}
TIE_BREAK = 1e-6


@dataclass(frozen=True)
class Catalogue:
    """What the recommenders learn from: the training interactions and the training users' segments."""

    enc: _Encoded
    row_segments: np.ndarray  # segment per row of enc.X (-1: none)
    similarity: sp.csr_matrix  # item x item cosine
    neighbour_rows: np.ndarray  # rows of enc.X that have a vector
    neighbour_vectors: np.ndarray | None  # their vectors (the fused space), for nearest users by embedding

    @property
    def n_items(self) -> int:
        return len(self.enc.items)

    def item_codes(self, items) -> np.ndarray:
        index = pd.Index(self.enc.items)
        return index.get_indexer(pd.Index(list(items), dtype=object))


def build_catalogue(train: pd.DataFrame, segments: pd.Series | None = None,
                    vectors: tuple[np.ndarray, np.ndarray] | None = None) -> Catalogue:
    """`train`: user, item rows. `segments`: user id -> segment. `vectors`: (user ids, matrix)."""
    if train.empty:
        raise SegkitInputError("No training interactions to recommend from.")
    enc = _encode(train)
    row_segments = _lookup(enc.user_ids, segments)
    rows, matrix = np.zeros(0, dtype=np.int64), None
    if vectors is not None:
        ids, values = vectors
        position = np.array([enc.user_row.get(str(u), -1) for u in ids], dtype=np.int64)
        keep = position >= 0
        rows, matrix = position[keep], np.asarray(values, dtype=np.float64)[keep]
    return Catalogue(enc, row_segments, _item_similarity(enc.X), rows, matrix)


def _lookup(users, segments: pd.Series | None) -> np.ndarray:
    if segments is None or len(segments) == 0:
        return np.full(len(users), -1, dtype=np.int64)
    mapped = pd.Series(np.asarray(users, dtype=object)).map(segments)
    return pd.to_numeric(mapped, errors="coerce").fillna(-1).astype(np.int64).to_numpy()


@dataclass(frozen=True)
class Known:
    """The users being scored and what is known of them."""

    users: np.ndarray  # ids
    history: sp.csr_matrix  # users x catalogue items: known items (excluded from the candidates)
    segments: np.ndarray  # segment per user (-1: none)
    vectors: np.ndarray | None = None  # per user, in the catalogue's vector space (NaN row: none)


def known_users(catalogue: Catalogue, users, history: pd.DataFrame, segments: pd.Series | None = None,
                vectors: tuple[np.ndarray, np.ndarray] | None = None) -> Known:
    """`history`: user, item rows known for these users (items outside the catalogue are ignored)."""
    users = np.asarray([str(u) for u in users], dtype=object)
    position = {u: i for i, u in enumerate(users)}
    rows = history["user"].map(position)
    codes = catalogue.item_codes(history["item"])
    ok = rows.notna().to_numpy() & (codes >= 0)
    matrix = sp.csr_matrix((np.ones(int(ok.sum()), dtype=np.float32),
                            (rows.to_numpy()[ok].astype(np.int64), codes[ok])),
                           shape=(len(users), catalogue.n_items))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    user_vectors = None
    if vectors is not None and catalogue.neighbour_vectors is not None:
        ids, values = vectors
        values = np.asarray(values, dtype=np.float64)
        user_vectors = np.full((len(users), values.shape[1]), np.nan)
        for i, user in enumerate(ids):
            j = position.get(str(user))
            if j is not None:
                user_vectors[j] = values[i]
    return Known(users, matrix, _lookup(users, segments), user_vectors)


def _global(catalogue: Catalogue) -> np.ndarray:
    pop = catalogue.enc.popularity
    return pop / max(pop.max(), 1.0)


def segment_priors(catalogue: Catalogue, segment_ids=None) -> dict[int, np.ndarray]:
    """Segment -> shrunk segment popularity scaled to a maximum of 1 (-1: global popularity);
    by default for every segment of the training users."""
    if segment_ids is None:
        segment_ids = np.unique(catalogue.row_segments)
    enc = catalogue.enc
    global_share = enc.popularity / max(len(enc.user_ids), 1)
    out = {-1: _global(catalogue)}
    for segment in {int(s) for s in segment_ids if s >= 0}:
        members = enc.X[np.flatnonzero(catalogue.row_segments == segment)]
        counts = np.asarray(members.sum(axis=0)).ravel() + PRIOR_USERS * global_share
        out[segment] = counts / max(counts.max(), 1e-12)
    return out


def _row_max_scaled(block: np.ndarray) -> np.ndarray:
    peak = block.max(axis=1, keepdims=True)
    return np.divide(block, peak, out=np.zeros_like(block), where=peak > 0)


def _text_neighbours(catalogue: Catalogue, vectors: np.ndarray, n_neighbours: int) -> np.ndarray:
    """users x items: how many of each user's nearest training users have the item."""
    out = np.zeros((len(vectors), catalogue.n_items))
    if catalogue.neighbour_vectors is None or len(catalogue.neighbour_rows) == 0:
        return out
    from sklearn.neighbors import NearestNeighbors

    has = np.isfinite(vectors).all(axis=1)
    if not has.any():
        return out
    n = min(n_neighbours, len(catalogue.neighbour_rows))
    index = NearestNeighbors(n_neighbors=n).fit(catalogue.neighbour_vectors)
    _, nearest = index.kneighbors(vectors[has])
    rows = catalogue.neighbour_rows[nearest]  # (users with a vector, n)
    X = catalogue.enc.X
    picks = sp.csr_matrix((np.ones(rows.size), (np.repeat(np.arange(len(rows)), n), rows.ravel())),
                          shape=(len(rows), X.shape[0]))
    out[has] = np.asarray((picks @ X).todense())
    return out


def score_block(catalogue: Catalogue, known: Known, method: str, weight: float = 0.5,
                n_neighbours: int = 50, priors: dict[int, np.ndarray] | None = None,
                segments: np.ndarray | None = None) -> np.ndarray:
    """Dense scores (len(known.users) x items) for one method. `segments` overrides known.segments
    (the shuffled control); `priors` reuses `segment_priors`."""
    if method not in SCORERS:
        raise SegkitInputError(f"Unknown recommender '{method}'. Choose one of: {', '.join(SCORERS)}.")
    n_users = len(known.users)
    base = np.broadcast_to(_global(catalogue), (n_users, catalogue.n_items))
    segments = known.segments if segments is None else segments
    if method == "global_popularity":
        return np.array(base)
    if method in ("segment_popularity", "segment_popularity_shuffled", "hybrid_segment"):
        priors = priors if priors is not None else segment_priors(catalogue, segments)
        prior = np.vstack([priors.get(int(s), priors[-1]) for s in segments]) if n_users else base
    else:
        prior = base
    if method.startswith("segment_popularity"):
        return prior + TIE_BREAK * base
    if method == "text_knn":
        if known.vectors is None:
            raise SegkitInputError("Nearest users by embedding needs the users' vectors.")
        return _text_neighbours(catalogue, known.vectors, n_neighbours) + TIE_BREAK * base
    personal = np.asarray((known.history @ catalogue.similarity).todense())
    if method == "item_knn":
        return personal + TIE_BREAK * base
    return (1.0 - weight) * _row_max_scaled(personal) + weight * prior + TIE_BREAK * base


def top_codes(scores: np.ndarray, history: sp.csr_matrix, k: int) -> np.ndarray:
    """The k best unseen item codes per user (-1 where fewer candidates remain)."""
    return _top_k(scores, history, k)


def ndcg_hits(codes: np.ndarray, relevant: list[set], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per user: hit (any relevant item in the top k) and NDCG@k with binary relevance."""
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    hits = np.zeros(len(codes))
    ndcg = np.zeros(len(codes))
    for i, wanted in enumerate(relevant):
        if not wanted:
            continue
        gains = np.fromiter((c in wanted for c in codes[i]), dtype=float, count=codes.shape[1])
        hits[i] = float(gains.any())
        ndcg[i] = float((gains * discounts[: len(gains)]).sum() / discounts[: min(len(wanted), k)].sum())
    return hits, ndcg


def relevant_codes(catalogue: Catalogue, users: np.ndarray, test: pd.DataFrame) -> list[set]:
    """Held-out item codes per user; items never seen in training count as -2 (unhittable)."""
    codes = catalogue.item_codes(test["item"])
    held: dict = {}
    for user, code in zip(test["user"], codes, strict=True):
        held.setdefault(str(user), set()).add(int(code) if code >= 0 else -2)
    return [held.get(str(u), set()) for u in users]


def evaluate_method(catalogue: Catalogue, known: Known, relevant: list[set], method: str, k: int = 10,
                    batch: int = 1024, **options) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hits, ndcg, recommended codes) per user for one method, in batches."""
    n = len(known.users)
    codes = np.full((n, k), -1, dtype=np.int64)
    segments = options.pop("segments", None)
    if method in ("segment_popularity", "segment_popularity_shuffled", "hybrid_segment"):
        options.setdefault("priors", segment_priors(catalogue))  # once, not per batch
    for start in range(0, n, batch):
        chunk = slice(start, min(n, start + batch))
        part = Known(known.users[chunk], known.history[chunk], known.segments[chunk],
                     None if known.vectors is None else known.vectors[chunk])
        scores = score_block(catalogue, part, method, segments=None if segments is None else segments[chunk],
                             **options)
        codes[chunk] = top_codes(scores, part.history, k)
    hits, ndcg = ndcg_hits(codes, relevant, k)
    return hits, ndcg, codes
