"""The phases of each wait a person sees, with what each is expected to take here.

One function per wait; each returns a `Wait` that teaches the per-machine corrections
(`costs.speeds()`) when it finishes. The phase names are those the library announces
(`segkit.waits.phase`): read_table ("read.parse", "read.columns"), build_space
("space.fuse", "space.pca", "space.umap.graph", "space.umap.layout"), cluster_space and
segment_embedded ("cluster.auto_k", "cluster.fit.<algorithm>", "cluster.metrics",
"describe.sentiment", "describe.keywords", "describe.rest"), project_2d
("map.umap.graph", "map.umap.layout").
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace

from segkit import waits
from segkit.waits import Phase, Wait, costs
from segkit.waits.costs import expect, learn_from

MB = 1024 * 1024
# segkit.sentiment.SUMMARY_SAMPLE and segkit.describe.summary.KEYWORD_SAMPLE, without their imports.
SENTIMENT_ROWS = 10_000
KEYWORD_USERS = 20_000
SWEEP_SAMPLE = 4_000  # segkit.metrics.sweep.SWEEP_SAMPLE
DENSITY = ("hdbscan", "dbscan")
# Segments expected before the clustering says: automatic K picks 2-15; HDBSCAN found 20-60
# on the benchmark sets at 5,000-50,000 users.
GUESSED_SEGMENTS, GUESSED_SEGMENTS_DENSITY = 8, 40
GUESSED_TERMS_PER_USER = 5.0  # terms kept per described user (63,000-116,000 at 20,000 users)


def _wait(phases: Sequence[Phase]) -> Wait:
    return Wait(phases, on_finish=learn_from)


BYTES_PER_CELL = 80  # for the roles' first estimate, before the table's shape is known


def upload_wait(n_bytes: int, kind: str = "csv") -> Wait:
    """Reading a file and inferring its column roles (the Data page's upload, the CLI's input)."""
    megabytes = n_bytes / MB
    parse = "read.parse" if kind == "csv" else "read.parse_other"
    return _wait([expect(parse, megabytes), expect("read.columns", megabytes),
                  roles_phase(n_bytes, n_bytes / BYTES_PER_CELL)])


def roles_phase(n_bytes: int, n_cells: float) -> Phase:
    """segkit.io.infer_roles on a table of `n_cells` cells read from `n_bytes`."""
    return expect("roles", n_bytes / MB + 0.12 * n_cells / 1000)


def enter_roles(n_bytes: int, shape: tuple[int, int]) -> None:
    """The open wait moves on to inferring roles, now that the table's shape is known."""
    phase = roles_phase(n_bytes, shape[0] * shape[1])
    waits.phase("roles", phase.seconds, phase.raw)


def read_kind(filename: str) -> str:
    """'csv' for delimited text (parsed with progress), else 'other'."""
    return "csv" if filename.lower().endswith((".csv", ".tsv", ".txt", ".tab")) else "other"


def prepare_wait(n_bytes: int) -> Wait:
    """One row per user from the rows, with the personal-data scan (segkit.io.prepare_users)."""
    return _wait([expect("prepare", n_bytes / MB)])


def _umap_phases(prefix: str, n_users: int, rounds: int) -> list[Phase]:
    thousands = n_users / 1000
    return [expect(f"{prefix}.graph", thousands ** 1.5), expect(f"{prefix}.layout", thousands * rounds / 1000)]


def space_wait(n_users: int, n_dims: int, reducer: str, reducer_params: dict) -> Wait:
    """Fusing text and traits, then the reducer (segkit.pipeline.build_space). `reducer`
    and its params as `segkit.pipeline.resolve_reducer(config, n_users)` gives them."""
    values = n_users * max(n_dims, 1) / 1e6
    phases = [expect("space.fuse", values)]
    if reducer == "umap":
        rounds = int(reducer_params.get("n_epochs") or (500 if n_users <= 10_000 else 200))
        phases += _umap_phases("space.umap", n_users, rounds)
    elif reducer == "pca":
        phases.append(expect("space.pca", values))
    return _wait(phases)


# UMAP's numba compilation (segkit.reduce.map2d.warm_up_umap): the small-data path, then
# the 4,096+-user one; measured here 38-50 s for both (bench/README.md).
COMPILE_SMALL_S, COMPILE_ALL_S = 15.0, 45.0


