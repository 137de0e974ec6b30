"""Pick K by what it does for recommendations: the recommendation gain next to silhouette per K.

An option for the analyst, not a new default: the automatic K rule (segkit.metrics.sweep)
is unchanged and its pick is marked in the table. Everything is leakage-free as in
`leakage_free_evaluation`: the warm users' training-period text is embedded and reduced
once, K-means is fitted per K on that space, and thin and new users are assigned per K by
the saved model of that K.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from segkit import waits
from segkit.config import RunConfig
from segkit.errors import SegkitInputError
from segkit.metrics.sweep import auto_k_from_sweep, default_k_range, k_sweep
from segkit.model import fit_model
from segkit.pipeline import cluster_space, run_segmentation
from segkit.recommend.coldstart import cold_start_split, comparison, evaluate_cold_start
from segkit.recommend.interactions import InteractionColumns, Interactions, prepare_interactions
from segkit.recommend.leakage_free import training_period_text
from segkit.recommend.segment_fit import (
    assign_with_model,
    normalised_rows,
    place_rows,
    with_row_vectors,
)

SWEEP_METHODS = ("global_popularity", "segment_popularity")


def recommendation_k_sweep(rows: pd.DataFrame, config: RunConfig, interactions: Interactions | None = None,
                           columns: InteractionColumns | None = None, k_values=None, k: int = 10, seed: int = 0,
                           n_boot: int = 500, new_share: float = 0.2, thin_share: float = 0.2,
                           cache=None) -> pd.DataFrame:
    """One row per K: silhouette and its excess over cluster-free data (the automatic rule's
    score, on its subsample), `default` (True at the rule's K), and per group (warm, thin,
    new) segment popularity's NDCG@k gain over global popularity with its 95% interval."""
    if interactions is None:
        interactions = prepare_interactions(rows, columns)
    user_col = config.roles.user_col
    split = cold_start_split(interactions, new_share=new_share, thin_share=thin_share, seed=seed)
    rows, config = with_row_vectors(rows, config, cache)
    cols = interactions.columns
    text = training_period_text(rows, user_col, cols.item_col, cols.time_col, split, interactions)
    if text is None:
        raise SegkitInputError("The text table cannot be tied to the interactions (no item or time column): "
                               "a K sweep for recommendations would leak.")
    fit_rows = normalised_rows(text[0], user_col)
    base = config.with_changes(algorithm="kmeans", algorithm_params={"k": 2})
    run = run_segmentation(fit_rows, base, cache=cache, with_map=False, with_sentiment=False)
    n = run.space.matrix.shape[0]
    default_range = list(default_k_range(n, config.k_max))
    k_values = list(k_values) if k_values is not None else default_range
    waits.phase("cluster.auto_k")  # an open wait's phases: segkit.waits.plans.recommend_sweep_wait
    sweep = k_sweep(run.space.matrix, k_values, "kmeans", seed=seed)
    rule_sweep = sweep if k_values == default_range else k_sweep(run.space.matrix, default_range, "kmeans", seed=seed)
    default_k = auto_k_from_sweep(rule_sweep).k
    waits.phase("recommend.sweep")
    out = []
    model, placed = None, None
    for done, row in enumerate(sweep.to_dict("records"), start=1):
        k_config = base.with_changes(algorithm_params={"k": int(row["k"])})
        result, _ = cluster_space(run.space, k_config)
        k_run = replace(run, config=k_config, result=result)
        # Every K shares the space: the embedder, the reducer and the new users' places are fitted once.
        model = fit_model(k_run, fit_rows, like=model, classifier=False)
        if placed is None and len(text[1]):
            placed = place_rows(model, text[1], user_col)
        fitted = assign_with_model(k_run, model, text[1], placed=placed)
        report = evaluate_cold_start(split, fitted.segments, None, k=k, n_boot=n_boot, seed=seed,
                                     methods=SWEEP_METHODS)
        entry = {"k": int(row["k"]), "silhouette": row["silhouette"],
                 "silhouette_excess": row.get("silhouette_excess"), "default": int(row["k"]) == default_k}
        for group in ("warm", "thin", "new"):
            gain = comparison(report, group, "segment_popularity", "global_popularity")
            if gain is not None:
                entry.update({f"{group}_ndcg_gain": gain["gain"], f"{group}_ci_low": gain["ci_low"],
                              f"{group}_ci_high": gain["ci_high"]})
        out.append(entry)
        waits.progress(done, len(sweep))
    table = pd.DataFrame(out)
    table.attrs["ndcg_k"] = k
    table.attrs["sample_size"] = sweep.attrs.get("sample_size")
    return table
