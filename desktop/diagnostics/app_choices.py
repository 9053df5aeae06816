"""The programs a person can pick from when "an app shows an error": what runs now and
what crashed or hung recently, under the names people know."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from desktop.diagnostics.apps import AppCatalog, default_catalog
from desktop.diagnostics.probes.app_faults import group
from desktop.diagnostics.readers.fault_records import read_recent
from desktop.diagnostics.sampling.process_sample import ProcessSample, ProcessSampler
from desktop.diagnostics.unavailable import Unavailable
from desktop.policy.config import Policy

# Not something a person would call "the program that shows an error".
_HIDDEN = {"os-kernel", "ally", "desktop-shell"}


@dataclass(frozen=True)
class AppChoice:
    app_id: str
    name: str
    running: bool
    crashes: int
    hangs: int

    def to_dict(self) -> dict:
        return asdict(self)


def app_choices(
    sample: ProcessSample | None = None,
    policy: Policy | None = None,
    catalog: AppCatalog | None = None,
) -> list[AppChoice]:
    """Recently faulting programs first, then running ones by memory use."""
    catalog = catalog or default_catalog()
    policy = policy or Policy.load()
    if sample is None:
        sampler = ProcessSampler(catalog)
        sampler.sample()
        time.sleep(0.2)
        sample = sampler.sample()
    try:
        records, _ = read_recent(policy.fault_window_hours)
        faults = {f.app_id: f for f in group(records, catalog)}
    except (Unavailable, TimeoutError):
        faults = {}
    running = {a.app_id: a for a in sample.apps if not a.background and a.app_id not in _HIDDEN}
    out = [
        AppChoice(f.app_id, f.name, f.app_id in running, f.crashes, f.hangs)
        for f in faults.values()
        if f.app_id not in _HIDDEN
    ]
    for a in sorted(running.values(), key=lambda a: a.memory_bytes, reverse=True):
        if a.app_id not in faults:
            out.append(AppChoice(a.app_id, a.name, True, 0, 0))
    return out
