"""What every command shares: the input/column arguments, the run config they make, the
progress bars (`wait_line`: what runs and the time left, segkit.waits), and `run_handler`
(one line and an exit status, never a traceback)."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from segkit import waits
from segkit.errors import SegkitInputError

EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 1


def split_list(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for value in values or []:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def add_input_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("input", nargs="?", help="CSV/TSV, Excel, Parquet or JSON Lines file")
    parser.add_argument("--text-col", action="append", help="text column (repeat for several)")
    parser.add_argument("--user-col", help="user id column (rows of a user are aggregated)")
    parser.add_argument("--no-user-col", action="store_true", help="treat every row as its own user")
    parser.add_argument("--numeric-cols", action="append", help="comma-separated numeric traits")
    parser.add_argument("--categorical-cols", action="append", help="comma-separated categorical traits")
    parser.add_argument("--label-col", help="ground-truth column: adds ARI/NMI (never used to segment)")
    parser.add_argument("--vector-cols", action="append", help="comma-separated precomputed vector columns")
    parser.add_argument("--time-col", help="date or timestamp column (never a trait; RFM recency, segments over time)")
    parser.add_argument("--amount-col", help="amount per row (spend), for the RFM traits with --time-col")
    parser.add_argument("--no-rfm", action="store_true",
                        help="do not derive recency_days, frequency and monetary per user from the time and amount")
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
    parser.add_argument("--keep-personal-data", action="store_true",
                        help="embed and show texts as written; by default e-mail addresses, phone, card, IBAN "
                             "and ID numbers, links with a query and @handles become [EMAIL], [PHONE]...")
    parser.add_argument("--cache-dir", help="embedding cache (default ~/.cache/segkit or $SEGKIT_CACHE_DIR)")
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the embedding cache")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def progress_bar(quiet: bool):
    if quiet:
        return None, lambda: None
    from tqdm import tqdm

    bar = {"bar": None}
    if not sys.stderr.isatty():  # a log file or a pipe: a whole line every LOG_LINE_EVERY_S
        last = {"at": time.monotonic()}

        def progress_line(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last["at"] >= LOG_LINE_EVERY_S or (done >= total > 0):
                print(f"embedding: {done:,} of {total:,} texts", file=sys.stderr, flush=True)
                last["at"] = now

        return progress_line, lambda: None

    def progress(done: int, total: int) -> None:
        if bar["bar"] is None:
            bar["bar"] = tqdm(total=total, desc="embedding", unit="text", file=sys.stderr, disable=quiet)
        bar["bar"].n = done
        bar["bar"].refresh()

    def close() -> None:
        if bar["bar"] is not None:
            bar["bar"].close()

    return progress, close


WAIT_TICK_S = 0.5


@contextmanager
def wait_line(title: str, wait: waits.Wait, quiet: bool = False) -> Iterator[waits.Wait]:
    """Open `wait` for the work inside; unless `quiet`, redraw its bar on stderr twice a second."""
    if quiet:
        with waits.waiting(wait):
            yield wait
        return
    from segkit.waits.words import status_line

    stop = threading.Event()
    if sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=1000, file=sys.stderr, bar_format="{desc} |{bar:20}|", leave=False, mininterval=0.0)

        def redraw() -> None:
            while not stop.wait(WAIT_TICK_S):
                status = wait.status()
                if not status.done:
                    bar.n = int(1000 * min(status.fraction, 0.999))
                    bar.set_description_str(status_line(title, status), refresh=False)
                    bar.refresh()
    else:  # a log file or a pipe: whole lines, not carriage returns twice a second
        bar = None
        redraw = _log_lines(title, wait, stop)

    drawer = threading.Thread(target=redraw, name="segkit-wait-line", daemon=True)
    drawer.start()
    try:
        with waits.waiting(wait):
            yield wait
    finally:
        stop.set()
        drawer.join(timeout=2.0)
        if bar is not None:
            bar.close()


LOG_LINE_EVERY_S = 15.0


def _log_lines(title: str, wait: waits.Wait, stop: threading.Event):
    """A drawer for stderr that is not a terminal: one line when a phase starts (if the wait
    has run a second) and every LOG_LINE_EVERY_S seconds, each with its share done."""
    from segkit.waits.words import status_line

    def draw() -> None:
        last_phase, last_line = None, time.monotonic()
        while not stop.wait(WAIT_TICK_S):
            status = wait.status()
            if status.done:
                continue
            now = time.monotonic()
            changed = status.phase != last_phase and status.elapsed >= 1.0
            if changed or now - last_line >= LOG_LINE_EVERY_S:
                print(f"{status_line(title, status)} ({status.fraction:.0%})", file=sys.stderr, flush=True)
                last_phase, last_line = status.phase, now

    return draw


def parse_params(items: list[str]) -> dict:
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


def config_from_args(args, frame):
    from segkit.config import RunConfig
    from segkit.io.roles import infer_roles

    inferred = infer_roles(frame)
    roles = inferred.with_overrides(
        text_cols=split_list(args.text_col) or None,
        user_col=args.user_col,
        numeric_cols=split_list(args.numeric_cols) if args.numeric_cols is not None else None,
        categorical_cols=split_list(args.categorical_cols) if args.categorical_cols is not None else None,
        label_col=args.label_col,
        vector_cols=split_list(args.vector_cols) if args.vector_cols is not None else None,
        time_col=getattr(args, "time_col", None),
        amount_col=getattr(args, "amount_col", None),
    )
    from dataclasses import replace

    if getattr(args, "no_rfm", False):
        roles = replace(roles, derived_traits=())
    elif roles.time_col and roles.amount_col and roles.user_col and not roles.derived_traits:
        from segkit.io.roles import RFM_TRAITS

        roles = replace(roles, derived_traits=RFM_TRAITS)  # named by hand: offered like inferred ones
    if args.no_user_col:
        roles = replace(roles, user_col=None, derived_traits=())
    algorithm_params = parse_params(args.param)
    if getattr(args, "k", None) is not None:
        algorithm_params["k"] = args.k
    if args.min_cluster_size is not None:
        algorithm_params["min_cluster_size"] = args.min_cluster_size
    reducer_params = {"n_components": args.n_components} if args.n_components else {}
    embedder = args.embedder or ("precomputed" if roles.vector_cols and not args.text_col else None)
    traits = roles.numeric_cols or roles.categorical_cols or roles.derived_traits
    if embedder is None and not roles.text_cols and not roles.vector_cols and traits:
        from segkit.embed.choice import TRAITS_ONLY

        embedder = TRAITS_ONLY
        if not args.quiet:
            print("no text column: users are segmented on their traits", file=sys.stderr)
    if embedder is None:  # the default rule: MiniLM, multilingual for Chinese, static when too slow
        from segkit.embed.choice import choose_embedder
        from segkit.io.language import texts_of

        choice = choose_embedder(texts_of(frame, roles.text_cols))
        embedder = choice.name
        if not args.quiet:
            faster = "" if embedder == "tfidf" else " (--embedder tfidf is faster)"
            print(f"embedder: {embedder}. {choice.reason}{faster}", file=sys.stderr)
    values = dict(roles=roles, embedder=embedder, algorithm_params=algorithm_params,
                  reducer_params=reducer_params, input_path=str(Path(args.input).resolve()))
    for name, value in (("text_weight", args.text_weight), ("reducer", args.reducer),
                        ("algorithm", args.algorithm), ("noise_policy", args.noise), ("seed", args.seed),
                        # The dashboard's UMAP map is warmed in the background; a CLI process would
                        # pay its numba compilation in full, for a map most CLI users never open.
                        ("map_method", getattr(args, "map", None) or ("pca" if args.command == "segment" else None)),
                        ("sentiment_trait", True if getattr(args, "sentiment_trait", False) else None),
                        ("mask_personal_data", False if getattr(args, "keep_personal_data", False) else None)):
        if value is not None:
            values[name] = value
    return RunConfig(**values)


def describe_roles(roles) -> str:
    parts = [f"text={','.join(roles.text_cols) or '-'}", f"user={roles.user_col or '(each row)'}"]
    for name, value in (("numeric", roles.numeric_cols), ("categorical", roles.categorical_cols),
                        ("label", roles.label_col), ("time", roles.time_col), ("amount", roles.amount_col),
                        ("derived", roles.derived_traits)):
        if value:  # a column name, or a tuple of them
            parts.append(f"{name}={value if isinstance(value, str) else ','.join(value)}")
    ignored = "; ".join(f"{c}: {why}" for c, why in list(roles.ignored.items())[:8])
    return "columns: " + "; ".join(parts) + (f"\nignored: {ignored}" if ignored else "")


def fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


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
