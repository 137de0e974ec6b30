"""What each phase of a wait costs: a cost model measured on this machine, corrected by what earlier runs took.

`COSTS[key] = (fixed seconds, seconds per unit)`; the unit of each key is in `UNITS`.
The constants were measured on the 2-core Intel Xeon (AMX) this project runs its
benchmarks on, quiet (load 1.0-1.1): `bench/wait_costs.py` times every phase at 5,000-
200,000 users of real reviews and fits each one; roles (two variables), the per-segment
description costs (real HDBSCAN / K-means labels) and MiniLM (bench/wait_accuracy.py's
children) were fitted from the same kind of timings by hand. bench/README.md has the runs.

Machines differ (the same MiniLM ran 200 texts/s on one and 500 on another), so every
finished wait also updates a per-machine correction: `Speeds` keeps, per phase key, the
ratio of actual to modelled seconds in `<cache dir>/wait_speeds.json` (a geometric
moving average, clipped to 1/4..4), and `expect` applies it. Embedding phases are
keyed by embedder and engine (`embed.minilm.openvino`); MiniLM's cost is modelled here
(its time per text grew as 1 + characters / 400 on this machine, not as the characters),
the other embedders' by their own `expected_seconds`.
"""

from __future__ import annotations

import json
import math
import os
import threading
from pathlib import Path

from segkit.waits import Phase, Wait

# key: (fixed s, s per unit).
COSTS: dict[str, tuple[float, float]] = {
    "read.parse": (0.012, 0.0074),
    "read.parse_other": (0.05, 0.03),  # Excel, Parquet, JSON Lines: not fitted (a guess)
    "read.columns": (0.018, 0.0011),
    "roles": (0.076, 0.0076),
    "prepare": (0.016, 0.0118),
    "space.fuse": (0.0, 0.0076),
    "space.pca": (0.007, 0.003),
    "space.umap.graph": (0.05, 0.0165),  # relative misses -4% / +18% / -17% at 5,000 / 20,000 / 50,000
    "space.umap.layout": (0.2, 2.11),
    "map.umap.graph": (0.1, 0.014),
    "map.umap.layout": (0.82, 1.58),
    "cluster.auto_k": (0.0, 0.084),
    "cluster.fit.kmeans": (0.0, 0.0015),
    "cluster.fit.minibatch_kmeans": (0.007, 0.0012),
    "cluster.fit.gmm": (0.0, 0.0019),
    # superlinear: one fit took 0.14 / 0.47 / 1.42 / 2.12 s at 8,000 / 20,000 / 40,000 / 50,000 users
    "cluster.fit.hdbscan": (0.0, 0.0055),
    "cluster.fit.dbscan": (0.0, 0.028),  # not fitted: HDBSCAN's
    "cluster.fit.agglomerative": (0.0, 0.0157),
    "cluster.metrics": (0.02, 0.001),
    "describe.sentiment": (0.1, 0.54),
    "describe.keywords": (0.0, 0.042),
    # per segment x ..., from real HDBSCAN / K-means labels (6-105 segments)
    "describe.keyword_scores": (0.0, 0.13),
    "describe.rest": (0.03, 0.00013),
    # The Recommend page (segkit.recommend), fitted on the Amazon musical-instruments users
    # (1,429 users, 10,261 reviews), yelp_10k (6,403 users, 10,000 reviews), both TF-IDF, and
    # bench/recommend_bench.py's planted set (2,000 users, 49,594 ratings, no text).
    "recommend.split": (0.03, 0.009),
    # The model keeps the run's TF-IDF state (0.23-0.36 s); an old cache entry without it refits.
    "recommend.model": (0.3, 0.0),
    "recommend.score": (0.57, 0.079),
    # Per K after the first: 0.09-0.10 / 0.20-0.22 / 0.13-0.14 s on the three (refitted after
    # the sweep stopped fitting TF-IDF and the classifier per K; it was 0.029 per unit).
    "recommend.sweep": (0.0, 0.0229),
    # MiniLM (bench/wait_accuracy.py's children, 300-5,000 yelp_10k / womens_clothing reviews):
    # loading until the first batch, then per unit of plans.minilm_units. OpenVINO and torch ran
    # as fast here (240-250 texts/s at 705 characters, 355 at 330); torch loads for longer.
    "embed.minilm.openvino.load": (0.5, 0.0),
    "embed.minilm.openvino": (0.0, 1.5),
    "embed.minilm.torch.load": (4.4, 0.0),
    "embed.minilm.torch": (0.0, 1.55),
}

