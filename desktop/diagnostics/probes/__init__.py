"""Every probe, registered in one place. Adding an area means adding one module here."""

from desktop.diagnostics.probe import Probe
from desktop.diagnostics.probes import (
    app_faults,
    connectivity,
    disks,
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
    app_faults.PROBE,
    app_faults.FOCUS_PROBE,
    printing.PROBE,
)
