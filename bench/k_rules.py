"""Candidate rules for the automatic K, compared on real data (the discovery issue, #12).

Every rule sees the same thing the pipeline sees: the default clustering space (text only,
fused, PCA-10) of the default embedder (minilm; multilingual for Chinese), on the sweep's
seeded 4,000-user subsample. Each rule proposes K; the final K-means fit then runs on every
user (n_init 2, as the pipeline), and the row reports:

* K, ARI against each label the set has (topic labels only; yelp and the Amazon users have none),
* ARI of K-means told the true K (the "90% of true K" target), silhouette at the chosen K,
* keyword distinctness: mean pairwise Jaccard of the segments' top-10 keyword sets.

Rules (`RULES`):
* sil_max       - today's: highest silhouette over 2..15.
* sil_tol5/10   - largest K whose silhouette is within 5% / 10% of the best.
* stability     - largest K whose bootstrap agreement (mean ARI of K-means on 80% subsamples,
                  compared on the shared points) is within 0.05 of the best K>2's.
* eigengap      - largest gap in the spectrum of the normalised Laplacian of a 15-NN cosine
                  graph on 2,000 users.
* gap           - Tibshirani's gap statistic (uniform reference in the PCA box, 5 references).
* hdbscan       - the number of HDBSCAN clusters (min_cluster_size = 1% of users, >= 15) on
                  the same space, clamped to 2..15.
* segkit        - what segkit's pipeline chooses now (segkit.metrics.sweep.choose_k).

Run: .venv/bin/python bench/k_rules.py [--sets ag,womens,...]
"""

from __future__ import annotations

import argparse
import sys
import time
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import load_average  # noqa: E402
from datasets import (  # noqa: E402
    AMAZON_ROLES,
    TEXT_ONLY_ROLES,
    ag_news,
    amazon_instruments,
    womens_clothing_classes,
    yelp,
    zh_tnews,
)
from scipy.sparse import csgraph  # noqa: E402
from scipy.sparse.linalg import eigsh  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402
from sklearn.neighbors import NearestNeighbors  # noqa: E402

import segkit  # noqa: E402,F401
from segkit.config import RunConfig  # noqa: E402
from segkit.describe.keywords import segment_keywords  # noqa: E402
from segkit.embed.cache import EmbeddingCache  # noqa: E402
from segkit.io.prepare import prepare_users  # noqa: E402
from segkit.io.roles import ColumnRoles  # noqa: E402
from segkit.metrics.internal import SilhouetteSample  # noqa: E402
from segkit.metrics.sweep import SWEEP_SAMPLE, choose_k, k_sweep, sweep_subsample  # noqa: E402
from segkit.pipeline import build_space, embed_users  # noqa: E402
from segkit.threads import limited_threads  # noqa: E402

K_VALUES = range(2, 16)
CURVES = False
BERTOPIC = True  # --no-bertopic skips it (a bench-only dependency: pip install -e ".[bench]")


def curve(data: np.ndarray, seed: int = 0) -> dict:
    """K-means (one k-means++ start) per K on the subsample: labels, silhouette, inertia."""
    sil = SilhouetteSample(data, 2000, seed)
    out = {}
    for k in K_VALUES:
        model = KMeans(n_clusters=k, n_init=1, random_state=seed).fit(data)
        out[k] = {"labels": model.labels_, "silhouette": sil.score(model.labels_) or 0.0,
                  "inertia": float(model.inertia_)}
    return out


def rule_sil_max(c: dict, data) -> int:
    return max(K_VALUES, key=lambda k: (c[k]["silhouette"], -k))


def rule_sil_tol(tol: float):
    def rule(c: dict, data) -> int:
        best = max(c[k]["silhouette"] for k in K_VALUES)
        return max(k for k in K_VALUES if c[k]["silhouette"] >= best - tol * abs(best))
    return rule


def stability_scores(data: np.ndarray, seed: int = 0, repeats: int = 4, share: float = 0.8) -> dict[int, float]:
    rng = np.random.default_rng(seed)
    n = data.shape[0]
    subsets = [np.sort(rng.choice(n, size=int(share * n), replace=False)) for _ in range(repeats)]
    scores = {}
    for k in K_VALUES:
        predictions = []
        for i, rows in enumerate(subsets):
            model = KMeans(n_clusters=k, n_init=1, random_state=seed + i).fit(data[rows])
            predictions.append(model.predict(data))
        scores[k] = float(np.mean([adjusted_rand_score(a, b) for a, b in combinations(predictions, 2)]))
    return scores


