"""``collect(symptom)``: run every probe at once, each bounded, and gather one Snapshot.

No probe can hold up the answer: each runs in its own daemon thread with its own time
limit, and the whole collection has a total bound. A probe that raises, is denied access
or hangs becomes a section that says so; the others are unaffected.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone

import psutil

from desktop.diagnostics.apps import AppCatalog, default_catalog
from desktop.diagnostics.bounded import Pending
from desktop.diagnostics.model import Cause, Section, Snapshot, Symptom
from desktop.diagnostics.probe import Probe, ProbeContext, Unavailable
from desktop.diagnostics.sampling.history import compact_window
from desktop.diagnostics.sampling.sampler import Sampler
from desktop.policy.config import Policy

log = logging.getLogger(__name__)

DEFAULT_TOTAL_TIMEOUT_S = 5.0  # the network walk may take up to its own 4.5 s bound
DEFAULT_WARM_UP_S = 1.0


def default_probes() -> list[Probe]:
    from desktop.diagnostics.probes import PROBES

    return list(PROBES)


def collect(
    symptom: Symptom | str = Symptom.SLOW,
    sampler: Sampler | None = None,
    probes: Sequence[Probe] | None = None,
    total_timeout_s: float = DEFAULT_TOTAL_TIMEOUT_S,
    warm_up_s: float = DEFAULT_WARM_UP_S,
    catalog: AppCatalog | None = None,
    policy: Policy | None = None,
    focus_app: str | None = None,
    progress: Callable[[Section], None] | None = None,
    fresh_processes: bool = True,
) -> Snapshot:
    """Check the machine for ``symptom``; returns within about ``total_timeout_s``.

    Without a running ``sampler`` (the CLI), a new one first samples for ``warm_up_s`` so
    that rates (processor use, disk and network throughput) are measured, not zeros.
    """
    symptom = Symptom(symptom)
    started = time.monotonic()
    if sampler is None:
        sampler = Sampler()
    sampler.warm_up(warm_up_s)
    begun = time.monotonic()
    previous, current = sampler.sample_now()
    ctx = ProbeContext(
        symptom, sampler, previous, current, catalog or default_catalog(), policy, focus_app
    )
    ctx.fresh_processes = fresh_processes

    chosen = [
        p
        for p in (probes if probes is not None else default_probes())
        if p.applies_to(symptom, focus_app)
    ]
    running = {
        p.name: (p, Pending(lambda p=p: _timed(p, ctx, progress), name=f"ally-probe-{p.name}"))
        for p in chosen
    }
    deadline = begun + total_timeout_s
    sections: dict[str, Section] = {}
    for name, (probe, pending) in running.items():
        # Every probe's clock started together, so wait only for what is left of its time.
        remaining = min(begun + probe.timeout_s, deadline) - time.monotonic()
        try:
            sections[name] = pending.result(max(remaining, 0.0))  # type: ignore[assignment]
        except TimeoutError:
            log.warning("probe %s gave no answer within %.1f s", name, probe.timeout_s)
            sections[name] = Section.error(
                name,
                f"no answer within {min(probe.timeout_s, total_timeout_s):.1f} s",
                Cause.TIMEOUT,
            )
    window = sampler.history.window()
    return Snapshot(
        symptom=symptom,
        collected_at=datetime.now(timezone.utc),
        duration_ms=(time.monotonic() - started) * 1000.0,
        sections=sections,
        history=compact_window(window),
    )


def _timed(
    probe: Probe, ctx: ProbeContext, progress: Callable[[Section], None] | None = None
) -> Section:
    t0 = time.perf_counter()
    section = run_probe(probe, ctx)
    done = Section(
        name=section.name,
        status=section.status,
        data=section.data,
        reason=section.reason,
        duration_ms=(time.perf_counter() - t0) * 1000.0,
        cause=section.cause,
    )
    if progress is not None:
        try:
            progress(done)  # each check shows as it completes (called from the probe's thread)
        except Exception:
            log.exception("progress callback failed for %s", probe.name)
    return done


def run_probe(probe: Probe, ctx: ProbeContext) -> Section:
    """One probe, with every failure turned into a section that says what happened."""
    try:
        return Section.ok(probe.name, probe.run(ctx))
    except Unavailable as exc:
        return Section.unavailable(probe.name, str(exc), cause=exc.cause)
    except psutil.AccessDenied as exc:
        return Section.error(
            probe.name, f"permission denied by the operating system ({exc})", Cause.DENIED
        )
    except PermissionError as exc:
        return Section.error(probe.name, f"permission denied: {exc}", Cause.DENIED)
    except TimeoutError as exc:
        return Section.error(probe.name, str(exc) or "timed out", Cause.TIMEOUT)
    except Exception as exc:  # the probe's bug must not become the person's problem
        log.exception("probe %s failed", probe.name)
        return Section.error(probe.name, f"{type(exc).__name__}: {exc}")
