"""Measuring the machine, without Qt: probes, the sampler and its history, and collect()."""

from desktop.diagnostics.collect import collect
from desktop.diagnostics.model import Section, Snapshot, Status, Symptom
from desktop.diagnostics.sampler import Sampler, SamplerSettings

__all__ = ["Sampler", "SamplerSettings", "Section", "Snapshot", "Status", "Symptom", "collect"]
