"""Readable reasons, shared by the spam model and the rule pipeline.

A reason is stored as ``{"code": ..., "params": {...}, "weight": ...}`` and put in words only
when shown, so the moderator reads it in their own language. Modules register their codes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# code -> function(params) returning the text in the current locale
_DESCRIBERS: dict[str, Callable[[Mapping[str, Any]], str]] = {}


@dataclass(frozen=True)
class Reason:
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    # Contribution towards the verdict (log-odds for the model); strongest first.
    weight: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params), "weight": round(self.weight, 4)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        return cls(str(data["code"]), dict(data.get("params") or {}), float(data.get("weight", 0)))


def register(code: str, describer: Callable[[Mapping[str, Any]], str]) -> None:
    _DESCRIBERS[code] = describer


def describe(reason: Reason | Mapping[str, Any]) -> str:
    """The reason in words, in the current locale; unknown codes fall back to the code."""
    if not isinstance(reason, Reason):
        reason = Reason.from_dict(reason)
    describer = _DESCRIBERS.get(reason.code)
    if describer is None:
        return reason.code
    return describer(reason.params)
