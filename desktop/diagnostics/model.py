"""The typed results of a diagnosis: sections from probes, and the snapshot that holds them.

A probe never raises into its caller; it returns a :class:`Section` whose status says
whether the check worked (``ok``), could not be done on this machine (``unavailable``,
with the reason) or failed (``error``, with the reason). Each section carries the probe's
own frozen dataclass as ``data`` so the shape of every section is declared in code.
"""

from __future__ import annotations

import dataclasses
import enum
import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Status(str, enum.Enum):
    OK = "ok"
    UNAVAILABLE = "unavailable"
    ERROR = "error"


class Cause(str, enum.Enum):
    """Why a check was not made, in a form the person's words can be chosen by."""

    POLICY = "policy"  # IT turned it off
    UNSUPPORTED = "unsupported"  # this computer does not have it or keep it
    DENIED = "denied"  # the operating system refused
    TIMEOUT = "timeout"  # no answer in time
    FAILED = "failed"  # anything else


class Symptom(str, enum.Enum):
    """What the person says feels wrong. The value is what the CLI and reports use."""

    SLOW = "slow"
    INTERNET = "internet"
    APP = "app"
    PRINTING = "printing"
    OTHER = "other"


@dataclass(frozen=True)
class Section:
    name: str
    status: Status
    data: Any = None
    reason: str | None = None
    duration_ms: float = 0.0
    cause: Cause | None = None  # why it was not checked (None when it was)

    @classmethod
    def ok(cls, name: str, data: Any) -> Section:
        return cls(name=name, status=Status.OK, data=data)

    @classmethod
    def unavailable(
        cls, name: str, reason: str, data: Any = None, cause: Cause = Cause.UNSUPPORTED
    ) -> Section:
        return cls(name=name, status=Status.UNAVAILABLE, data=data, reason=reason, cause=cause)

    @classmethod
    def error(cls, name: str, reason: str, cause: Cause = Cause.FAILED) -> Section:
        return cls(name=name, status=Status.ERROR, reason=reason, cause=cause)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status.value}
        if self.reason:
            out["reason"] = self.reason
        if self.cause is not None:
            out["cause"] = self.cause.value
        out["duration_ms"] = round(self.duration_ms, 1)
        if self.data is not None:
            out["data"] = to_jsonable(self.data)
        return out


@dataclass(frozen=True)
class Snapshot:
    """Everything one ``collect()`` found, plus the history of the minutes before."""

    symptom: Symptom
    collected_at: datetime
    duration_ms: float
    sections: dict[str, Section]
    history: dict[str, Any] = field(default_factory=dict)

    def section_data(self, name: str) -> Any:
        """The data of section ``name`` if it was checked, else None."""
        section = self.sections.get(name)
        return section.data if section is not None and section.status is Status.OK else None

    @property
    def not_checked(self) -> dict[str, str]:
        """Sections that could not be checked, with the reason, for IT's detail."""
        return {
            name: section.reason or section.status.value
            for name, section in self.sections.items()
            if section.status is not Status.OK
        }


def to_jsonable(value: Any) -> Any:
    """Dataclasses, enums, datetimes and floats as plain JSON values (NaN becomes null)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(value, 3)
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value
