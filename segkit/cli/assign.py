"""`segkit assign` and `segkit segment --save-model`: the command-line side of saved models."""

from __future__ import annotations

import argparse
import sys


def add_save_model_arg(segment_parser: argparse.ArgumentParser) -> None:
    segment_parser.add_argument("--save-model", metavar="MODEL_DIR_OR_FILE",
                                help="save the fitted segmentation (a folder, or one .npz file) to assign new users later")


def save_model_from_run(path: str, run, frame) -> None:
    from segkit.model.segment_model import fit_model, save_model

    model = fit_model(run, frame)
    saved = save_model(model, path)
    for warning in model.meta.get("warnings", []):
        print(f"warning: {warning}", file=sys.stderr)
    print(f"wrote model to {saved} ({model.describe()}; assign: segkit assign {saved} NEW_USERS.csv --out labeled.csv)")


def add_assign_parser(sub) -> argparse.ArgumentParser:
    parser = sub.add_parser("assign", help="assign new users to the segments of a saved model")
    parser.add_argument("model", help="model folder or .npz written by `segkit segment --save-model`")
    parser.add_argument("input", help="new users: CSV/TSV, Excel, Parquet or JSON Lines (same columns as training)")
    parser.add_argument("--user-col", help="user id column (default: the one the model was trained with)")
    parser.add_argument("--text-col", action="append", help="text column(s) (default: the training ones)")
    parser.add_argument("--out", help="labeled CSV: every input row with its user's segment")
    parser.add_argument("--users-out", help="one row per user: segment, confidence, outlier, nearest other "
                                            "segment and the distances to both")
    parser.add_argument("--method", choices=["centroid", "classifier"], default="centroid",
                        help="centroid (default): the clusterer's own rule (nearest centre, Gaussian posterior "
                             "or nearest member); classifier: the logistic regression saved with the model")
    return parser


def cmd_assign(args) -> int:
    from segkit.io.read import read_table
    from segkit.model.new_users import assign_users, labeled_new_rows
    from segkit.model.segment_model import load_model
    from segkit.outputs import guard_outputs, write_csv_reported

    guard_outputs({"input file": args.input, "model": args.model}, {"--out": args.out, "--users-out": args.users_out})
    model = load_model(args.model)
    print(model.describe(), file=sys.stderr)
    loaded = read_table(args.input)
    text_cols = [c.strip() for v in (args.text_col or []) for c in v.split(",") if c.strip()] or None
    method = getattr(args, "method", "centroid")
    per_user, table = assign_users(model, loaded.frame, user_col=args.user_col, text_cols=text_cols, method=method)
    rule = "the saved classifier" if method == "classifier" else "the clusterer's own rule"
    print(f"assigned by {rule}", file=sys.stderr)
    assigned = per_user["segment_id"].notna()
    outliers = per_user["segment_id"].eq(-1).fillna(False)
    print(f"users: {len(per_user)}; assigned: {int((assigned & ~outliers).sum())}; unassigned outliers: "
          f"{int(outliers.sum())}; not assignable (no text): {int((~assigned).sum())}")
    counts = per_user[assigned].groupby(["segment_id", "segment_name"]).agg(
        users=("user_id", "size"), mean_confidence=("segment_confidence", "mean"),
        flagged_outliers=("outlier", "sum")).reset_index()
    print(counts.to_string(index=False, formatters={"mean_confidence": "{:.3f}".format}))
    if args.out:
        labeled = labeled_new_rows(loaded.frame, table, per_user)
        write_csv_reported(labeled, args.out)
    if args.users_out:
        write_csv_reported(per_user, args.users_out, "users")
    return 0
