"""Every probe, registered in one place. Adding an area means adding one module here (its
``PROBE``, with its IT summary and the symptoms it matters to) and its words in the
catalog; tests/unit/test_registries.py names whatever is missing."""

from desktop.diagnostics.probe import Probe
from desktop.diagnostics.probes import (
    app_faults,
    connectivity,
    disks,
    local_network,
    memory,
    network,
    os_history,
    power,
    printing,
    processes,
    processor,
    system,
)

PROBES: tuple[Probe, ...] = (
    system.PROBE,
    processor.PROBE,
    memory.PROBE,
    disks.PROBE,
    processes.PROBE,
    os_history.PROBE,
    power.PROBE,
    network.PROBE,
    connectivity.PROBE,
    local_network.PROBE,
    app_faults.PROBE,
    app_faults.FOCUS_PROBE,
    printing.PROBE,
)


def probe_named(name: str) -> Probe | None:
    """The probe whose section is called ``name``, if there is one."""
    return next((p for p in PROBES if p.name == name), None)
