"""The report document's format: its schema name, its JSON Schema (report.schema.json,
beside this file) and the way its times are written."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import cache
from importlib.resources import files
from typing import Any

SCHEMA = "ally.report/1"  # a report's "schema"; a new version is a new name


def utc_now() -> str:
    """Now, as every time in a report is written: UTC, milliseconds, ``Z``."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@cache
def json_schema() -> dict[str, Any]:
    """report.schema.json, parsed once: what every report must look like (the relay checks
    each one before its receipt; the tests check every report Ally builds)."""
    return json.loads(files("ally_helpdesk").joinpath("report.schema.json").read_text("utf-8"))
