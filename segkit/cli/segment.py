"""`segkit segment`: segment users and export the labeled rows, summary, report, config, model."""

from __future__ import annotations

import sys
import time

from segkit import waits
from segkit.cli.common import add_input_args, config_from_args, describe_roles, fmt, wait_line
from segkit.errors import SegkitInputError
from segkit.waits import plans


def add_segment_parser(sub):
    segment = sub.add_parser("segment", help="segment users and export the labeled rows")
    add_input_args(segment)
    segment.add_argument("--k", type=int, help="number of segments (omit: chosen automatically)")
    segment.add_argument("--out", help="labeled CSV: every input row with its segment")
    segment.add_argument("--summary", help="per-segment summary CSV")
    segment.add_argument("--users-out", metavar="USERS.csv|.parquet",
                         help="audience file for a CRM: one row per user (also those not segmented, with "
                              "the reason), the user id column, segment_id, segment_name, confidence, traits")
    segment.add_argument("--audience-flags", action="store_true",
                         help="with --users-out: one true/false column per segment (in_<segment name>)")
    segment.add_argument("--config", help="with INPUT: save this run's config here; without INPUT: re-run this saved config")
    segment.add_argument("--mask-exports", action="store_true",
                         help="mask personal data in the text columns of --out too (default: original text; "
                              "the segkit_personal_data column says what each row holds either way)")
    segment.add_argument("--report", help="segment dictionary: a self-contained HTML report")
    segment.add_argument("--no-map", action="store_true", help="skip the 2-D map (faster)")
    segment.add_argument("--explain", action="store_true",
                         help="print each segment's rules (coverage, precision) and how well a cross-validated "
                              "classifier tells the segments apart (per-segment F1, 'hard to tell from' flags)")
    segment.add_argument("--map", choices=["umap", "pca"],
                         help="2-D map method for the exported map columns and the report: pca (default, "
                              "instant) or umap (nicer, but ~20-35 s of compilation per process)")
    return segment


def _size(path) -> int:
    from pathlib import Path

    return Path(path).stat().st_size if path and Path(path).is_file() else 0


def _read(path, quiet: bool, then=None):
    """(read_table(path), then(frame)) under one bar: reading, then `then` (config_from_args,
    which infers the column roles)."""
    from segkit.io.read import read_table

    size = _size(path)
    with wait_line(f"reading {path}", plans.upload_wait(size, plans.read_kind(str(path))), quiet):
        loaded = read_table(path)
        plans.enter_roles(size, loaded.frame.shape)
        return loaded, then(loaded.frame) if then is not None else None


def personal_data_line(table) -> str:
    """One line on what personal data the texts held, by kind, and whether it was masked."""
    from segkit.privacy.words import personal_data_summary

    return "privacy: " + personal_data_summary(table.personal_data, table.texts_masked, "en")


