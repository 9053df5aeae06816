"""The printing system, for "I can't print" (see desktop/diagnostics/printing.py)."""

from __future__ import annotations

from desktop.diagnostics.model import Symptom
from desktop.diagnostics.printing import PrintSystem, read_print_system
from desktop.diagnostics.probe import Probe, ProbeContext


def check(ctx: ProbeContext) -> PrintSystem:
    return read_print_system()


PROBE = Probe(
    "printing", check, timeout_s=4.0, symptoms=frozenset({Symptom.PRINTING, Symptom.OTHER})
)
