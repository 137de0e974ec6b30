"""`segkit drift MODEL NEW --out moves.csv`: how a saved model's segments change over time.

With a time column (--time-col, or one named like a date), the model assigns each period's
users from that period's rows; the earliest and latest periods (or --from/--to) are compared.
With --before OLD, OLD's users are period A and NEW's users period B.
"""

from __future__ import annotations

import sys


def add_drift_parser(sub) -> None:
    parser = sub.add_parser("drift", help="segment sizes per period, movers and new-segment warnings for a saved model")
    parser.add_argument("model", help="model folder or .npz written by `segkit segment --save-model`")
    parser.add_argument("input", help="users with a time column (or the later period, with --before)")
    parser.add_argument("--time-col", help="date or Unix-time column (default: one named like a date/time)")
    parser.add_argument("--before", help="the earlier period's file (instead of a time column)")
    parser.add_argument("--freq", default="auto", help="auto (by the data's span; month for 5 months to 5 years), "
                        "day, week, month, quarter, year")
    parser.add_argument("--from", dest="period_a", help="period A, e.g. 2013-01 (default: the first period)")
    parser.add_argument("--to", dest="period_b", help="period B (default: the last period)")
    parser.add_argument("--user-col", help="user id column (default: the model's)")
    parser.add_argument("--text-col", action="append", help="text column(s) (default: the model's)")
    parser.add_argument("--out", help="moves CSV: from -> to segment, users, share, example users")
    parser.add_argument("--sizes-out", help="sizes CSV: users per period and segment")
    parser.add_argument("--users-out", help="per period and user: segment, confidence, outlier")


def cmd_drift(args) -> int:
    import pandas as pd

    from segkit.errors import SegkitInputError
    from segkit.io.read import read_table
    from segkit.model.segment_model import load_model
    from segkit.outputs import guard_outputs, write_csv_reported
    from segkit.timeline import (
        assign_by_period,
        assign_frame,
        drift_report,
        guess_time_col,
        movers,
        sizes_of,
    )

    guard_outputs({"input file": args.input, "model": args.model, "--before": args.before},
                  {"--out": args.out, "--sizes-out": args.sizes_out, "--users-out": args.users_out})
    model = load_model(args.model)
    print(model.describe(), file=sys.stderr)
    frame = read_table(args.input).frame
    text_cols = [c.strip() for v in (args.text_col or []) for c in v.split(",") if c.strip()] or None
    if args.before:
        before = read_table(args.before).frame
        a_name, b_name = args.period_a or "before", args.period_b or "after"
        assigned = pd.concat([assign_frame(model, before, args.user_col, text_cols, a_name),
                              assign_frame(model, frame, args.user_col, text_cols, b_name)], ignore_index=True)
        print(f"period A: {args.before}; period B: {args.input}")
    else:
        time_col = args.time_col or guess_time_col(frame)
        if time_col is None:
            raise SegkitInputError("No time column: name one with --time-col (dates or Unix times), "
                                   "or give the earlier period's file with --before.")
        assigned, freq = assign_by_period(model, frame, time_col, args.freq, args.user_col, text_cols)
        periods = sorted(assigned["period"].unique())
        a_name, b_name = args.period_a or periods[0], args.period_b or periods[-1]
        for name in (a_name, b_name):
            if name not in periods:
                raise SegkitInputError(f"No users in period {name} (periods of a {freq}: "
                                       f"{', '.join(periods[:6])}{' ...' if len(periods) > 6 else ''}).")
        print(f"time column: {time_col}; {len(periods)} periods of a {freq}, {periods[0]} .. {periods[-1]}")
    if a_name == b_name:
        raise SegkitInputError(f"Periods A and B are both {a_name}: the data spans one period; "
                               "pick a shorter --freq or give --from/--to.")
    sizes = sizes_of(assigned, model.names)
    pivot = sizes.pivot_table(index="period", columns="segment_name", values="users", fill_value=0)
    print("users per period and segment:")
    print(pivot.tail(24).to_string())
    report = drift_report(assigned, sizes, a_name, b_name)
    moves = movers(assigned, a_name, b_name, model.names)
    print(f"{a_name}: {moves.n_a} users; {b_name}: {moves.n_b} users; in both: {moves.n_both}, "
          f"moved segment: {moves.n_moved} ({moves.moved_share:.0%})")
    print(f"outliers (fit no segment): {report.outlier_share_a:.1%} in {a_name}, {report.outlier_share_b:.1%} in {b_name}")
    for line in report.lines() or ["no segment grew or faded by 10 points or more"]:
        print(line)
    if not moves.flows.empty:
        print("biggest flows:")
        print(moves.flows.head(10).to_string(index=False, max_colwidth=40))
    if args.out:
        write_csv_reported(moves.flows, args.out, "flows")
    if args.sizes_out:
        write_csv_reported(sizes, args.sizes_out)
    if args.users_out:
        write_csv_reported(assigned, args.users_out)
    return 0
