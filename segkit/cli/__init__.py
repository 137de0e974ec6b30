"""`segkit` on the command line: the same pipeline as the dashboard, headless.

One module per command (segment, sweep, recommend, assign, spark); `common` holds what
they share. Bad input ends with a one-line message on stderr and exit status 2; anything
else unexpected with exit status 1 (add --debug for the traceback).
"""

from __future__ import annotations

import argparse
import sys

from segkit.cli.common import EXIT_BAD_INPUT, EXIT_INTERNAL, config_from_args, run_handler

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "build_parser", "config_from_args", "main", "run_handler"]


def build_parser() -> argparse.ArgumentParser:
    from segkit.cli.assign import add_assign_parser, add_save_model_arg
    from segkit.cli.recommend import add_recommend_parser
    from segkit.cli.segment import add_segment_parser
    from segkit.cli.sweep import add_sweep_parser

    parser = argparse.ArgumentParser(prog="segkit", description="Segment users by what they write and how they behave.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True)
    segment = add_segment_parser(sub)
    add_sweep_parser(sub)
    add_save_model_arg(segment)
    add_recommend_parser(sub)
    add_assign_parser(sub)
    from segkit.store.cli import add_parsers as add_store_parsers

    add_store_parsers(sub)  # segkit runs ..., segkit drift
    return parser


def main(argv: list[str] | None = None) -> int:
    from segkit.runtime import configure_process

    configure_process()  # first: offline hub, torch's OpenMP before numba (segkit/runtime.py)
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["spark"]:  # `segkit spark ...`: own parser in segkit/cli/spark.py; pyspark loaded only here
        from segkit.cli.spark import main as spark_main

        return spark_main(argv[1:])
    args = build_parser().parse_args(argv)
    from segkit.cli.assign import cmd_assign
    from segkit.cli.recommend import cmd_recommend
    from segkit.cli.segment import cmd_segment
    from segkit.cli.sweep import cmd_sweep
    from segkit.store.cli import handlers as store_handlers

    handlers = {"segment": cmd_segment, "sweep": cmd_sweep, "recommend": cmd_recommend, "assign": cmd_assign}
    handlers.update(store_handlers())  # runs, drift
    return run_handler(handlers[args.command], args)
