"""The live step as it was before issue #16's target-4 work, for same-run comparisons.

The modules are read from git at BASELINE_COMMIT (no copy of the old code in the tree):
pipeline, fusion, external scores and GMM of that commit, wired to each other, so
`steps().build_space / cluster_space / evaluate` run today's benchmark through the old
code path. None when git or the commit is not available (rows are then left out).
"""

from __future__ import annotations

import subprocess
import sys
import types
from functools import lru_cache

from common import ROOT

BASELINE_COMMIT = "dd994fd"  # live-feedback before the float32 fusion, contingency scores, fast E-step


def _old_module(path: str) -> types.ModuleType:
    source = subprocess.run(["git", "show", f"{BASELINE_COMMIT}:{path}"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    name = "segkit_baseline." + path.removesuffix(".py").replace("/", ".")
    module = types.ModuleType(name)
    module.__file__ = f"{BASELINE_COMMIT}:{path}"
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102 - our own code, from git
    return module


@lru_cache(maxsize=1)
def steps() -> types.ModuleType | None:
    """The old pipeline module (build_space, cluster_space, evaluate), or None."""
    try:
        fusion = _old_module("segkit/fuse/fusion.py")
        external = _old_module("segkit/metrics/external.py")
        gmm = _old_module("segkit/cluster/gmm.py")
        pipeline = _old_module("segkit/pipeline.py")
    except (OSError, subprocess.CalledProcessError):
        return None
    from segkit.cluster.registry import get_clusterer

    def old_clusterer(name, **params):
        return gmm.GaussianMixtureClusterer(**params) if name == "gmm" else get_clusterer(name, **params)

    pipeline.fuse_features = fusion.fuse_features
    pipeline.external_metrics = external.external_metrics
    pipeline.get_clusterer = old_clusterer
    return pipeline