def rule_stability(c: dict, data) -> int:
    scores = stability_scores(data)
    best = max(scores[k] for k in K_VALUES if k > 2)
    return max(k for k in K_VALUES if scores[k] >= best - 0.05)


def rule_eigengap(c: dict, data, seed: int = 0) -> int:
    rows = sweep_subsample(data.shape[0], 2000, seed)
    points = data if rows is None else data[rows]
    unit = points / np.maximum(np.linalg.norm(points, axis=1, keepdims=True), 1e-12)
    graph = NearestNeighbors(n_neighbors=15, metric="cosine").fit(unit).kneighbors_graph(mode="connectivity")
    graph = graph.maximum(graph.T)
    laplacian = csgraph.laplacian(graph, normed=True)
    values = np.sort(eigsh(laplacian, k=17, which="SM", tol=1e-4)[0])
    gaps = np.diff(values)  # gaps[i] = lambda_{i+1} - lambda_i; K clusters -> gap after index K-1
    return max(K_VALUES, key=lambda k: gaps[k - 1])


def rule_gap(c: dict, data, seed: int = 0, refs: int = 5) -> int:
    rng = np.random.default_rng(seed)
    rows = sweep_subsample(data.shape[0], 2000, seed)
    points = data if rows is None else data[rows]
    centred = points - points.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    rotated = centred @ vt.T
    low, high = rotated.min(axis=0), rotated.max(axis=0)
    gap, spread = {}, {}
    for k in list(K_VALUES) + [16]:
        wk = np.log(KMeans(n_clusters=k, n_init=1, random_state=seed).fit(points).inertia_)
        ref = [np.log(KMeans(n_clusters=k, n_init=1, random_state=seed).fit(
            rng.uniform(low, high, size=rotated.shape)).inertia_) for _ in range(refs)]
        gap[k] = float(np.mean(ref) - wk)
        spread[k] = float(np.std(ref) * np.sqrt(1 + 1 / refs))
    for k in K_VALUES:
        if gap[k] >= gap[k + 1] - spread[k + 1]:
            return k
    return max(K_VALUES)