# What one unit of each key is (segkit/waits/plans.py computes them).
UNITS: dict[str, str] = {
    "read.parse": "MB of file", "read.parse_other": "MB of file", "read.columns": "MB of file",
    "roles": "MB of file + 0.12 x thousand cells", "prepare": "MB of file",
    "space.fuse": "million values (users x dimensions)", "space.pca": "million values",
    "space.umap.graph": "(thousand users)^1.5 (neighbours, fuzzy graph, spectral start)",
    "space.umap.layout": "million user-rounds", "map.umap.graph": "(thousand users)^1.5",
    "map.umap.layout": "million user-rounds", "cluster.auto_k": "thousand users in the sweep's sample",
    "cluster.fit.agglomerative": "(thousand users)^2.4", "cluster.fit.hdbscan": "(thousand users)^1.5", "cluster.metrics": "thousand users",
    "describe.sentiment": "MB of scored reviews", "describe.keywords": "thousand counted rows (those of at most 20,000 users)",
    "describe.keyword_scores": "segments x million terms counted (dense scores; 0.04-0.17 s per unit measured)",
    "describe.rest": "segments x thousand described users (at most 20,000)",
    "recommend.split": "thousand rows of the text table", "recommend.model": "one model",
    "recommend.score": "thousand users + 0.2 x thousand interactions",
    "recommend.sweep": "K values x (thousand users + 0.025 x thousand interactions + 2.41), plus one recommend.model",
    "embed.minilm.openvino": "thousand texts x (1 + characters / 400, at most 1,100 characters)",
    "embed.minilm.torch": "thousand texts x (1 + characters / 400, at most 1,100 characters)",
}
# Any other cluster.fit.<algorithm>: thousand users.

LEARN_WEIGHT = 0.5  # how much the latest run moves a correction (in log space)
MIN_LEARN_S = 0.3  # phases shorter than this (expected and actual) teach nothing: timer noise
FACTOR_RANGE = (0.25, 4.0)
FILE_NAME = "wait_speeds.json"
SPEEDS_ENV = "SEGKIT_WAIT_SPEEDS"  # another file for the corrections (a benchmark's fresh start)


def model_seconds(key: str, units: float) -> float:
    """The cost model's seconds for `units` of phase `key` (0 for a phase it does not know)."""
    fixed, per_unit = COSTS.get(key, (0.0, 0.0))
    return fixed + per_unit * max(float(units), 0.0)


class Speeds:
    """Per-machine corrections of the cost model, kept in the cache folder between runs."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._factors: dict[str, float] | None = None

    def _load(self) -> dict[str, float]:
        if self._factors is None:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                factors = data.get("factors", {}) if isinstance(data, dict) else {}
                self._factors = {str(k): float(v) for k, v in factors.items()
                                 if isinstance(v, (int, float)) and FACTOR_RANGE[0] <= v <= FACTOR_RANGE[1]}
            except (OSError, ValueError, TypeError):
                self._factors = {}
        return self._factors

    def factor(self, key: str) -> float:
        with self._lock:
            return self._load().get(key, 1.0)

    def learn(self, key: str, raw: float, actual: float) -> None:
        """One more measurement of phase `key`: `actual` seconds where the model said `raw`."""
        if raw <= 0 or actual <= 0 or max(raw, actual) < MIN_LEARN_S:
            return
        with self._lock:
            factors = dict(self._load())
            old = factors.get(key, 1.0)
            new = math.exp((1 - LEARN_WEIGHT) * math.log(old) + LEARN_WEIGHT * math.log(actual / raw))
            factors[key] = min(max(new, FACTOR_RANGE[0]), FACTOR_RANGE[1])
            self._factors = factors
            self._save(factors)

    def _save(self, factors: dict[str, float]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
            temporary.write_text(json.dumps({"version": 1, "factors": factors}, indent=1, sort_keys=True),
                                 encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:  # a read-only cache folder: this correction lasts for this object only
            pass


def speeds_path() -> Path:
    """$SEGKIT_WAIT_SPEEDS, else wait_speeds.json in the cache folder ($SEGKIT_CACHE_DIR or ~/.cache/segkit)."""
    from segkit.embed.cache import default_cache_dir

    chosen = os.environ.get(SPEEDS_ENV, "").strip()
    return Path(chosen) if chosen else Path(default_cache_dir()) / FILE_NAME


def speeds() -> Speeds:
    """The corrections kept at `speeds_path()`, read from the file: the file is their only
    store (no process-wide copy), so every session and process sees what any of them learned.
    A read is a small JSON file per phase planned; with a read-only cache folder nothing is learned."""
    return Speeds(speeds_path())


def expect(key: str, units: float | None = None, raw: float | None = None, until_progress: bool = False) -> Phase:
    """Phase `key` as this machine is expected to run it: the model's seconds for `units`
    (or `raw` seconds from another model, e.g. an embedder's), times the learned correction."""
    seconds = model_seconds(key, units or 0.0) if raw is None else float(raw)
    return Phase(key, seconds * speeds().factor(key), seconds, until_progress)


def learn_from(wait: Wait) -> None:
    """Teach `speeds()` what each finished phase of `wait` really took (Wait's on_finish)."""
    store = speeds()
    for phase, actual in zip(wait.phases, wait.measured_all(), strict=True):
        if actual is not None and phase.raw:
            store.learn(phase.name, phase.raw, actual)
