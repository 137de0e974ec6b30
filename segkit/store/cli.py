"""`segkit runs list|show|delete|export` (saved runs) and the registration of `segkit drift`.

segkit/cli/__init__.py calls `add_parsers(sub)` while building its parser and merges `handlers()`
into its command table; everything else about these commands lives here and in
segkit/timeline/cli.py.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime


def add_parsers(sub) -> None:
    runs = sub.add_parser("runs", help="saved runs in the run database (list, show, delete, export)",
                          description="Saved runs live in $SEGKIT_HOME/segkit.db (default ~/.cache/segkit/segkit.db); "
                                      "SEGKIT_DB_URL (e.g. postgresql+psycopg://user@host/segkit) overrides it.")
    runs.add_argument("--db", help="database URL (default: SEGKIT_DB_URL, else the SQLite file in SEGKIT_HOME)")
    verbs = runs.add_subparsers(dest="runs_command", required=True)
    listing = verbs.add_parser("list", help="one line per saved run, newest first")
    listing.add_argument("--dataset", help="only runs of this dataset hash (or its first characters)")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    show = verbs.add_parser("show", help="a run's facts, metrics and segment table")
    show.add_argument("run_id", type=int)
    remove = verbs.add_parser("delete", help="delete saved runs")
    remove.add_argument("run_id", type=int, nargs="+")
    export = verbs.add_parser("export", help="write a run as summary.csv, labels.csv, config.json, run.json")
    export.add_argument("run_id", type=int)
    export.add_argument("--out", required=True, help="folder to write into")

    from segkit.timeline.cli import add_drift_parser

    add_drift_parser(sub)


def handlers() -> dict:
    from segkit.timeline.cli import cmd_drift

    return {"runs": cmd_runs, "drift": cmd_drift}


def when(created_at: float) -> str:
    return datetime.fromtimestamp(created_at, tz=UTC).astimezone().strftime("%Y-%m-%d %H:%M")


def cmd_runs(args: argparse.Namespace) -> int:
    from segkit.store.runs import RunStore, export_run

    with RunStore(args.db) as store:
        verb = args.runs_command
        if verb == "list":
            table = store.list()
            if args.dataset:
                table = table[table["dataset_hash"].str.startswith(args.dataset)]
            if args.json:
                print(table.to_json(orient="records", force_ascii=False))
                return 0
            if table.empty:
                print(f"no saved runs in {store.location}")
                return 0
            shown = table.assign(created=table["created_at"].map(when), dataset=table["dataset_hash"].str[:10])
            print(shown[["id", "created", "name", "dataset_name", "dataset", "n_users", "algorithm", "embedder",
                         "n_segments", "source"]].to_string(index=False))
            print(f"{len(table)} run(s) in {store.location}")
        elif verb == "show":
            run = store.get(args.run_id)
            print(f"run {run.id}: {run.name}  (saved {when(run.created_at)} from {run.source})")
            print(f"dataset: {run.dataset_name}  hash {run.dataset_hash[:16]}  {run.n_rows} rows, {run.n_users} users")
            print(f"method: {run.algorithm}, embedder {run.embedder}, {run.n_segments} segments")
            metrics = {k: v for k, v in run.metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
            print("metrics: " + ", ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                                          for k, v in metrics.items()))
            if run.edits.get("merges") or run.edits.get("names"):
                print("edits: " + json.dumps(run.edits, ensure_ascii=False))
            cols = [c for c in ("segment_id", "segment_name", "size", "share", "keywords") if c in run.summary.columns]
            print(run.summary[cols].to_string(index=False, max_colwidth=60))
        elif verb == "delete":
            missing = []
            for run_id in args.run_id:
                if store.delete(run_id):
                    print(f"deleted run {run_id}")
                else:
                    missing.append(str(run_id))
            if missing:
                from segkit.errors import SegkitInputError

                raise SegkitInputError(f"No saved run with id {', '.join(missing)} in {store.location}.")
        elif verb == "export":
            for path in export_run(store.get(args.run_id), args.out):
                print(f"wrote {path}")
    return 0
