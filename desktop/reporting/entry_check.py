"""Is a document read back from the outbox a report Ally can send?

Whatever sits in the outbox folder may have been changed by hand or by another program.
Every field that the transports, the preview and IT's HTML view read is checked for the
type they expect, so a hostile entry is set aside (quarantined) instead of failing inside
a transport on every delivery round. The schema in ally_helpdesk/report.schema.json says
more; this is what sending needs, without a schema library on every office PC.
"""

from __future__ import annotations

import re
from typing import Any

from desktop.diagnostics.model import Symptom
from desktop.reporting.report import MAX_NOTE_CHARS, SCHEMA

CREATED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
SYMPTOMS = {s.value for s in Symptom}


def _it(key: str, /, **values: Any) -> str:
    """IT's words about the outbox and its reports ([report_it] in the catalog). Imported
    here: the catalog is read only when there is something to say."""
    from desktop.base.words import say

    return say(key, "report_it", **values)


def problem_with(report: Any, report_id: str) -> str | None:
    """None for a report fit to send, else what is wrong with it (for IT)."""
    if not isinstance(report, dict):
        return _it("not_an_object")
    if report.get("schema") != SCHEMA:
        return _it("wrong_schema")
    if report.get("id") != report_id:
        return _it("wrong_id")
    checks = (
        ("created_at", lambda v: isinstance(v, str) and CREATED_AT.match(v)),
        ("ally_version", lambda v: isinstance(v, str)),
        ("symptom", lambda v: isinstance(v, str) and v in SYMPTOMS),
        ("note", lambda v: v is None or (isinstance(v, str) and len(v) <= MAX_NOTE_CHARS)),
        ("contact", _contact),
        ("diagnosis", _diagnosis),
        ("history", lambda v: isinstance(v, dict)),
        ("machine", lambda v: isinstance(v, dict) and all(_scalar(x) for x in v.values())),
        ("screenshot", _screenshot),
        ("left_out", lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)),
        ("privacy", lambda v: isinstance(v, dict)),
    )
    for key, ok in checks:
        if not ok(report.get(key)):
            return _it("bad_field", field=key)
    return None


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float))


def _contact(value: Any) -> bool:
    return value is None or (
        isinstance(value, dict) and all(v is None or isinstance(v, str) for v in value.values())
    )


def _screenshot(value: Any) -> bool:
    return value is None or (
        isinstance(value, dict)
        and isinstance(value.get("png_base64"), str)
        and all(
            isinstance(value.get(k), int) and not isinstance(value.get(k), bool)
            for k in ("width", "height")
        )
    )


def _texts(value: Any, *keys: str) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(k), str) for k in keys)


def _diagnosis(d: Any) -> bool:
    if not isinstance(d, dict) or not _texts(d.get("summary"), "headline", "explanation"):
        return False
    findings = d.get("findings")
    if not isinstance(findings, list):
        return False
    for f in findings:
        if not _texts(f, "id", "severity", "headline", "explanation", "it_detail"):
            return False
        advice = f.get("advice", [])
        if not isinstance(advice, list) or not all(isinstance(a, str) for a in advice):
            return False
    sections = d.get("sections")
    return (
        isinstance(sections, dict)
        and all(isinstance(s, dict) for s in sections.values())
        and isinstance(d.get("not_checked", {}), dict)
        and isinstance(d.get("notes", []), list)
        and isinstance(d.get("history_s", 0), (int, float))
    )
