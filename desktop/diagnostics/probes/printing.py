"""The printing system, for "I can't print" (see desktop/diagnostics/readers/print_system.py)."""

from __future__ import annotations

from desktop.diagnostics.model import Symptom
from desktop.diagnostics.probe import Probe, ProbeContext
from desktop.diagnostics.readers.print_system import PrintSystem, read_print_system


def check(ctx: ProbeContext) -> PrintSystem:
    return read_print_system()


PROBE = Probe(
    "printing", check, timeout_s=4.0, symptoms=frozenset({Symptom.PRINTING, Symptom.OTHER})
)
