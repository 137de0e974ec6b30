"""Parameter specifications shared by reducers and clusterers.

Each backend declares its parameters once; the CLI, the dashboard's controls and the
up-front validation all read the same declaration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from segkit.errors import SegkitInputError


@dataclass(frozen=True)
class ParamSpec:
    name: str
    kind: type  # int, float, str, bool
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple | None = None
    label: str | None = None  # how people call it ("number of segments (K)")

    def coerce(self, value: Any) -> Any:
        title = self.label or self.name
        if value is None:
            return self.default
        try:
            if self.kind is bool:
                value = value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes"}
            elif self.kind is int:
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError
                value = int(value)
            else:
                value = self.kind(value)
        except (TypeError, ValueError):
            raise SegkitInputError(f"{title} must be a {self.kind.__name__} (got {value!r}).") from None
        if self.choices is not None and value not in self.choices:
            raise SegkitInputError(f"{title} must be one of {', '.join(map(str, self.choices))} (got {value!r}).")
        if self.minimum is not None and value < self.minimum:
            raise SegkitInputError(f"{title} must be at least {self.minimum} (got {value}).")
        if self.maximum is not None and value > self.maximum:
            raise SegkitInputError(f"{title} must be at most {self.maximum} (got {value}).")
        return value


def resolve_params(specs: tuple[ParamSpec, ...], given: dict | None, owner: str) -> dict:
    given = dict(given or {})
    known = {spec.name for spec in specs}
    unknown = sorted(set(given) - known)
    if unknown:
        raise SegkitInputError(
            f"{owner} has no parameter {', '.join(unknown)}; it takes: {', '.join(sorted(known)) or 'none'}."
        )
    return {spec.name: spec.coerce(given.get(spec.name)) for spec in specs}
