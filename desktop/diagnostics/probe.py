"""What a probe is: a name, a time limit, and one function that returns its section's data.

Following sos's plugins, a probe only *declares* what it checks; :func:`collect` owns
running probes concurrently, their time limits, and turning failures into "could not
check". A probe function returns its dataclass, or raises :class:`Unavailable` when the
thing does not exist here (no battery, no such tool); any other exception becomes an
``error`` section with the reason.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop.diagnostics.apps import AppCatalog
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.sampling.counters import Counters
from desktop.diagnostics.sampling.process_sample import ProcessSample
from desktop.diagnostics.unavailable import Unavailable

__all__ = ["Probe", "ProbeContext", "ProbeFunction", "Unavailable"]


class ProbeContext:
    """What every probe may use: the readings of this moment and the history before it."""

    def __init__(
        self,
        symptom: Symptom,
        sampler: Any,  # desktop.diagnostics.sampling.sampler.Sampler (not imported: avoids a cycle)
        previous: Counters | None,
        current: Counters,
        catalog: AppCatalog,
        policy: Any = None,  # desktop.policy.config.Policy; None reads IT's policy file
        focus_app: str | None = None,  # the program the person says is misbehaving
    ) -> None:
        from desktop.policy.config import Policy

        self.policy = policy if policy is not None else Policy.load()
        self.symptom = symptom
        self.focus_app = focus_app
        self.fresh_processes = True
        self._faults_lock = threading.Lock()
        self._faults: Any = None
        self.sampler = sampler
        self.previous = previous
        self.current = current
        self.catalog = catalog
        self._process_lock = threading.Lock()
        self._process_sample: ProcessSample | None = None

    @property
    def history(self) -> Any:
        return self.sampler.history

    def processes(self) -> ProcessSample:
        """A per-process sample, taken once and shared by the probes that need it. The
        background status check reuses the sampler's latest walk instead of a new one,
        since walking every process is the costliest thing Ally does."""
        with self._process_lock:
            if self._process_sample is None:
                last = self.sampler.last_process_sample
                if not self.fresh_processes and last is not None and last.interval_s is not None:
                    self._process_sample = last
                else:
                    self._process_sample = self.sampler.sample_processes_now()
            return self._process_sample

    def faults(self) -> Any:
        """Recent crash and hang records, read once and shared (see probes/app_faults.py)."""
        with self._faults_lock:
            if self._faults is None:
                from desktop.diagnostics.readers.fault_records import read_recent

                self._faults = read_recent(self.policy.fault_window_hours)
            return self._faults

    def interval_s(self) -> float | None:
        if self.previous is None:
            return None
        return self.current.monotonic - self.previous.monotonic


ProbeFunction = Callable[[ProbeContext], Any]


@dataclass(frozen=True)
class Probe:
    """One area Ally checks, declared in one place (its module under ``probes/``).

    ``it_summary`` turns the section's data into IT's one line (``ally diagnose`` and the
    report); ``key_for`` names the symptoms that have no honest answer without this check
    and ``mentioned_for`` those whose answer says when it could not be made, each with its
    place in that answer. The person's name for the check is ``[checks] <name>`` in the
    catalog and the words for "could not check" are ``[could_not_check.checks] <name>``;
    tests/unit/test_registries.py names whatever is missing.
    """

    name: str
    run: ProbeFunction
    timeout_s: float = 2.0
    symptoms: frozenset[Symptom] | None = None  # None: runs for every symptom
    needs_focus_app: bool = False  # runs only when the person named a program
    leaves_this_computer: bool = False  # sends checks over the network: never on a timer
    it_summary: Callable[[Any], str] | None = field(default=None, compare=False)
    key_for: Mapping[Symptom, int] = field(default_factory=dict, compare=False)
    mentioned_for: Mapping[Symptom, int] = field(default_factory=dict, compare=False)

    def applies_to(self, symptom: Symptom, focus_app: str | None = None) -> bool:
        if self.needs_focus_app and not focus_app:
            return False
        return self.symptoms is None or symptom in self.symptoms