def map_wait(n_users: int, compiling_for: float | None = None) -> Wait:
    """The 2-D UMAP map (segkit.reduce.map2d.project_2d: UMAP's default rounds);
    `compiling_for`: seconds the background warm-up has compiled so far (map2d.warm_up_seconds)."""
    phases = _umap_phases("map.umap", n_users, 500 if n_users <= 10_000 else 200)
    if compiling_for is not None:
        total = COMPILE_ALL_S if n_users >= 4_096 else COMPILE_SMALL_S
        phases.insert(0, Phase("map.umap.compile", max(total - compiling_for, 1.0)))
    return _wait(phases)


FIT_EXPONENTS = {"agglomerative": 2.4, "hdbscan": 1.5}  # costs' unit: (thousand users) ** exponent


def _fit(algorithm: str, n_users: float, times: float = 1.0) -> Phase:
    """`times` fits of `algorithm` on `n_users` users."""
    return expect(f"cluster.fit.{algorithm}", times * (n_users / 1000) ** FIT_EXPONENTS.get(algorithm, 1.0))


def refits_wait(n_users: int, algorithm: str, refits: int, fraction: float = 1.0) -> Wait:
    """`refits` fits of the method on `fraction` of `n_users` users: seed stability
    (segkit.metrics.stability.seed_stability, segkit.export.report.segment_stability)
    and bootstrap stability; each fit costs what the clustering's own fit does."""
    return _wait([replace(_fit(algorithm, n_users * fraction, refits), steps_from_start=True)])


def seed_stability_wait(n_users: int, algorithm: str) -> Wait:
    """segkit.metrics.stability.seed_stability: one fit per seed."""
    from segkit.metrics.stability import SEED_STABILITY_SEEDS

    return refits_wait(n_users, algorithm, len(SEED_STABILITY_SEEDS))


def segment_stability_wait(n_users: int, algorithm: str, deterministic: bool) -> Wait:
    """segkit.export.report.segment_stability: bootstrap refits on resamples for a
    deterministic method, else one fit per other seed."""
    from segkit.export.report import STABILITY_SEEDS
    from segkit.metrics.stability import BOOTSTRAP_FRACTION, BOOTSTRAP_REPEATS

    if deterministic:
        return refits_wait(n_users, algorithm, BOOTSTRAP_REPEATS, BOOTSTRAP_FRACTION)
    return refits_wait(n_users, algorithm, len(STABILITY_SEEDS))


