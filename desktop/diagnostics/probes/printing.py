"""The printing system, for "I can't print" (see desktop/diagnostics/readers/print_system.py)."""

from __future__ import annotations

from typing import Any

from desktop.diagnostics.it_words import it_says
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.probe import Probe, ProbeContext
from desktop.diagnostics.readers.print_system import PrintSystem, read_print_system


def _it(key: str, /, **values: Any) -> str:
    return it_says("printing", key, **values)


def check(ctx: ProbeContext) -> PrintSystem:
    return read_print_system()


def it_summary(data: PrintSystem) -> str:
    """IT's one line for this section (``ally diagnose`` and the report)."""
    printers = ", ".join(
        f"{p.name}{' (default)' if p.is_default else ''} {p.state}"
        + (f" [{p.message}]" if p.message else "")
        for p in data.printers
    )
    service = {True: "running", False: "not_running", None: "unknown"}[data.service_running]
    return _it(
        "summary",
        service=_it(service),
        printers=printers or _it("no_printers"),
        documents=len(data.jobs),
    )


PROBE = Probe(
    "printing",
    check,
    timeout_s=4.0,
    symptoms=frozenset({Symptom.PRINTING, Symptom.OTHER}),
    it_summary=it_summary,
    key_for={Symptom.PRINTING: 0},
    mentioned_for={Symptom.OTHER: 4},
)
