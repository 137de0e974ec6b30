import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str, **env) -> str:
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, **env), capture_output=True, text=True,
                         check=True, timeout=300)
    return out.stdout


OFFLINE = "import os; print(os.environ.get('HF_HUB_OFFLINE'), os.environ.get('TRANSFORMERS_OFFLINE'))"
GOMP_LOADED = "import ctypes; print(hasattr(ctypes.CDLL(None), 'GOMP_parallel'))"


def test_importing_segkit_changes_nothing_in_the_process():
    code = "import segkit, segkit.pipeline, segkit.embed.minilm, segkit.reduce.map2d\n" + OFFLINE + "\n" + GOMP_LOADED
    assert _run(code, HF_HUB_OFFLINE="0", TRANSFORMERS_OFFLINE="0").split() == ["0", "0", "False"]


def test_entry_points_force_hub_offline_first():
    code = "from segkit.runtime import configure_process\nconfigure_process()\n" + OFFLINE + "\n" + GOMP_LOADED
    assert _run(code, HF_HUB_OFFLINE="0", TRANSFORMERS_OFFLINE="0").split() == ["1", "1", "True"]
    # The CLI's main applies it before parsing anything; the dashboard's app.py before streamlit.
    code = ("from segkit.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            + OFFLINE + "\n" + GOMP_LOADED)
    assert _run(code, HF_HUB_OFFLINE="0", TRANSFORMERS_OFFLINE="0").split()[-3:] == ["1", "1", "True"]
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    assert app.index("configure_process()") < app.index("import streamlit")


def test_model_loaders_force_offline_themselves(monkeypatch):
    from segkit.embed import minilm

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(minilm, "_FastEncoder", lambda precision: precision)
    minilm.load_fast_encoder.cache_clear()
    try:
        minilm.load_fast_encoder("fp32")
    finally:
        minilm.load_fast_encoder.cache_clear()
    assert os.environ["HF_HUB_OFFLINE"] == "1"


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
        "from segkit.runtime import configure_process\n"
        "configure_process()  # as the CLI and the dashboard do first\n"
        "import ctypes, numba, numpy as np\n"
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
