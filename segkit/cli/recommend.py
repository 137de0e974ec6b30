"""`segkit recommend`: evaluate segment-aware recommendations from the command line."""

from __future__ import annotations

import argparse
import sys

from segkit.errors import SegkitInputError


def add_recommend_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        "recommend",
        help="evaluate segment-aware recommendations against global popularity on held-out interactions",
    )
    parser.add_argument("--interactions", required=True, help="interactions file: user id, item id, optional rating and time")
    parser.add_argument("--segments", action="append", required=True, metavar="LABELED.csv",
                        help="labeled CSV from `segkit segment --out` (repeat to compare segmentations)")
    parser.add_argument("--user-col", help="user id column (both files; default: guessed)")
    parser.add_argument("--segments-user-col", help="user id column of the segments file, if it differs")
    parser.add_argument("--item-col", help="item id column of the interactions (default: guessed)")
    parser.add_argument("--rating-col", help="rating column (optional)")
    parser.add_argument("--time-col", help="time column: held-out = each user's last item(s); without it a seeded random split")
    parser.add_argument("--no-time", action="store_true", help="ignore any time column: random split")
    parser.add_argument("--min-rating", type=float, help="count only interactions rated at least this")
    parser.add_argument("--k", type=int, default=10, help="recommendation list length (10)")
    parser.add_argument("--n-test", type=int, default=1, help="held-out items per user (1)")
    parser.add_argument("--seed", type=int, default=0, help="random split and bootstrap seed (0)")
    parser.add_argument("--knn", action="store_true", help="also evaluate segment item-kNN and item-kNN")
    parser.add_argument("--items", help="optional item table (item id + title/category) for the top-items table")
    parser.add_argument("--top", type=int, default=5, help="top items shown per segment (5; 0 = none)")
    parser.add_argument("--out", help="write the evaluation table to this CSV")
    return parser


def _item_info(path: str, item_col: str | None):
    from segkit.io.read import read_table
    from segkit.recommend.interactions import id_strings

    frame = read_table(path).frame
    key = item_col if item_col in frame.columns else frame.columns[0]
    keep = [c for c in frame.columns if c != key and str(c).lower() in ("title", "name", "category", "categories", "brand")]
    info = frame[keep].copy()
    info.index = id_strings(frame[key]).to_numpy()
    return info


def cmd_recommend(args) -> int:
    from pathlib import Path

    from segkit.io.read import read_table
    from segkit.outputs import guard_outputs, write_csv_reported
    from segkit.recommend.evaluate import evaluate_recommendations, format_report
    from segkit.recommend.interactions import (
        InteractionColumns,
        infer_interaction_columns,
        prepare_interactions,
        segments_from_labeled,
    )
    from segkit.recommend.segment_items import global_top_items, segment_top_items

    guard_outputs({"--interactions file": args.interactions, "--items file": args.items,
                   **{f"--segments file {i + 1}": path for i, path in enumerate(args.segments)}}, {"--out": args.out})
    loaded = read_table(args.interactions)
    guessed = infer_interaction_columns(loaded.frame, args.user_col, args.item_col, args.rating_col, args.time_col)
    columns = InteractionColumns(guessed.user_col, guessed.item_col, guessed.rating_col,
                                 None if args.no_time else guessed.time_col)
    interactions = prepare_interactions(loaded.frame, columns, min_rating=args.min_rating)
    print(f"interactions: {len(interactions.frame)} (user={columns.user_col}, item={columns.item_col}, "
          f"rating={columns.rating_col or '-'}, time={columns.time_col or '-'}); "
          f"{interactions.n_users} users, {interactions.n_items} items", file=sys.stderr)
    segmentations = {}
    for path in args.segments:
        labeled = read_table(path).frame
        name = Path(path).name
        if name in segmentations:
            name = path
        segmentations[name] = segments_from_labeled(labeled, args.segments_user_col or args.user_col)
    methods = ("segment_popularity", "segment_item_knn") if args.knn else ("segment_popularity",)
    report = evaluate_recommendations(interactions, segmentations, k=args.k, n_test=args.n_test, seed=args.seed,
                                      methods=methods, include_item_knn=args.knn)
    print(format_report(report))
    if args.top > 0:
        info = _item_info(args.items, columns.item_col) if args.items else None
        first_name, first = next(iter(segmentations.items()))
        print(f"\nglobal top {args.top} items (all interactions):")
        print(global_top_items(interactions, n=args.top, item_info=info).to_string(
            index=False, formatters={"share": "{:.3f}".format}))
        print(f"\ntop {args.top} items per segment of {first_name} (lift = share in segment / share overall):")
        top = segment_top_items(interactions, first, n=args.top, item_info=info)
        print(top.drop(columns=["segment_name"]).to_string(
            index=False, formatters={c: "{:.3f}".format for c in ("share_in_segment", "share_overall")}
            | {"lift": "{:.2f}".format}))
    if args.out:
        write_csv_reported(report.table, args.out)
    return 0


__all__ = ["add_recommend_parser", "cmd_recommend", "SegkitInputError"]
