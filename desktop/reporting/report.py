"""The report: one versioned JSON document, the same for every transport.

Built from a diagnosis and what the person added, then trimmed by what the person
chose to leave out and what IT's policy says about names (see redact.py). The review
screen shows exactly this document; the outbox stores it; transports send it unchanged.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from typing import Any

from ally_helpdesk.it_view.tried_and_news import NO_FIXES, NO_NEWS
from ally_helpdesk.report_format import SCHEMA, reference_code, utc_now
from desktop import __version__
from desktop.diagnostics.diagnosis import Diagnosis

MAX_NOTE_CHARS = 20000


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    how: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "email": self.email, "phone": self.phone, "how": self.how}


@dataclass(frozen=True)
class Screenshot:
    png: bytes
    width: int
    height: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "png_base64": base64.b64encode(self.png).decode("ascii"),
            "width": self.width,
            "height": self.height,
        }


def build(
    diagnosis: Diagnosis,
    note: str | None = None,
    contact: Contact | None = None,
    screenshot: Screenshot | None = None,
    report_id: str | None = None,
    fixes: dict[str, Any] | None = None,
    news: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The full report, before anything is left out. ``fixes`` and ``news`` come from
    reporting/helping.py: what the person tried, and IT's news open at the click."""
    d = diagnosis.to_dict()
    system = diagnosis.snapshot.section_data("system")
    note = (note or "").strip() or None
    report_id = report_id or str(uuid.uuid4())
    return {
        "schema": SCHEMA,
        "id": report_id,
        "reference_code": reference_code(report_id),
        "created_at": utc_now(),
        "ally_version": __version__,
        "symptom": d["symptom"],
        "note": note[:MAX_NOTE_CHARS] if note else None,
        "contact": contact.to_dict() if contact else None,
        "diagnosis": {
            "summary": d["summary"],
            "findings": d["findings"],
            "sections": d["sections"],
            "not_checked": d["not_checked"],
            "notes": d["notes"],
            "collected_at": d["collected_at"],
            "duration_ms": d["duration_ms"],
            "history_s": d["history_s"],
        },
        "history": d["history"],
        "machine": {
            "hostname": system.hostname if system else None,
            "user": system.user if system else None,
            "os": system.os_version if system else None,
            "model": system.model if system else None,
            "timezone": system.timezone if system else None,
            "utc_offset": system.utc_offset if system else None,
            "uptime_s": round(system.uptime_s) if system else None,
        },
        "screenshot": screenshot.to_dict() if screenshot else None,
        "left_out": [],
        "privacy": {"user_name": "kept", "host_name": "kept"},
        "fixes": fixes if fixes is not None else dict(NO_FIXES),
        "news": news if news is not None else dict(NO_NEWS),
    }


def dumps(report: dict[str, Any]) -> bytes:
    """The bytes that are stored and sent: compact, UTF-8, keys in a stable order."""
    return json.dumps(report, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