def text_size(texts: Sequence[str]) -> tuple[int, float]:
    """(rows, mean characters per row) of a table's texts for cluster_wait, the mean from at most 2,000 rows."""
    step = max(len(texts) // 2000, 1)
    sample = texts[::step]
    return len(texts), (sum(len(t) for t in sample) / len(sample) if sample else 0.0)


def sweep_wait(n_users: int) -> Wait:
    """The K sweep on its own (the "Choosing K" chart with a K someone chose)."""
    return _wait([expect("cluster.auto_k", min(n_users, SWEEP_SAMPLE) / 1000)])


def cluster_wait(n_users: int, algorithm: str, auto_k: bool, n_rows: int, mean_chars: float,
                 described: bool = False, k: int | None = None, sentiment: bool = True) -> Wait:
    """Clustering, metrics and descriptions (segkit.pipeline.segment_embedded with a space).

    `n_rows`, `mean_chars`: the table's texts; `described`: this table was described
    before in this process (its sentiment scores and word counts are kept in the Memory);
    `k`: the number of segments asked for, if any; `sentiment`: whether reviews are scored
    (segment_embedded's with_sentiment). Keywords and names are per segment: the
    library says how many there are when it gets there, and those phases are revised."""
    thousands = n_users / 1000
    phases = []
    if auto_k:
        phases.append(expect("cluster.auto_k", min(n_users, SWEEP_SAMPLE) / 1000))
    phases.append(_fit(algorithm, n_users))
    phases.append(expect("cluster.metrics", thousands))
    if not described and n_rows and mean_chars:
        scored = min(n_rows, SENTIMENT_ROWS) * mean_chars / MB
        counted = n_rows * min(1.0, KEYWORD_USERS / max(n_users, 1)) / 1000
        phases += [expect("describe.sentiment", scored)] if sentiment else []
        phases.append(expect("describe.keywords", counted))
    described_users = min(n_users, KEYWORD_USERS) / 1000

    def scores(segments: int, terms: float = GUESSED_TERMS_PER_USER * min(n_users, KEYWORD_USERS)) -> Phase:
        return expect("describe.keyword_scores", segments * terms / 1e6)

    def rest(segments: int) -> Phase:
        return expect("describe.rest", segments * described_users)

    guess = k or (GUESSED_SEGMENTS_DENSITY if algorithm in DENSITY else GUESSED_SEGMENTS)
    wait = _wait([*phases, scores(guess), rest(guess)])
    wait.revisers.update({"describe.keyword_scores": scores, "describe.rest": rest})
    return wait


def embedder_engine(name: str) -> str | None:
    """The engine `name` would run on, found without loading anything: MiniLM runs on
    OpenVINO when it is installed unless SEGKIT_MINILM_ENGINE says otherwise (segkit.embed.minilm)."""
    if name != "minilm":
        return None
    forced = os.environ.get("SEGKIT_MINILM_ENGINE", "").strip().lower()
    if forced in ("openvino", "torch"):
        return forced
    return "openvino" if importlib.util.find_spec("openvino") is not None else "torch"


def embed_key(name: str) -> str:
    """The per-machine speed key of an embedder: 'embed.static', 'embed.minilm.openvino'."""
    engine = embedder_engine(name)
    return f"embed.{name}" + (f".{engine}" if engine else "")


def minilm_units(n_texts: int, mean_chars: float | None) -> float:
    """MiniLM's work in costs' units: thousand texts x (1 + characters / 400), the characters
    cut at the model's 256-token window (~1,100)."""
    return n_texts / 1000 * (1 + min(float(mean_chars or 400.0), 1100.0) / 400)


def _embed_phases(name: str, model_seconds: float, n_texts: int, mean_chars: float | None) -> list[Phase]:
    key = embed_key(name)
    if key in costs.COSTS:  # modelled here: loading until its first batch, then per text
        return [expect(f"{key}.load", 1.0, until_progress=True), expect(key, minilm_units(n_texts, mean_chars))]
    return [expect(key, raw=model_seconds)]


def embed_wait(name: str, model_seconds: float, n_texts: int = 0, mean_chars: float | None = None) -> Wait:
    """Embedding `n_texts` texts of `mean_chars` with `name`, whose own model
    (Embedder.expected_seconds) says `model_seconds`; this machine's measured speed for
    it corrects that (it learns from every embedding)."""
    return _wait(_embed_phases(name, model_seconds, n_texts, mean_chars))


def embed_seconds(name: str, model_seconds: float, n_texts: int = 0, mean_chars: float | None = None) -> float:
    """The embedding's seconds as this machine is expected to take them (the default rule's message)."""
    return sum(p.seconds for p in _embed_phases(name, model_seconds, n_texts, mean_chars))


def chain(parts: Sequence[Wait]) -> Wait:
    """One wait made of several, one after the other (the CLI's one bar for a whole run)."""
    wait = _wait([phase for part in parts for phase in part.phases])
    for part in parts:
        wait.revisers.update(part.revisers)
    return wait


def _text_work(frame, config) -> tuple[int, int, float, str]:
    """(rows with text, texts to embed, mean characters, embedder) of `frame` as
    segkit.pipeline.run_segmentation resolves them (the default rule for "auto")."""
    from segkit.embed.choice import AUTO, choose_for_roles, text_workload
    from segkit.io.language import texts_of

    roles = config.roles
    texts = texts_of(frame, roles.text_cols) if roles.text_cols else []
    n_texts, mean_chars = text_workload(texts)
    name = choose_for_roles(roles, texts).name if config.embedder == AUTO else config.embedder
    return len(texts), n_texts, mean_chars, name


def _embedding_parts(name: str, config, n_texts: int, mean_chars: float) -> list[Wait]:
    """The embedding wait of `n_texts` texts with embedder `name`, as its own model expects
    it; none when nothing is embedded (no text, precomputed vectors, traits only)."""
    from segkit.embed.choice import TRAITS_ONLY
    from segkit.embed.registry import get_embedder

    if not n_texts or name in ("precomputed", TRAITS_ONLY):
        return []
    try:
        model_s = float(get_embedder(name, **config.embedder_params).expected_seconds(n_texts, mean_chars))
    except Exception:  # noqa: BLE001 - the run itself will say what is wrong
        model_s = 0.0
    return [embed_wait(name, model_s, n_texts, mean_chars)]


def _space_part(n_users: int, config) -> Wait:
    """space_wait with the reducer segkit.pipeline.resolve_reducer picks for `n_users`."""
    from segkit.pipeline import resolve_reducer

    roles = config.roles
    reducer, params = resolve_reducer(config, n_users)
    return space_wait(n_users, 128 + len(roles.numeric_cols) + len(roles.categorical_cols), reducer, params)


def _cluster_part(n_users: int, config, n_rows: int, mean_chars: float, sentiment: bool = True) -> Wait:
    """cluster_wait for `config`'s method, with automatic K when it asks for it."""
    from segkit.cluster.registry import CLUSTERERS

    spec = CLUSTERERS.get(config.algorithm)
    k = config.algorithm_params.get("k")
    auto = bool(spec and spec.uses_k and k in (None, "auto"))
    return cluster_wait(n_users, config.algorithm, auto, n_rows, mean_chars, k=None if auto else k,
                        sentiment=sentiment)


def segmentation_wait(frame, config, n_bytes: int, with_map: bool = True) -> Wait:
    """Everything segkit.pipeline.run_segmentation does with `config` on `frame` (read from
    `n_bytes`): preparing users, embedding, the space, clustering and describing, the map."""
    roles = config.roles
    n_rows, n_texts, mean_chars, name = _text_work(frame, config)
    n_users = int(frame[roles.user_col].nunique()) if roles.user_col else len(frame)
    parts = [prepare_wait(n_bytes), *_embedding_parts(name, config, n_texts, mean_chars),
             _space_part(n_users, config), _cluster_part(n_users, config, n_rows, mean_chars)]
    if with_map and config.map_method == "umap":
        parts.append(map_wait(n_users))
    return chain(parts)


# segkit.recommend.coldstart.cold_start_split's default shares: of the users with 2+ items,
# new users (20%) and thin histories (20%) are assigned rather than fitted.
ASSIGNED_SHARE = 0.4


@dataclass(frozen=True)
class _Refit:
    """The recommendation refit's first waits (split, embedding, space) and the sizes the
    later ones work on, estimated before the split."""

    parts: list
    fit_users: int
    fit_texts: int
    mean_chars: float
    n_users: int  # users with interactions
    score_units: float  # recommend.score's units


def _recommend_refit(rows, config, interaction_users) -> _Refit:
    import pandas as pd

    from segkit.recommend.segment_fit import CORPUS_FITTED

    _, n_texts, mean_chars, name = _text_work(rows, config)
    counts = pd.Series(interaction_users).value_counts()
    n_users, n_multi = len(counts), int((counts >= 2).sum())
    fit_users = max(int(n_users - ASSIGNED_SHARE * n_multi), 2)
    fit_texts = int(n_texts * fit_users / max(n_users, 1))
    # TF-IDF is refitted on the training text; other embedders' row vectors are usually cached.
    embedded = fit_texts if name in CORPUS_FITTED else n_texts
    parts = [_wait([expect("recommend.split", len(rows) / 1000)]),
             *_embedding_parts(name, config, embedded, mean_chars), _space_part(fit_users, config)]
    # Scoring grows with the users and, a fifth as fast, with their interactions (measured on
    # 1,429 / 6,403 / 2,000 users with 10,261 / 10,000 / 49,594 interactions).
    score_units = n_users / 1000 + 0.2 * len(interaction_users) / 1000
    return _Refit(parts, fit_users, fit_texts, mean_chars, n_users, score_units)


def recommend_wait(rows, config, interaction_users) -> Wait:
    """segkit.recommend.leakage_free_evaluation of `rows` (the text table) with `config`, for the
    interactions whose user ids are `interaction_users`: split, re-segment the training text,
    fit and apply its model, score every recommender per group."""
    refit = _recommend_refit(rows, config, interaction_users)
    return chain([*refit.parts,
                  _cluster_part(refit.fit_users, config, refit.fit_texts, refit.mean_chars, sentiment=False),
                  _wait([expect("recommend.model"), expect("recommend.score", refit.score_units)])])


def recommend_sweep_wait(rows, config, interaction_users) -> Wait:
    """segkit.recommend.recommendation_k_sweep over the default K range: the refit's space
    once, the automatic rule's sweep, then per K a K-means fit, its model and two recommenders."""
    from segkit.metrics.sweep import default_k_range

    refit = _recommend_refit(rows, config, interaction_users)
    n_k = len(default_k_range(refit.fit_users, config.k_max))
    # Per K: a K-means fit and model on the users, scoring that also grows with the interactions.
    per_k = expect("recommend.sweep", n_k * (refit.n_users / 1000 + 0.025 * len(interaction_users) / 1000 + 2.41))
    model = expect("recommend.model")
    sweep = Phase("recommend.sweep", model.seconds + per_k.seconds, (model.raw or 0.0) + (per_k.raw or 0.0))
    return chain([*refit.parts,
                  cluster_wait(refit.fit_users, "kmeans", False, refit.fit_texts, refit.mean_chars, sentiment=False,
                               k=2),
                  _wait([expect("cluster.auto_k", min(refit.fit_users, SWEEP_SAMPLE) / 1000), sweep])])
