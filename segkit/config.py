"""The run configuration: everything needed to reproduce a segmentation, as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from segkit.errors import SegkitInputError
from segkit.io.roles import ColumnRoles

CONFIG_FORMAT = "segkit-run/1"


@dataclass(frozen=True)
class RunConfig:
    roles: ColumnRoles
    embedder: str = "auto"  # auto: segkit.embed.choice picks (MiniLM; multilingual for Chinese)
    embedder_params: dict = field(default_factory=dict)
    text_weight: float = 0.7
    reducer: str = "auto"  # auto: UMAP for density methods, PCA otherwise
    reducer_params: dict = field(default_factory=dict)
    algorithm: str = "kmeans"
    algorithm_params: dict = field(default_factory=dict)  # no "k" for K methods = automatic K
    noise_policy: str = "keep"
    seed: int = 0
    map_method: str = "umap"
    silhouette_sample: int = 2000  # silhouette is O(n^2): estimated on this many users beyond it
    k_max: int = 15
    input_path: str | None = None
    # Add each user's mean review sentiment (segkit.sentiment) as a numeric trait for fusion.
    sentiment_trait: bool = False
    # Renames and merges applied after segmenting (segkit.edits.Edits): {"names": {id: name},
    # "merges": [[ids]]}. A dashboard's exported config carries them, so a re-run keeps the names.
    edits: dict = field(default_factory=dict)

    def with_changes(self, **changes) -> RunConfig:
        return replace(self, **changes)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["roles"] = self.roles.to_dict()
        return {"format": CONFIG_FORMAT, **data}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, default=_jsonable)

    @classmethod
    def from_dict(cls, data: dict) -> RunConfig:
        if not isinstance(data, dict) or data.get("format") != CONFIG_FORMAT:
            raise SegkitInputError(f"Not a segkit run config (expected \"format\": \"{CONFIG_FORMAT}\").")
        known = {f for f in cls.__dataclass_fields__}
        unknown = sorted(set(data) - known - {"format"})
        if unknown:
            raise SegkitInputError(f"Unknown field(s) in run config: {', '.join(unknown)}.")
        values = {k: v for k, v in data.items() if k in known}
        values["roles"] = ColumnRoles.from_dict(data.get("roles") or {})
        return cls(**values)

    @classmethod
    def load(cls, path: str | Path) -> RunConfig:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SegkitInputError(f"Config file not found: {path}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SegkitInputError(f"Config file {path} is not valid JSON: {exc}") from None
        return cls.from_dict(data)


def _jsonable(value):
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value)}")
