"""Dashboard glue for the run database (segkit.store): one store per database URL and process,
saving the run the analyst bookmarks, and turning a stored run back into settings or a
Compare-page entry. All database work is in segkit.store; this file only connects it to
st.session_state.
"""

from __future__ import annotations

import json

import numpy as np
import streamlit as st

from dashboard.words import tr
from segkit.errors import SegkitInputError
from segkit.store import RunStore, StoredRun, default_db_url, record_from_run


@st.cache_resource(max_entries=4, show_spinner=False)
def _store(url: str) -> RunStore:
    return RunStore(url)


def run_store() -> RunStore:
    """The process's store for SEGKIT_DB_URL / $SEGKIT_HOME (raises SegkitInputError with a clear message)."""
    return _store(default_db_url())


def persist(ctx, saved) -> int | None:
    """Also keep a run the analyst saves for comparison in the database; a database problem is one warning."""
    from dashboard.context import edited, edits_for

    try:
        record = record_from_run(edited(ctx), ctx.dataset.frame, ctx.dataset.name, saved.name,
                                 dataset_key=ctx.dataset.key, labels=saved.user_labels, names=saved.names,
                                 edits=json.loads(json.dumps(edits_for(ctx.run_key), default=str)),
                                 source="dashboard")
        run_id = run_store().save(record)
    except SegkitInputError as exc:
        # A toast outlives the rerun that follows a save; the History page repeats the message.
        st.session_state["hist_save_error"] = tr("hist.save_failed", error=str(exc))
        st.toast(st.session_state["hist_save_error"], icon=":material/warning:")
        return None
    st.session_state.pop("hist_save_error", None)
    return run_id


def settings_from_config(config: dict, current: dict) -> dict:
    """Dashboard settings (st.session_state['sk_settings']) that reproduce a stored RunConfig."""
    algorithm = config.get("algorithm", current["algorithm"])
    params = dict(config.get("algorithm_params") or {})
    reducer = config.get("reducer", "auto")
    out = json.loads(json.dumps(current))
    out.update(embedder=config.get("embedder", current["embedder"]), text_weight=float(config.get("text_weight", 0.7)),
               reducer=reducer, algorithm=algorithm, noise_policy=config.get("noise_policy", "keep"),
               seed=int(config.get("seed", 0)), auto_k="k" not in params,
               sentiment_trait=bool(config.get("sentiment_trait", False)))
    out["params"] = {**out.get("params", {}), algorithm: params}
    if reducer != "auto":
        out["reducer_params"] = {**out.get("reducer_params", {}), reducer: dict(config.get("reducer_params") or {})}
    return out


def restore_edits(edits: dict) -> dict:
    """A stored run's edits in the session's form: {"names": {int id: name}, "merges": [[int ids]]}."""
    return {"names": {int(k): str(v) for k, v in (edits.get("names") or {}).items()},
            "merges": [[int(s) for s in group] for group in (edits.get("merges") or [])]}


def to_saved_run(run: StoredRun):
    """A Compare-page entry (pages/_shared/common.SavedRun) for a stored run."""
    from dashboard.state import SavedRun

    sizes = {int(s): int(n) for s, n in zip(*np.unique(run.labels[run.labels >= -1], return_counts=True),
                                             strict=True)}
    return SavedRun(name=run.name, dataset_key=run.dataset_hash, dataset_name=run.dataset_name, run_key=run.uid,
                    config_json=json.dumps(run.config), algorithm=run.algorithm, metrics=dict(run.metrics),
                    user_labels=np.array(run.labels), names=dict(run.names), sizes=sizes, created=run.created_at)