def rule_hdbscan(c: dict, data) -> int:
    import hdbscan

    size = max(15, data.shape[0] // 100)
    labels = hdbscan.HDBSCAN(min_cluster_size=size, min_samples=10).fit_predict(data)
    found = len(set(labels) - {-1})
    return int(min(max(found, 2), 15))


def null_silhouettes(data: np.ndarray, seed: int = 0, draws: int = 2) -> dict[int, float]:
    """Silhouette of K-means on Gaussian data with the same mean and covariance (no clusters)."""
    rng = np.random.default_rng(seed + 1)
    n = min(data.shape[0], 2000)
    mean = data.mean(axis=0)
    cov = np.cov(data, rowvar=False)
    out = {k: 0.0 for k in K_VALUES}
    for d in range(draws):
        null = rng.multivariate_normal(mean, cov, size=n, method="eigh").astype(np.float32)
        sil = SilhouetteSample(null, None, seed)
        for k in K_VALUES:
            labels = KMeans(n_clusters=k, n_init=1, random_state=seed + d).fit_predict(null)
            out[k] += (sil.score(labels) or 0.0) / draws
    return out


def rule_sil_excess(tol: float = 0.0):
    def rule(c: dict, data) -> int:
        null = null_silhouettes(data)
        excess = {k: c[k]["silhouette"] - null[k] for k in K_VALUES}
        if CURVES:
            print("  excess " + " ".join(f"{k}:{excess[k]:+.3f}" for k in K_VALUES))
        best = max(excess.values())
        return max(k for k in K_VALUES if excess[k] >= best - tol * abs(best))
    return rule


def rule_segkit(c: dict, data) -> int:
    return choose_k(k_sweep(data, K_VALUES, "kmeans", sample_size=None))


RULES = {"sil_max": rule_sil_max, "sil_tol5": rule_sil_tol(0.05), "sil_tol10": rule_sil_tol(0.10),
         "stability": rule_stability, "eigengap": rule_eigengap, "gap": rule_gap, "hdbscan": rule_hdbscan,
         "sil_excess": rule_sil_excess(), "sil_excess10": rule_sil_excess(0.10), "segkit": rule_segkit}


def keyword_jaccard(texts: list[str], labels: np.ndarray) -> float:
    keywords = segment_keywords(texts, labels, top_n=10)
    sets = [set(t for t, _ in terms) for terms in keywords.values() if terms]
    pairs = [len(a & b) / max(len(a | b), 1) for a, b in combinations(sets, 2)]
    return float(np.mean(pairs)) if pairs else float("nan")


def load_sets(names: list[str]) -> list[tuple[str, pd.DataFrame, ColumnRoles, str, list[str]]]:
    """(name, frame, roles, embedder, label columns) per set, loaded the way embed_all caches them."""
    makers = {
        "ag_news": lambda: (ag_news(), TEXT_ONLY_ROLES, "minilm", ["label"]),
        "womens": lambda: (womens_clothing_classes(4000), ColumnRoles(text_cols=("text",)), "minilm",
                           ["department", "label"]),
        "zh_tnews": lambda: (zh_tnews(), TEXT_ONLY_ROLES, "multilingual", ["label"]),
        "yelp": lambda: (yelp(4000), ColumnRoles(text_cols=("text",)), "minilm", []),
        "amazon": lambda: (amazon_instruments(), AMAZON_ROLES, "minilm", []),
    }
    return [(name, *makers[name]()) for name in names]


def evaluate(name, frame, roles, embedder, label_cols, rules, cache) -> list[dict]:
    table = prepare_users(frame, roles)
    embeddings = embed_users(table, embedder, cache=cache)
    config = RunConfig(roles=roles, embedder=embedder)
    space = build_space(table, embeddings, config)
    matrix = space.matrix.astype(np.float32)
    rows_used = sweep_subsample(matrix.shape[0], SWEEP_SAMPLE, 0)
    data = matrix if rows_used is None else matrix[rows_used]
    texts = [table.user_texts()[i] for i in embeddings.user_index]
    truths = {}
    for col in label_cols:  # labelled sets have one row per user
        per_user = np.empty(table.n_users, dtype=object)
        ok = table.row_user >= 0
        per_user[table.row_user[ok]] = frame[col].astype(str).to_numpy()[ok]
        truths[col] = per_user[embeddings.user_index].astype(str)
    c = curve(data)
    if CURVES:
        stab = stability_scores(data)
        print(f"{name}: K, silhouette, stability")
        print("  " + " ".join(f"{k}:{c[k]['silhouette']:.3f}/{stab[k]:.2f}" for k in K_VALUES), flush=True)
    out = []
    for rule_name, rule in rules.items():
        started = time.perf_counter()
        k = rule(c, data)
        seconds = time.perf_counter() - started
        labels = KMeans(n_clusters=k, n_init=2, random_state=0).fit_predict(matrix)
        row = {"set": name, "users": matrix.shape[0], "rule": rule_name, "K": k,
               "silhouette": round(c[k]["silhouette"], 3), "kw_jaccard": round(keyword_jaccard(texts, labels), 3),
               "rule_s": round(seconds, 2)}
        for col, truth in truths.items():
            row[f"ARI_{col}"] = round(adjusted_rand_score(truth, labels), 3)
        out.append(row)
    if truths and BERTOPIC:
        try:
            from quality import run_bertopic

            started = time.perf_counter()
            topics = run_bertopic(texts, embeddings.vectors, None)
            row = {"set": name, "users": matrix.shape[0], "rule": "BERTopic defaults",
                   "K": int(len(set(topics) - {-1})), "rule_s": round(time.perf_counter() - started, 2)}
            for col, truth in truths.items():
                row[f"ARI_{col}"] = round(adjusted_rand_score(truth, topics), 3)
            out.append(row)
        except ImportError:
            pass
    for col, truth in truths.items():
        true_k = len(np.unique(truth))
        labels = KMeans(n_clusters=true_k, n_init=2, random_state=0).fit_predict(matrix)
        out.append({"set": name, "users": matrix.shape[0], "rule": f"true K ({col})", "K": true_k,
                    f"ARI_{col}": round(adjusted_rand_score(truth, labels), 3)})
    return out


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="ag_news,womens,zh_tnews,yelp,amazon")
    parser.add_argument("--rules", default=",".join(RULES))
    parser.add_argument("--curves", action="store_true", help="print silhouette and stability per K")
    parser.add_argument("--no-bertopic", action="store_true", help="skip BERTopic's defaults on the labelled sets")
    args = parser.parse_args(argv)
    global CURVES, BERTOPIC
    CURVES = args.curves
    BERTOPIC = not args.no_bertopic
    rules = {name: RULES[name] for name in args.rules.split(",")}
    cache = EmbeddingCache()
    print(f"K rules on real data; load average {load_average()}")
    rows = []
    with limited_threads():
        for spec in load_sets(args.sets.split(",")):
            rows.extend(evaluate(*spec, rules, cache))
            print(pd.DataFrame(rows[-len(rules) - len(spec[4]):]).to_string(index=False), flush=True)
    table = pd.DataFrame(rows)
    print("\n## All sets")
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
