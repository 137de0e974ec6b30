"""Issue #13 targets for segment descriptions: distinct keywords, distinct names, examples
that belong. Old method (the describe code at commit c4fe8b1) vs new, on the same segments.

    python bench/describe_quality.py [--n 4000] [--sets yelp_10k,amazon_mi] [--show]

Per dataset, embedder minilm (English) or multilingual (Chinese) through segkit's
EmbeddingCache; segmentations: K-means at segkit's automatic K (read from the run, so it
follows the defaults), K-means at K = 8, and HDBSCAN with its defaults. Printed per row:

* kw_jaccard: mean over segment pairs of the Jaccard index of their top-10 keywords (target <= 0.20);
* name_share: share of segment pairs whose names share a word (segkit.tokenize's words,
  stop words kept) (target <= 10%);
* purity (labelled sets): share of segments whose top example comes from a user with the
  segment's majority label (target >= 90%);
* majority_share (labelled sets): mean share of a segment's majority label, i.e. the purity a
  randomly chosen example would reach on average;
* describe: seconds of describe_segments (new) for the run.
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import time
import types
from pathlib import Path

import numpy as np
import pandas as pd

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import datasets  # noqa: E402
from common import load_average, print_table  # noqa: E402

from segkit.cluster.registry import CLUSTERERS  # noqa: E402
from segkit.config import RunConfig  # noqa: E402
from segkit.describe.summary import describe_segments  # noqa: E402
from segkit.embed.cache import EmbeddingCache  # noqa: E402
from segkit.io.prepare import prepare_users  # noqa: E402
from segkit.io.roles import ColumnRoles  # noqa: E402
from segkit.pipeline import build_space, embed_users, segment_embedded  # noqa: E402
from segkit.tokenize import tokenize  # noqa: E402

OLD_COMMIT = "c4fe8b1"
TARGETS = {"kw_jaccard": 0.20, "name_share": 0.10, "purity": 0.90}


def load_sets(n: int) -> dict:
    """name -> (one row per review/text frame, roles, embedder)."""
    text = ColumnRoles(text_cols=("text",), label_col="label")
    users = ColumnRoles(text_cols=("text",), user_col="user_id")
    return {
        "yelp_10k": (lambda: datasets.yelp(n).drop(columns="label"), ColumnRoles(text_cols=("text",)), "minilm"),
        "womens_clothing": (lambda: datasets.womens_clothing(n)[["text", "label"]], text, "minilm"),
        "amazon_mi": (lambda: datasets.amazon_instruments(max_users=n), users, "minilm"),
        "ag_news_test": (lambda: datasets.ag_news(n), text, "minilm"),
        "zh_tnews_dev": (lambda: datasets.zh_tnews(n), text, "multilingual"),
    }


def old_describers():
    """(segment_keywords, auto_names, representative_users) as they were at OLD_COMMIT, or None."""
    modules = {}
    for name in ("keywords", "naming", "representative"):
        try:
            source = subprocess.run(["git", "show", f"{OLD_COMMIT}:segkit/describe/{name}.py"], cwd=BENCH.parent,
                                    capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
        module = types.ModuleType(f"old_{name}")
        exec(compile(source, f"{OLD_COMMIT}:{name}.py", "exec"), module.__dict__)  # noqa: S102
        modules[name] = module
    return (modules["keywords"].segment_keywords, modules["naming"].auto_names,
            modules["representative"].representative_users)


def keyword_jaccard(keywords: dict) -> float:
    sets = [{t for t, _ in terms[:10]} for terms in keywords.values()]
    pairs = [len(a & b) / len(a | b) for a, b in itertools.combinations(sets, 2) if a | b]
    return float(np.mean(pairs)) if pairs else float("nan")


def name_share(names: dict) -> float:
    words = [set(tokenize(name, drop_stop_words=False)) for name in names.values()]
    pairs = [bool(a & b) for a, b in itertools.combinations(words, 2)]
    return float(np.mean(pairs)) if pairs else float("nan")


def example_purity(top_user: dict, labels: np.ndarray, truth: np.ndarray | None) -> float | None:
    """Share of segments whose top example's user has the segment's majority label."""
    if truth is None:
        return None
    hits = []
    for segment, user in top_user.items():
        if user is None:
            continue
        members = truth[labels == segment]
        majority = pd.Series(members).value_counts().index[0]
        hits.append(truth[user] == majority)
    return float(np.mean(hits)) if hits else None


def _majority_share(labels: np.ndarray, truth: np.ndarray | None) -> float | str:
    """Mean over segments of their majority label's share: what a random member would score."""
    if truth is None:
        return "-"
    shares = [pd.Series(truth[labels == s]).value_counts(normalize=True).iloc[0]
              for s in np.unique(labels) if s >= 0]
    return round(float(np.mean(shares)), 3) if shares else "-"


