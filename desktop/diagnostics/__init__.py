"""Measuring the machine, without Qt.

Three jobs, three places: the probe framework and the answer at this level (``probe``,
``collect``, ``diagnosis``, ``explain``, ``priority``), the cheap background reading in
``sampling/``, and what the operating system records, read through its own tools, in
``readers/``. Probes and rules, one module each, are in ``probes/`` and ``rules/``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Sampler", "SamplerSettings", "Section", "Snapshot", "Status", "Symptom", "collect"]

_WHERE = {
    "collect": "desktop.diagnostics.run_probes",
    "Section": "desktop.diagnostics.model",
    "Snapshot": "desktop.diagnostics.model",
    "Status": "desktop.diagnostics.model",
    "Symptom": "desktop.diagnostics.model",
    "Sampler": "desktop.diagnostics.sampling.sampler",
    "SamplerSettings": "desktop.diagnostics.sampling.sampler",
}


def __getattr__(name: str) -> Any:
    """The names above, imported on first use: a module that needs only ``model`` (the
    policy, the terminal's short commands) does not pay for the probes and the sampler."""
    if name in _WHERE:
        import importlib

        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(name)
