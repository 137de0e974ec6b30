"""`segkit` on the command line: the same pipeline as the dashboard, headless.

Bad input ends with a one-line message on stderr and exit status 2; anything else
unexpected with exit status 1 (add --debug for the traceback).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from segkit.errors import SegkitInputError

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for value in values or []:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def _add_input_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", nargs="?", help="CSV/TSV, Excel, Parquet or JSON Lines file")
    parser.add_argument("--text-col", action="append", help="text column (repeat for several)")
    parser.add_argument("--user-col", help="user id column (rows of a user are aggregated)")
    parser.add_argument("--no-user-col", action="store_true", help="treat every row as its own user")
    parser.add_argument("--numeric-cols", action="append", help="comma-separated numeric traits")
    parser.add_argument("--categorical-cols", action="append", help="comma-separated categorical traits")
    parser.add_argument("--label-col", help="ground-truth column: adds ARI/NMI (never used to segment)")
    parser.add_argument("--vector-cols", action="append", help="comma-separated precomputed vector columns")
    parser.add_argument("--embedder", help="minilm, tfidf, static, multilingual, precomputed; default: minilm "
                        "(multilingual for Chinese text, static when MiniLM would take over 10 min)")
    parser.add_argument("--text-weight", type=float, help="0..1: what users write vs how they behave (0.7)")
    parser.add_argument("--reducer", help="auto (default), none, pca, umap")
    parser.add_argument("--n-components", type=int, help="dimensions kept by the reducer")
    parser.add_argument("--algorithm", help="kmeans (default), minibatch_kmeans, hdbscan, dbscan, agglomerative, gmm")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="any algorithm parameter, e.g. --param linkage=average")
    parser.add_argument("--min-cluster-size", type=int, help="HDBSCAN: smallest segment")
    parser.add_argument("--noise", choices=["keep", "reassign"], help="density methods: outliers stay 'Unassigned' or join the nearest segment")
    parser.add_argument("--seed", type=int, help="random seed (0)")
    parser.add_argument("--sentiment-trait", action="store_true",
                        help="add each user's mean review sentiment as a numeric trait for fusion")
    parser.add_argument("--cache-dir", help="embedding cache (default ~/.cache/segkit or $SEGKIT_CACHE_DIR)")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="segkit", description="Segment users by what they write and how they behave.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)

    segment = sub.add_parser("segment", help="segment users and export the labeled rows")
    _add_input_args(segment)
    segment.add_argument("--k", type=int, help="number of segments (omit: chosen automatically)")
    segment.add_argument("--out", help="labeled CSV: every input row with its segment")
    segment.add_argument("--summary", help="per-segment summary CSV")
    segment.add_argument("--config", help="with INPUT: save this run's config here; without INPUT: re-run this saved config")
    segment.add_argument("--report", help="segment dictionary: a self-contained HTML report")
    segment.add_argument("--no-map", action="store_true", help="skip the 2-D map (faster)")
    segment.add_argument("--map", choices=["umap", "pca"],
                         help="2-D map method for the exported map columns and the report: pca (default, "
                              "instant) or umap (nicer, but ~20-35 s of compilation per process)")

    sweep = sub.add_parser("sweep", help="print quality metrics for a range of K")
    _add_input_args(sweep)
    sweep.add_argument("--k-min", type=int, default=2)
    sweep.add_argument("--k-max", type=int, default=12)

    from segkit.model.cli import add_assign_parser, add_save_model_arg
    from segkit.recommend.cli import add_recommend_parser

    add_save_model_arg(segment)
    add_recommend_parser(sub)
    add_assign_parser(sub)
    return parser


def _progress_bar(quiet: bool):
    if quiet:
        return None, lambda: None
    from tqdm import tqdm

    bar = {"bar": None}

    def progress(done: int, total: int) -> None:
        if bar["bar"] is None:
            bar["bar"] = tqdm(total=total, desc="embedding", unit="text", file=sys.stderr, disable=quiet)
        bar["bar"].n = done
        bar["bar"].refresh()

    def close() -> None:
        if bar["bar"] is not None:
            bar["bar"].close()

    return progress, close


def _parse_params(items: list[str]) -> dict:
    params: dict = {}
    for item in items:
        if "=" not in item:
            raise SegkitInputError(f"--param needs NAME=VALUE (got '{item}').")
        name, value = item.split("=", 1)
        params[name.strip()] = _auto_type(value.strip())
    return params


def _auto_type(value: str):
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    return value


def config_from_args(args, frame) -> RunConfig:  # noqa: F821
    from segkit.config import RunConfig
    from segkit.io.roles import infer_roles

    inferred = infer_roles(frame)
    roles = inferred.with_overrides(
        text_cols=_split(args.text_col) or None,
        user_col=args.user_col,
        numeric_cols=_split(args.numeric_cols) if args.numeric_cols is not None else None,
        categorical_cols=_split(args.categorical_cols) if args.categorical_cols is not None else None,
        label_col=args.label_col,
        vector_cols=_split(args.vector_cols) if args.vector_cols is not None else None,
    )
    if args.no_user_col:
        from dataclasses import replace

        roles = replace(roles, user_col=None)
    algorithm_params = _parse_params(args.param)
    if getattr(args, "k", None) is not None:
        algorithm_params["k"] = args.k
    if args.min_cluster_size is not None:
        algorithm_params["min_cluster_size"] = args.min_cluster_size
    reducer_params = {"n_components": args.n_components} if args.n_components else {}
    embedder = args.embedder or ("precomputed" if roles.vector_cols and not args.text_col else None)
    if embedder is None:  # the default rule: MiniLM, multilingual for Chinese, static when too slow
        from segkit.embed.choice import choose_embedder
        from segkit.io.language import texts_of

        choice = choose_embedder(texts_of(frame, roles.text_cols))
        embedder = choice.name
        if not args.quiet:
            print(f"embedder: {embedder}. {choice.reason} (--embedder tfidf is faster)", file=sys.stderr)
    values = dict(roles=roles, embedder=embedder, algorithm_params=algorithm_params,
                  reducer_params=reducer_params, input_path=str(Path(args.input).resolve()))
    for name, value in (("text_weight", args.text_weight), ("reducer", args.reducer),
                        ("algorithm", args.algorithm), ("noise_policy", args.noise), ("seed", args.seed),
                        # The dashboard's UMAP map is warmed in the background; a CLI process would
                        # pay its numba compilation in full, for a map most CLI users never open.
                        ("map_method", getattr(args, "map", None) or ("pca" if args.command == "segment" else None)),
                        ("sentiment_trait", True if getattr(args, "sentiment_trait", False) else None)):
        if value is not None:
            values[name] = value
    return RunConfig(**values)


def _describe_roles(roles) -> str:
    parts = [f"text={','.join(roles.text_cols) or '-'}", f"user={roles.user_col or '(each row)'}"]
    if roles.numeric_cols:
        parts.append(f"numeric={','.join(roles.numeric_cols)}")
    if roles.categorical_cols:
        parts.append(f"categorical={','.join(roles.categorical_cols)}")
    if roles.label_col:
        parts.append(f"label={roles.label_col}")
    return "columns: " + "; ".join(parts)


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def cmd_segment(args) -> int:
    from segkit.config import RunConfig
    from segkit.derived_cache import Memory
    from segkit.embed.cache import EmbeddingCache
    from segkit.export.labeled import labeled_rows
    from segkit.io.read import read_table
    from segkit.outputs import guard_outputs, write_csv_atomic, write_text_atomic
    from segkit.pipeline import run_segmentation

    outputs = {"--out": args.out, "--summary": args.summary, "--report": getattr(args, "report", None),
               "--save-model": getattr(args, "save_model", None)}
    if args.input is None:
        if not args.config:
            raise SegkitInputError("Give an INPUT file, or --config RUN.json to re-run a saved run.")
        config = RunConfig.load(args.config)
        if not config.input_path:
            raise SegkitInputError(f"The config {args.config} names no input file; pass INPUT.")
        # Refuse before reading: an output that is an input would be overwritten.
        guard_outputs({"input file": config.input_path, "--config file": args.config}, outputs)
        loaded = read_table(config.input_path)
        save_config_to = None
    else:
        guard_outputs({"input file": args.input}, {**outputs, "--config": args.config})
        loaded = read_table(args.input)
        config = config_from_args(args, loaded.frame)
        save_config_to = args.config
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))
    log(f"read {loaded.n_rows} rows from {config.input_path} (format {loaded.source_format}"
        + (f", encoding {loaded.encoding}" if loaded.encoding else "") + ")")
    for note in loaded.notes:
        log(f"note: {note}")
    log(_describe_roles(config.roles))
    cache = None if args.no_cache else EmbeddingCache(args.cache_dir)
    memory = Memory()  # trees, word counts, sentiment: kept for this command only
    progress, close = _progress_bar(args.quiet)
    started = time.perf_counter()
    try:
        run = run_segmentation(loaded.frame, config, cache=cache, progress=progress,
                               with_map=not getattr(args, "no_map", False), memory=memory)
    finally:
        close()
    elapsed = time.perf_counter() - started
    for note in [*run.table.notes, *(cache.notes if cache is not None else [])]:
        log(f"note: {note}")
    metrics = run.metrics
    if "auto_k" in metrics:
        print(f"automatic K = {metrics['auto_k']}. {metrics.get('auto_k_note', '')} "
              f"Rule: {metrics['auto_k_rule']}.")
    print(f"users segmented: {metrics['n_users_segmented']} of {metrics['n_users_total']}; "
          f"segments: {metrics['n_segments']}; noise share: {metrics['noise_share']:.3f}")
    sample = metrics.get("silhouette_sample_size")
    sil_note = ""
    if metrics.get("silhouette_seed") is not None:
        sil_note = f" (sampled: {sample} users, seed {metrics['silhouette_seed']})"
    print(f"silhouette: {_fmt(metrics['silhouette'])}{sil_note}; calinski_harabasz: {_fmt(metrics['calinski_harabasz'])}; "
          f"davies_bouldin: {_fmt(metrics['davies_bouldin'])}")
    if "ari" in metrics:
        print(f"against '{config.roles.label_col}': ARI {metrics['ari']:.4f}, NMI {metrics['nmi']:.4f}, "
              f"homogeneity {metrics['homogeneity']:.4f}, completeness {metrics['completeness']:.4f}")
    table = run.summary.table
    print()
    print(table[["segment_id", "segment_name", "size", "share", "keywords"]]
          .to_string(index=False, formatters={"share": "{:.1%}".format, "keywords": lambda s: s[:70]}))
    print(f"\ntime: {elapsed:.1f} s (" + ", ".join(f"{k} {v:.2f}s" for k, v in run.timings.items()) + ")")
    if args.out:
        labeled = labeled_rows(loaded.frame, run)
        write_csv_atomic(labeled, args.out)
        print(f"wrote {len(labeled)} rows to {args.out}")
    if args.summary:
        write_csv_atomic(table, args.summary)
        print(f"wrote {len(table)} segments to {args.summary}")
    if getattr(args, "save_model", None):
        from segkit.model.cli import save_model_from_run

        save_model_from_run(args.save_model, run, loaded.frame)
    if save_config_to:
        write_text_atomic(save_config_to, config.to_json())
        print(f"wrote run config to {save_config_to} (re-run: segkit segment --config {save_config_to})")
    if getattr(args, "report", None):
        from segkit.export.report import segment_report_html

        write_text_atomic(args.report, segment_report_html(run, memory=memory))
        print(f"wrote segment dictionary to {args.report}")
    return 0


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
    table = prepare_users(loaded.frame, config.roles)
    progress, close = _progress_bar(args.quiet)
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


def main(argv: list[str] | None = None) -> int:
    from segkit.runtime import configure_process

    configure_process()  # first: offline hub, torch's OpenMP before numba (segkit/runtime.py)
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["spark"]:  # `segkit spark ...`: own parser in segkit/spark/cli.py; pyspark loaded only here
        from segkit.spark.cli import main as spark_main

        return spark_main(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    from segkit.model.cli import cmd_assign
    from segkit.recommend.cli import cmd_recommend

    handlers = {"segment": cmd_segment, "sweep": cmd_sweep, "recommend": cmd_recommend, "assign": cmd_assign}
    return run_handler(handlers[args.command], args)


def run_handler(handler, args) -> int:
    """Run one command; people get one line and an exit status, never a traceback."""
    try:
        return handler(args)
    except SegkitInputError as exc:
        print(f"segkit: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("segkit: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
        if getattr(args, "debug", False):
            raise
        print(f"segkit: internal error: {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
