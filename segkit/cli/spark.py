"""`segkit spark ...` / `python -m segkit.spark ...` / `spark-submit -m`-style entry point.

    segkit spark users.parquet --config run.json --out results/ [--mode sample|distributed]
    spark-submit --master yarn segkit/spark/__main__.py s3a://bucket/reviews/ --config run.json --out s3a://bucket/seg/

Bad input ends with one line on stderr and exit status 2, as in `segkit segment`.
"""

from __future__ import annotations

import argparse
import sys
import time


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="segkit spark",
        description="Segment a large user table on Apache Spark with a run config exported by the dashboard.")
    parser.add_argument("input", help="Parquet/CSV/Delta/ORC path (file, directory or URI), or a table name with --table")
    parser.add_argument("--table", action="store_true", help="INPUT is a catalog table name (Hive/Delta), not a path")
    parser.add_argument("--format", help="input format when the path does not tell (parquet, csv, delta, json, orc)")
    parser.add_argument("--config", help="run config JSON (dashboard export / segkit segment --config); "
                        "without it columns are inferred from the first 5,000 rows")
    parser.add_argument("--out", required=True, help="output directory: users/ (Parquet) and bundle/")
    parser.add_argument("--mode", choices=["sample", "distributed"], default="sample",
                        help="sample: fit segkit on a sample, assign everyone (default); "
                             "distributed: MLlib K-means/bisecting K-means/GMM on everyone")
    parser.add_argument("--fit-sample", type=int, default=50_000, help="users clustered on the driver (sample mode)")
    parser.add_argument("--tfidf-sample", type=int, default=50_000, help="distinct texts TF-IDF is fitted on")
    parser.add_argument("--describe-sample", type=int, default=500, help="users per segment for keywords and the map")
    parser.add_argument("--embedder", help="override the config's embedder (tfidf, static, minilm)")
    parser.add_argument("--algorithm", help="override the config's algorithm")
    parser.add_argument("--k", type=int, help="override the number of segments")
    parser.add_argument("--map", choices=["umap", "pca"], help="2-D map method for the sample")
    parser.add_argument("--no-map", action="store_true", help="skip the 2-D map")
    parser.add_argument("--cache-dir", help="per-text embedding cache table directory (any Hadoop path)")
    parser.add_argument("--master", help="Spark master when not under spark-submit (default local[*])")
    parser.add_argument("--driver-memory", default="3g", help="driver memory for a local session (3g)")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    return parser


def _config(args):
    from segkit.config import RunConfig
    from segkit.io.roles import ColumnRoles

    config = RunConfig.load(args.config) if args.config else RunConfig(roles=ColumnRoles(text_cols=()))
    changes = {}
    if args.embedder:
        changes["embedder"] = args.embedder
    if args.algorithm:
        changes["algorithm"] = args.algorithm
    if args.k is not None:
        changes["algorithm_params"] = {**config.algorithm_params, "k": args.k}
    if args.map:
        changes["map_method"] = args.map
    return config.with_changes(**changes) if changes else config


def run(args) -> int:
    from segkit.spark.job import SparkOptions, run_spark_segmentation
    from segkit.spark.session import get_session
    from segkit.spark.source import read_input

    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))
    config = _config(args)
    options = SparkOptions(mode=args.mode, fit_sample=args.fit_sample, tfidf_sample=args.tfidf_sample,
                           describe_per_segment=args.describe_sample, cache_dir=args.cache_dir,
                           with_map=not args.no_map)
    started = time.perf_counter()
    spark = get_session(args.master, driver_memory=args.driver_memory)
    frame = read_input(spark, args.input, fmt=args.format, table=args.table)
    result = run_spark_segmentation(spark, frame, config, args.out, options, log=log)
    manifest = result.manifest
    counts = manifest["counts"]
    metrics = manifest["metrics"]
    print(f"users: {counts['users']:,} ({counts['users_segmented']:,} segmented); "
          f"segments: {metrics['n_segments']}; mode: {manifest['mode']}")
    if "auto_k" in manifest["clustering"]:
        print(f"automatic K = {manifest['clustering']['auto_k']} ({manifest['clustering']['auto_k_rule']})")
    if metrics.get("silhouette") is not None:
        print(f"silhouette (sample): {metrics['silhouette']:.4f}")
    if "ari" in metrics:
        print(f"against '{config.roles.label_col}': ARI {metrics['ari']:.4f}, NMI {metrics['nmi']:.4f}")
    print(f"wrote {result.users_path} and {result.bundle_path} in {time.perf_counter() - started:.1f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    import warnings

    from segkit.runtime import configure_process

    configure_process()  # also an entry point of its own (python -m segkit.spark, spark-submit)

    # pyspark 4.x warns on pandas 3; the paths segkit uses are covered by tests/test_spark.py.
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    warnings.filterwarnings("ignore", message="The copy keyword is deprecated")
    parser = build_parser()
    args = parser.parse_args(argv)
    from segkit.cli.common import run_handler

    return run_handler(run, args)
