"""Files the command line writes: never one of its inputs, never half-written.

`guard_outputs` refuses, before any work starts, an output path that is an input (same
path, a symlink or a hard link to it) or another output of the same command.
`atomic_path` gives a temporary file beside the destination and moves it into place
with `os.replace` only once it is complete, so a crash or a full disk leaves either the
old file or the new one, never a mixture.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from segkit.errors import SegkitInputError


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return os.path.normcase(str(a.resolve())) == os.path.normcase(str(b.resolve()))


def guard_outputs(inputs: Mapping[str, object], outputs: Mapping[str, object]) -> None:
    """Refuse outputs that would overwrite an input or each other (name -> path; None = unused)."""
    given_inputs = [(name, Path(str(path)).expanduser()) for name, path in inputs.items() if path]
    given_outputs = [(name, Path(str(path)).expanduser()) for name, path in outputs.items() if path]
    for out_name, out_path in given_outputs:
        for in_name, in_path in given_inputs:
            if _same_file(out_path, in_path):
                raise SegkitInputError(
                    f"{out_name} {out_path} is the {in_name} ({in_path}); segkit never overwrites its input. "
                    f"Choose another file for {out_name}.")
    for i, (name_a, path_a) in enumerate(given_outputs):
        for name_b, path_b in given_outputs[i + 1:]:
            if _same_file(path_a, path_b):
                raise SegkitInputError(f"{name_a} and {name_b} are the same file ({path_a}); give each its own file.")


@contextlib.contextmanager
def atomic_path(path: str | Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary path in the destination's folder; renamed onto `path` when the block succeeds."""
    path = Path(path)
    if path.is_dir():
        raise SegkitInputError(f"{path} is a folder; give a file name to write to.")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding=encoding)


def write_csv_atomic(frame, path: str | Path) -> None:
    """The spreadsheet-safe CSV (segkit.export.safe), written atomically."""
    from segkit.export.safe import to_safe_csv

    with atomic_path(path) as tmp:
        to_safe_csv(frame, tmp)


def write_csv_reported(frame, path: str | Path, what: str = "rows") -> None:
    """`write_csv_atomic`, then the CLI's one line saying what went where ("wrote 12 users to x.csv")."""
    write_csv_atomic(frame, path)
    print(f"wrote {len(frame)} {what} to {path}")
