"""UMAP: non-linear, keeps local neighbourhoods; density clusterers work much better after it."""

import numpy as np

from segkit.params import ParamSpec
from segkit.reduce.base import Reducer


class UmapReducer(Reducer):
    name = "umap"
    params_spec = (
        ParamSpec("n_components", int, 5, "Dimensions kept for clustering.", minimum=2, maximum=100),
        ParamSpec("n_neighbors", int, 15, "Neighbourhood size: larger favours global structure.",
                  minimum=2, maximum=500),
        ParamSpec("min_dist", float, 0.0, "How tightly points may pack (0 suits clustering).",
                  minimum=0.0, maximum=1.0),
        # The layout's rounds are most of a fit (~45 ms each at 20,000 users on one core);
        # segkit.pipeline.layout_rounds picks fewer for big inputs when the reducer is "auto".
        ParamSpec("n_epochs", int, 0, "Layout optimisation rounds: fewer is faster, coarser "
                  "(0 = UMAP's default: 500 up to 10,000 users, 200 beyond).", minimum=0, maximum=5000),
    )

    def fit_transform(self, matrix: np.ndarray, seed: int = 0) -> np.ndarray:
        from segkit.openmp import ensure_torch_openmp

        ensure_torch_openmp()  # before numba starts its threads (segkit/openmp.py)
        import umap  # heavy import (numba): only when chosen

        from segkit.reduce.umap_progress import layout_tqdm_kwds

        n_samples = matrix.shape[0]
        n_neighbors = min(self.params["n_neighbors"], max(n_samples - 1, 2))
        n_components = min(self.params["n_components"], max(n_samples - 2, 1))
        if n_samples < 5:
            return np.asarray(matrix[:, :n_components], dtype=np.float32)
        model = umap.UMAP(
            n_components=n_components,
            n_neighbors=n_neighbors,
            min_dist=self.params["min_dist"],
            metric="cosine" if matrix.shape[1] > 20 else "euclidean",
            n_epochs=self.params["n_epochs"] or None,
            # NN-descent at every size: UMAP's exact path below 4,096 users took 15-20 s for
            # 4,000 users here (NN-descent: ~1 s), and one path means one compilation.
            force_approximation_algorithm=True,
            random_state=seed,
            # A fixed seed makes UMAP single-threaded; reproducibility matters more here.
            low_memory=True,
            tqdm_kwds=layout_tqdm_kwds("space.umap"),  # layout rounds -> the open wait's progress
        )
        return model.fit_transform(matrix).astype(np.float32)
