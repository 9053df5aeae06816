"""Measuring the machine, without Qt.

Three jobs, three places: the probe framework and the answer at this level (``probe``,
``collect``, ``diagnosis``, ``explain``, ``priority``), the cheap background reading in
``sampling/``, and what the operating system records, read through its own tools, in
``readers/``. Probes and rules, one module each, are in ``probes/`` and ``rules/``.
"""

from desktop.diagnostics.collect import collect
from desktop.diagnostics.model import Section, Snapshot, Status, Symptom
from desktop.diagnostics.sampling.sampler import Sampler, SamplerSettings

__all__ = ["Sampler", "SamplerSettings", "Section", "Snapshot", "Status", "Symptom", "collect"]
