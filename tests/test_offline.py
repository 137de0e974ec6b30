import os
import subprocess
import sys
from pathlib import Path


def test_importing_segkit_forces_hub_offline():
    env = dict(os.environ, HF_HUB_OFFLINE="0", TRANSFORMERS_OFFLINE="0")
    code = "import segkit, os; print(os.environ['HF_HUB_OFFLINE'], os.environ['TRANSFORMERS_OFFLINE'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "1"]


def test_segkit_import_does_not_load_torch():
    code = "import segkit, segkit.pipeline, segkit.cli, sys; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_numba_binds_to_torchs_openmp_runtime():
    # With the system libgomp serving numba's threads, torch's multi-threaded work ran
    # ~20x slower later in the same process (segkit/openmp.py). The dynamic linker
    # resolves numba's GOMP_* calls in the global scope first, so the runtime found there
    # after numba has started its thread pool is the one both use. Fresh process.
    code = (
        "import segkit, ctypes, numba, numpy as np\n"
        "@numba.njit(parallel=True)\n"
        "def total(x):\n"
        "    s = 0.0\n"
        "    for i in numba.prange(x.shape[0]):\n"
        "        s += x[i]\n"
        "    return s\n"
        "assert total(np.ones(1000)) == 1000.0\n"
        "class Info(ctypes.Structure):\n"
        "    _fields_ = [('fname', ctypes.c_char_p), ('fbase', ctypes.c_void_p),\n"
        "                ('sname', ctypes.c_char_p), ('saddr', ctypes.c_void_p)]\n"
        "process, info = ctypes.CDLL(None), Info()\n"
        "process.dladdr(ctypes.cast(process.GOMP_parallel, ctypes.c_void_p), ctypes.byref(info))\n"
        "print(numba.threading_layer(), info.fname.decode())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]  # without the fix GOMP_parallel is not global at all
    layer, runtime = out.stdout.split()
    from segkit.openmp import torch_openmp_library

    expected = torch_openmp_library()
    assert expected is not None  # torch is a dependency and its wheel ships the runtime
    assert Path(runtime).resolve() == expected.resolve()
    assert layer == "omp"
