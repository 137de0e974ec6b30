"""Target 6, quality against the anchor: segkit next to BERTopic on the same embeddings.

For each labelled dataset (ag_news_test by `label`, womens_clothing by `Department Name`)
the texts are embedded once with segkit's `minilm` embedder through segkit's embedding
cache, and the same vectors are handed to four methods:

* BERTopic with its defaults (UMAP 5-d + HDBSCAN min_cluster_size=10), embedding_model=None
  and the precomputed embeddings, so it never fetches a model;
* BERTopic with nr_topics = the true number of classes;
* segkit with its default RunConfig (automatic K) - roles: the text column only;
* segkit with K = the true number of classes.

Scores: ARI and NMI against the labels over every document; documents a method leaves
unassigned (BERTopic's outlier topic -1) count as one more group. Also the number of
segments found (excluding the outlier group), the share unassigned and the end-to-end
time from cached embeddings to labels (segkit includes describing the segments; no 2-D map).
BERTopic is a benchmark-only dependency (`pip install bertopic`), never imported by segkit.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import cached_vectors, load_average, print_table, table_and_embeddings
from datasets import DATASETS, TEXT_ONLY_ROLES, stratified_sample
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from segkit.config import RunConfig
from segkit.pipeline import segment_embedded

# Stratified, seeded subsamples (None = every row). Full mode: all of ag_news_test
# (7,600) and 4,000 of womens_clothing's 22,628 reviews (MiniLM on this shared 2-core
# machine embeds ~10 texts/s under load); quick mode: a stratified 2,000 of each of those.
SIZES = {"full": {"ag_news_test": None, "womens_clothing": 4000},
         "quick": {"ag_news_test": 2000, "womens_clothing": 2000}}


def scores(name: str, labels: np.ndarray, truth: np.ndarray, seconds: float) -> dict:
    labels = np.asarray(labels)
    return {"method": name,
            "ARI": adjusted_rand_score(truth, labels),
            "NMI": normalized_mutual_info_score(truth, labels),
            "segments": int(len(np.unique(labels[labels >= 0]))),
            "unassigned": f"{np.mean(labels < 0):.1%}",
            "time_s": round(seconds, 2)}


def run_bertopic(texts: list[str], vectors: np.ndarray, nr_topics: int | None, seed: int = 0) -> np.ndarray:
    from bertopic import BERTopic

    model = BERTopic(embedding_model=None, nr_topics=nr_topics, calculate_probabilities=False, verbose=False)
    topics, _ = model.fit_transform(texts, embeddings=vectors)
    return np.asarray(topics)


def evaluate_dataset(name: str, n: int | None, embedder: str = "minilm", with_bertopic: bool = True) -> list[dict]:
    frame = DATASETS[name](SIZES["full"][name])  # embedded (and cached) as one set
    start = time.perf_counter()
    vectors = cached_vectors(embedder, frame["text"].tolist())
    embed_s = time.perf_counter() - start
    if n is not None and n < len(frame):  # a stratified subset of the cached set
        rows_kept = stratified_sample(frame.assign(_row=np.arange(len(frame))), "label", n)["_row"].to_numpy()
        frame, vectors = frame.iloc[rows_kept].reset_index(drop=True), vectors[rows_kept]
    texts = frame["text"].tolist()
    truth = frame["label"].to_numpy()
    true_k = int(len(np.unique(truth)))
    table, embeddings = table_and_embeddings(frame, vectors, TEXT_ONLY_ROLES, embedder)
    order = table.users["label"].to_numpy()  # users follow the frame's rows
    assert (order == truth).all()
    rows = []
    info = f"{name}: {len(frame):,} docs, {true_k} classes, {embedder} ({vectors.shape[1]}-d), embed/cache {embed_s:.1f} s"
    if with_bertopic:
        for label, nr_topics in (("BERTopic defaults", None), (f"BERTopic nr_topics={true_k}", true_k)):
            start = time.perf_counter()
            topics = run_bertopic(texts, vectors, nr_topics)
            rows.append(scores(label, topics, truth, time.perf_counter() - start))
    for label, params in (("segkit defaults (auto K)", {}), (f"segkit K={true_k}", {"k": true_k})):
        config = RunConfig(roles=TEXT_ONLY_ROLES, embedder=embedder, algorithm_params=params)
        start = time.perf_counter()
        run = segment_embedded(table, embeddings, config, with_map=False)
        rows.append(scores(label, run.labels, truth, time.perf_counter() - start))
        if not params:
            rows[-1]["auto_k"] = run.metrics.get("auto_k")
    for row in rows:
        row["dataset"] = name
        row["true_k"] = true_k
    return rows, info


def verdict(rows: list[dict]) -> dict:
    """Target 6: segkit defaults beat BERTopic defaults on ARI everywhere, and automatic K
    lands within +-2 of the true count on ag_news_test."""
    out = {}
    for dataset in sorted({r["dataset"] for r in rows}):
        mine = next(r for r in rows if r["dataset"] == dataset and r["method"].startswith("segkit defaults"))
        theirs = next((r for r in rows if r["dataset"] == dataset and r["method"] == "BERTopic defaults"), None)
        out[f"{dataset}: segkit ARI > BERTopic ARI"] = None if theirs is None else mine["ARI"] > theirs["ARI"]
        if dataset == "ag_news_test":
            out["ag_news_test: |auto K - 4| <= 2"] = abs(int(mine["auto_k"]) - mine["true_k"]) <= 2
    return out


def run(quick: bool = False, with_bertopic: bool = True) -> tuple[list[dict], dict, list[str]]:
    rows, infos = [], []
    for name, n in SIZES["quick" if quick else "full"].items():
        dataset_rows, info = evaluate_dataset(name, n, with_bertopic=with_bertopic)
        rows.extend(dataset_rows)
        infos.append(info)
    return rows, verdict(rows), infos


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-bertopic", action="store_true")
    args = parser.parse_args(argv)
    rows, checks, infos = run(args.quick, not args.no_bertopic)
    print_table(f"Target 6: quality vs BERTopic (load average {load_average()})", rows, "\n".join(infos))
    for check, ok in checks.items():
        print(f"  {check}: {ok}")
    return rows, checks


if __name__ == "__main__":
    main()