def cmd_segment(args) -> int:
    from segkit.config import RunConfig
    from segkit.derived_cache import Memory
    from segkit.embed.cache import EmbeddingCache
    from segkit.export.labeled import labeled_rows
    from segkit.outputs import (
        guard_outputs,
        write_csv_atomic,
        write_csv_reported,
        write_text_atomic,
    )
    from segkit.pipeline import run_segmentation

    outputs = {"--out": args.out, "--summary": args.summary, "--users-out": getattr(args, "users_out", None), "--report": getattr(args, "report", None),
               "--save-model": getattr(args, "save_model", None)}
    if getattr(args, "audience_flags", False) and not getattr(args, "users_out", None):
        raise SegkitInputError("--audience-flags needs --users-out FILE (the audience file it adds columns to).")
    if getattr(args, "users_out", None):
        from segkit.export.audience import AUDIENCE_FORMATS

        if not str(args.users_out).lower().endswith(AUDIENCE_FORMATS):
            raise SegkitInputError(f"--users-out must end in .csv or .parquet: {args.users_out}")
    if args.input is None:
        if not args.config:
            raise SegkitInputError("Give an INPUT file, or --config RUN.json to re-run a saved run.")
        config = RunConfig.load(args.config)
        if not config.input_path:
            raise SegkitInputError(f"The config {args.config} names no input file; pass INPUT.")
        # Refuse before reading: an output that is an input would be overwritten.
        guard_outputs({"input file": config.input_path, "--config file": args.config}, outputs)
        loaded, _ = _read(config.input_path, args.quiet)
        save_config_to = None
    else:
        guard_outputs({"input file": args.input}, {**outputs, "--config": args.config})
        loaded, config = _read(args.input, args.quiet, lambda frame: config_from_args(args, frame))
        save_config_to = args.config
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))
    log(f"read {loaded.n_rows} rows from {config.input_path} (format {loaded.source_format}"
        + (f", encoding {loaded.encoding}" if loaded.encoding else "") + ")")
    for note in loaded.notes:
        log(f"note: {note}")
    log(describe_roles(config.roles))
    cache = None if args.no_cache else EmbeddingCache(args.cache_dir)
    memory = Memory()  # trees, word counts, sentiment: kept for this command only
    with_map = not getattr(args, "no_map", False)
    wait = plans.segmentation_wait(loaded.frame, config, _size(config.input_path or args.input), with_map)
    started = time.perf_counter()
    with wait_line("segmenting", wait, args.quiet):  # one bar: what runs and the time left
        run = run_segmentation(loaded.frame, config, cache=cache, progress=waits.progress_callback(),
                               with_map=with_map, memory=memory)
    elapsed = time.perf_counter() - started
    for note in [*run.table.notes, *(cache.notes if cache is not None else [])]:
        log(f"note: {note}")
    print(personal_data_line(run.table))
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
    print(f"silhouette: {fmt(metrics['silhouette'])}{sil_note}; calinski_harabasz: {fmt(metrics['calinski_harabasz'])}; "
          f"davies_bouldin: {fmt(metrics['davies_bouldin'])}")
    if metrics.get("degenerate"):
        print(f"warning: only {metrics['n_distinct_points']} distinct points among {metrics['n_users_segmented']} "
              "users in the clustering space: many users are identical, so silhouette and Calinski-Harabasz "
              "measure ties, not segments.")
    if "ari" in metrics:
        print(f"against '{config.roles.label_col}': ARI {metrics['ari']:.4f}, NMI {metrics['nmi']:.4f}, "
              f"homogeneity {metrics['homogeneity']:.4f}, completeness {metrics['completeness']:.4f}")
    table = run.summary.table
    print()
    print(table[["segment_id", "segment_name", "size", "share", "keywords"]]
          .to_string(index=False, formatters={"share": "{:.1%}".format, "keywords": lambda s: s[:70]}))
    print(f"\ntime: {elapsed:.1f} s (" + ", ".join(f"{k} {v:.2f}s" for k, v in run.timings.items()) + ")")
    rules = separability = None
    if args.explain or args.summary or getattr(args, "report", None):
        rules, separability = explanations(run, args.explain)
    if args.out:
        mask_exports = bool(getattr(args, "mask_exports", False))
        labeled = labeled_rows(loaded.frame, run, mask_personal_data=mask_exports)
        write_csv_atomic(labeled, args.out)
        texts = ("masked" if mask_exports else "original text") if run.table.roles.text_cols else "no text"
        print(f"wrote {len(labeled)} rows to {args.out} (text columns: {texts})")
    if getattr(args, "users_out", None):
        from segkit.export.audience import audience_rows, write_audience

        audience = audience_rows(run, segment_flags=args.audience_flags)
        write_audience(audience, args.users_out)
        print(f"wrote {len(audience)} users to {args.users_out}")
    if args.summary:
        from segkit.export.explain_columns import with_explain_columns

        write_csv_reported(with_explain_columns(table, rules, separability, run.summary.names), args.summary,
                           "segments")
    if getattr(args, "save_model", None):
        from segkit.cli.assign import save_model_from_run

        save_model_from_run(args.save_model, run, loaded.frame)
    if save_config_to:
        write_text_atomic(save_config_to, config.to_json())
        print(f"wrote run config to {save_config_to} (re-run: segkit segment --config {save_config_to})")
    if getattr(args, "report", None):
        from segkit.export.report import segment_report_html

        write_text_atomic(args.report, segment_report_html(run, memory=memory, rules=rules,
                                                           separability=separability))
        print(f"wrote segment dictionary to {args.report}")
    return 0


def explanations(run, show: bool):
    """The run's segment rules and separability (segkit.explain); printed when `show`."""
    from segkit.errors import SegkitInputError
    from segkit.explain.rules import segment_rules
    from segkit.explain.separability import segment_separability

    rules = segment_rules(run)
    try:
        separability = segment_separability(run)
    except SegkitInputError as exc:
        separability = None
        if show:
            print(f"note: no classifier scores: {exc}", file=sys.stderr)
    if not show:
        return rules, separability
    names = run.summary.names
    print(f"\nsegment rules (one depth-{rules.max_depth} tree per segment, {rules.n_users} users"
          + (f", {rules.n_unassigned} unassigned left out" if rules.n_unassigned else "")
          + f"): the trees agree with the segments for {rules.agreement:.1%} of users")
    for segment, found in rules.rules.items():
        print(f"  {names.get(segment, segment)}:")
        for rule in found or ():
            print(f"    {rule.line()}")
        if not found:
            print(f"    (no rule of up to {rules.max_depth} conditions with {rules.min_precision:.0%} precision)")
    if separability is not None:
        sampled = " (stratified sample)" if separability.sampled else ""
        tree = separability.tree
        print(f"\nseparability: {separability.linear.model}, {separability.folds}-fold cross-validation on "
              f"{separability.n_users} users{sampled}: accuracy {separability.linear.accuracy:.3f}, macro F1 "
              f"{separability.linear.macro_f1:.3f}" + (f"; rule trees: accuracy {tree.accuracy:.3f}, macro F1 "
                                                         f"{tree.macro_f1:.3f}" if tree is not None else ""))
        print(separability.segment_table(names).to_string(index=False))
        for segment in separability.too_small:
            print(f"  {names.get(segment, segment)}: fewer than {separability.folds} users, left out")
    return rules, separability
