"""`segkit sweep`: quality metrics for a range of K, with the suggested K."""

from __future__ import annotations

from segkit.cli.common import add_input_args, config_from_args, progress_bar
from segkit.errors import SegkitInputError


def add_sweep_parser(sub):
    sweep = sub.add_parser("sweep", help="print quality metrics for a range of K")
    add_input_args(sweep)
    sweep.add_argument("--k-min", type=int, default=2)
    sweep.add_argument("--k-max", type=int, default=12)
    return sweep


def cmd_sweep(args) -> int:
    from segkit.cluster.registry import CLUSTERERS
    from segkit.embed.cache import EmbeddingCache
    from segkit.io.prepare import prepare_users
    from segkit.io.read import read_table
    from segkit.metrics.sweep import auto_k_from_sweep, k_sweep
    from segkit.pipeline import build_space, embed_users

    if args.input is None:
        raise SegkitInputError("Give an INPUT file.")
    if not 2 <= args.k_min <= args.k_max:
        raise SegkitInputError(f"Need 2 <= --k-min <= --k-max (got {args.k_min}..{args.k_max}).")
    loaded = read_table(args.input)
    config = config_from_args(args, loaded.frame)
    table = prepare_users(loaded.frame, config.roles, mask_personal_data=config.mask_personal_data)
    progress, close = progress_bar(args.quiet)
    try:
        embeddings = embed_users(table, config.embedder, config.embedder_params,
                                 None if args.no_cache else EmbeddingCache(args.cache_dir), progress, loaded.frame)
    finally:
        close()
    space = build_space(table, embeddings, config)
    algorithm = config.algorithm if config.algorithm in CLUSTERERS.names(uses_k=True) else "kmeans"
    sweep = k_sweep(space.matrix, range(args.k_min, args.k_max + 1), algorithm, seed=config.seed)
    print(sweep.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    if algorithm == "kmeans":
        chosen = auto_k_from_sweep(sweep)
        print(f"suggested K: {chosen.k}. {chosen.note}")
    else:
        print(f"suggested K: {auto_k_from_sweep(sweep).k} (highest silhouette)")
    return 0