def describe_old(old, texts: list[str], run) -> tuple[dict, dict, dict]:
    segment_keywords, auto_names, representative_users = old
    labels = run.result.labels
    keywords = segment_keywords(texts, labels, top_n=10)
    names = auto_names(keywords)
    reps = representative_users(run.space.matrix, labels, run.result.confidence,
                                CLUSTERERS[run.config.algorithm].density_based, 5)
    # The old summary showed the representatives that have text, in that order.
    top = {s: next((i for i in idx if texts[i]), None) for s, idx in reps.items()}
    return keywords, names, top


def run_set(name: str, make, roles: ColumnRoles, embedder: str, old, show: bool) -> list[dict]:
    frame = make()
    table = prepare_users(frame, roles)
    embeddings = embed_users(table, embedder, cache=EmbeddingCache(), frame=frame)
    users = table.users.iloc[embeddings.user_index].reset_index(drop=True)
    all_texts = table.user_texts()
    texts = [all_texts[i] for i in embeddings.user_index]
    truth = users["label"].astype(str).to_numpy() if "label" in users.columns else None
    id_to_index = {str(u): i for i, u in enumerate(users["user_id"])}
    rows = []
    spaces: dict = {}
    for label, config in (("kmeans auto K", RunConfig(roles=roles, embedder=embedder)),
                          ("kmeans K=8", RunConfig(roles=roles, embedder=embedder, algorithm_params={"k": 8})),
                          ("hdbscan", RunConfig(roles=roles, embedder=embedder, algorithm="hdbscan"))):
        key = CLUSTERERS[config.algorithm].density_based
        if key not in spaces:
            spaces[key] = build_space(table, embeddings, config)
        run = segment_embedded(table, embeddings, config, with_map=False, space=spaces[key])
        labels = run.result.labels
        start = time.perf_counter()
        summary = describe_segments(users, texts, run.space.matrix, labels, run.result.confidence,
                                    CLUSTERERS[config.algorithm].density_based)
        seconds = time.perf_counter() - start
        names = {s: n for s, n in summary.names.items() if s >= 0}
        top_new = {s: (id_to_index[ids[0]] if ids else None) for s, ids in summary.representative_user_ids.items()}
        row = {"data": name, "users": len(texts), "segmentation": label, "K": run.result.n_clusters,
               "noise": round(run.result.noise_share, 3), "majority_share": _majority_share(labels, truth)}
        measured = {"new": (summary.keywords, names, top_new)}
        if old is not None:
            measured["old"] = describe_old(old, texts, run)
        for which in ("old", "new"):
            if which not in measured:
                continue
            keywords, names_, top = measured[which]
            purity = example_purity(top, labels, truth)
            row[f"kw_jaccard_{which}"] = round(keyword_jaccard(keywords), 3)
            row[f"name_share_{which}"] = round(name_share(names_), 3)
            row[f"purity_{which}"] = "-" if purity is None else round(purity, 3)
        row["describe_s"] = round(seconds, 3)
        row["met"] = _met(row)
        rows.append(row)
        if show:
            _show(name, label, summary, truth, labels, id_to_index)
    return rows


def _met(row: dict) -> str:
    fails = []
    if row["kw_jaccard_new"] > TARGETS["kw_jaccard"]:
        fails.append("jaccard")
    if row["name_share_new"] > TARGETS["name_share"]:
        fails.append("names")
    if row["purity_new"] != "-" and row["purity_new"] < TARGETS["purity"]:
        fails.append("purity")
    return "yes" if not fails else "NO: " + ",".join(fails)


def _show(name, label, summary, truth, labels, id_to_index) -> None:
    print(f"\n### {name} · {label}")
    for _, row in summary.table.iterrows():
        segment = int(row["segment_id"])
        if segment < 0:
            continue
        ids = summary.representative_user_ids.get(segment, [])
        extra = ""
        if truth is not None and ids:
            majority = pd.Series(truth[labels == segment]).value_counts().index[0]
            extra = f" [majority {majority}; example's label {truth[id_to_index[ids[0]]]}]"
        example = summary.representative_texts.get(segment, [""])
        print(f"- {row['segment_name']} ({int(row['size'])} users){extra}\n    keywords: {row['keywords']}\n"
              f"    example: {(example[0] if example else '')[:200]!r}")


def run(n: int = 4000, sets: list[str] | None = None, show: bool = False, with_old: bool = True) -> list[dict]:
    available = load_sets(n)
    old = old_describers() if with_old else None
    rows = []
    for name in sets or list(available):
        make, roles, embedder = available[name]
        rows.extend(run_set(name, make, roles, embedder, old, show))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=4000, help="users per set at most (default 4000)")
    parser.add_argument("--sets", default="", help="comma list of " + ", ".join(load_sets(1)))
    parser.add_argument("--show", action="store_true", help="print names, keywords and top example per segment")
    parser.add_argument("--no-old", action="store_true", help="skip the old method's columns")
    args = parser.parse_args()
    sets = [s for s in args.sets.split(",") if s] or None
    rows = run(args.n, sets, args.show, not args.no_old)
    print_table(f"Issue #13 description targets, old ({OLD_COMMIT}) vs new (load average {load_average()})", rows,
                "targets: kw_jaccard <= 0.20, name_share <= 0.10, purity >= 0.90 (labelled sets)")


if __name__ == "__main__":
    main()
