"""The report document's format: its schema name, its JSON Schema (report.schema.json,
beside this file) and the way its times are written."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import cache
from importlib.resources import files
from typing import Any

SCHEMA = "ally.report/1"  # a report's "schema"; a new version is a new name
# What the person can say is wrong (the schema's "symptom"; desktop/diagnostics/model.py's
# Symptom has the same values, tests/unit/test_registries.py holds the three together).
SYMPTOMS = ("slow", "internet", "app", "printing", "other")


def reference_code(report_id: str) -> str:
    """A code the person can read out on the phone ("7F3A-09C2"), the same one IT sees in
    the report: the first eight hex digits of the report's id."""
    digits = report_id.replace("-", "")[:8].upper()
    return f"{digits[:4]}-{digits[4:]}"


def utc_now() -> str:
    """Now, as every time in a report is written: UTC, milliseconds, ``Z``."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@cache
def json_schema() -> dict[str, Any]:
    """report.schema.json, parsed once: what every report must look like (the relay checks
    each one before its receipt; the tests check every report Ally builds)."""
    return json.loads(files("ally_helpdesk").joinpath("report.schema.json").read_text("utf-8"))
