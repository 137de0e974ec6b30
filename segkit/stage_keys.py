"""Content keys for the pipeline's cut points, so any caller can cache each stage.

The pipeline runs prepare -> embed -> fuse -> reduce -> cluster (+ describe); a cache
in front of a stage needs a key that changes exactly when that stage's inputs change.
`StageKeys.from_config(config, data_key)` gives one per stage, each built on the one
before it. Fields that only change what is shown or written afterwards (the 2-D map,
the input path, the analyst's edits) are in no key: switching the map must not re-run
the clustering.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from segkit.config import RunConfig

# Fields of RunConfig that no stage reads before describing: display and bookkeeping only.
DISPLAY_FIELDS = frozenset({"map_method", "input_path", "edits"})


def content_key(*parts) -> str:
    """A short hash of `parts` (their str forms, separated so ("ab", "c") != ("a", "bc"))."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(str(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()[:20]


def _json(value) -> str:
    return json.dumps(value, sort_keys=True, default=str)


@dataclass(frozen=True)
class StageKeys:
    table: str  # prepare_users: the file and its column roles
    embed: str  # embed_users: + embedder and its parameters
    fused: str  # fusion: + text weight and derived traits (what the 2-D map is drawn from)
    space: str  # build_space: + the reducer as resolved, its parameters, the seed
    cluster: str  # cluster + describe: + every other setting except the display fields

    @classmethod
    def from_config(cls, config: RunConfig, data_key: str) -> StageKeys:
        """Keys for `config` on the data whose content hash is `data_key`. "auto" embedder
        or reducer must be resolved first where the caller resolves them (the key of an
        unresolved "auto" is its own)."""
        from segkit.pipeline import resolve_reducer

        table = content_key("table", data_key, _json(config.roles.to_dict()))
        embed = content_key("embed", table, config.embedder, _json(config.embedder_params))
        fused = content_key("fused", embed, float(config.text_weight), bool(config.sentiment_trait))
        reducer, reducer_params = resolve_reducer(config)
        space = content_key("space", fused, reducer, _json(reducer_params), int(config.seed))
        rest = {k: v for k, v in config.to_dict().items() if k not in DISPLAY_FIELDS}
        cluster = content_key("cluster", space, _json(rest))
        return cls(table, embed, fused, space, cluster)
