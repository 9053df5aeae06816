"""The printing system, for "I can't print" (see desktop/diagnostics/readers/print_system.py)."""

from __future__ import annotations

from desktop.diagnostics.model import Symptom
from desktop.diagnostics.probe import Probe, ProbeContext
from desktop.diagnostics.readers.print_system import PrintSystem, read_print_system
from desktop.plain_numbers import count


def check(ctx: ProbeContext) -> PrintSystem:
    return read_print_system()


def it_summary(data: PrintSystem) -> str:
    """IT's one line for this section (``ally diagnose`` and the report)."""
    printers = ", ".join(
        f"{p.name}{' (default)' if p.is_default else ''} {p.state}"
        + (f" [{p.message}]" if p.message else "")
        for p in data.printers
    )
    service = {True: "running", False: "NOT running", None: "unknown"}[data.service_running]
    return (
        f"print service {service}; {printers or 'no printers'}; "
        f"{count(len(data.jobs), 'document')} waiting"
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
