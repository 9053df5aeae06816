"""A program running flat out or holding most of the memory → close it, gently first.

The first click asks the program to close as its close button would (SIGTERM on Linux,
Quit on macOS, taskkill without /F on Windows), so it can save or ask about unsaved
work. Only if it is still running after a short wait does Ally offer a second, explicit
click that ends it without saving. Only the person's own processes of that program are
touched (see own_processes.py). Re-check: a fresh walk of the running processes.
"""

from __future__ import annotations

import signal
from typing import Any

from desktop import plain_numbers
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.readers.tools import run_tool
from desktop.fixes import own_processes as procs
from desktop.fixes.base import Fix, FixContext, NotOffered, Offer, Outcome, Result
from desktop.fixes.own_processes import Ref

FORCE_WAIT_S = 1.5
# The findings about one program using the processor or the memory.
ANSWERS = (
    "app_cpu_runaway",
    "cpu_saturated",
    "memory_exhausted",
    "swapping",
    "app_memory_growth",
)


def _app(finding: Any) -> str | None:
    return finding.apps[0] if finding.apps else None


def offer(finding: Any, ctx: FixContext) -> Offer | NotOffered | None:
    app = _app(finding)
    if app is None:
        return None  # no single program is to blame
    if ctx.account.is_administrator:
        return NotOffered(
            FIX.id,
            finding.id,
            f"Ally runs as the administrator account {ctx.account.name!r} here; its programs "
            "cannot be told apart from the system's own, so Ally closes none",
        )
    found = procs.find(app, ctx.account, ctx.platform)
    skipped = "; ".join(f"{n} {why}" for why, n in found.skipped.items())
    if not found.refs:
        return NotOffered(
            FIX.id,
            finding.id,
            f"no process of {app} may be closed by {ctx.account.name}"
            + (f" ({skipped})" if skipped else " (none running now)"),
        )
    refs = found.refs
    return Offer(
        FIX.id,
        finding.id,
        {"app": app},
        {
            "app": app,
            "processes": [r.__dict__ for r in refs],
            "roots": [r.pid for r in procs.roots(refs)],
        },
        {"app": app, "processes": len(refs), "pids": [r.pid for r in refs][:10]},
        f"{app}: {plain_numbers.count(len(refs), 'process', 'processes')} of {ctx.account.name} "
        f"(PIDs {', '.join(str(r.pid) for r in refs[:10])}); asked to close first, forced "
        "only after a second click" + (f"; left alone: {skipped}" if skipped else ""),
        key=f"{FIX.id}:{app}",
    )


def _refs(offer: Offer) -> list[Ref]:
    return [Ref(**p) for p in offer.target["processes"]]


def _ask_to_close(roots: list[Ref], ctx: FixContext) -> str:
    if ctx.platform.startswith("win"):
        done = run_tool(procs.taskkill_command([r.pid for r in roots], force=False), timeout=5.0)
        return f"taskkill (no /F) exit code {done.returncode}: {done.stdout.strip()[:200]}"
    said = []
    for r in roots:
        name = procs.bundle_name(r.exe) if ctx.platform == "darwin" else None
        if name:
            done = run_tool(procs.quit_command(name), timeout=5.0)
            said.append(f"{r.pid}: asked {name} to quit (exit code {done.returncode})")
        else:
            said.append(f"{r.pid}: SIGTERM {procs.send(r, signal.SIGTERM, ctx.account)}")
    return "; ".join(said)


def apply(offer: Offer, ctx: FixContext) -> Result:
    refs = _refs(offer)
    alive = [r for r in refs if procs.same_process(r, ctx.account)]
    if not alive:
        return Result(
            Outcome.NOTHING_TO_DO,
            f"{offer.target['app']} had closed before the click (or its process numbers now "
            "belong to other programs, which were left alone)",
            words=offer.words,
        )
    roots = [r for r in procs.roots(alive)]
    did = "asked to close: " + _ask_to_close(roots, ctx)
    left = procs.wait_gone(alive, ctx.account, ctx.grace_s)
    if left:
        return Result(
            Outcome.NEEDS_FORCE,
            did
            + f"; still running after {ctx.grace_s:.0f} s: PIDs "
            + ", ".join(str(r.pid) for r in left),
            words=offer.words,
        )
    return _recheck(offer, ctx, did, forced=False)


def force(offer: Offer, ctx: FixContext) -> Result:
    """The second, explicit click: end what is left without saving."""
    alive = [r for r in _refs(offer) if procs.same_process(r, ctx.account)]
    if not alive:
        return _recheck(offer, ctx, "it had closed by itself before the second click", False)
    if ctx.platform.startswith("win"):
        done = run_tool(procs.taskkill_command([r.pid for r in alive], force=True), timeout=5.0)
        did = f"taskkill /F /T exit code {done.returncode}"
    else:
        did = "SIGKILL: " + "; ".join(
            f"{r.pid} {procs.send(r, signal.SIGKILL, ctx.account)}" for r in alive
        )
    left = procs.wait_gone(alive, ctx.account, FORCE_WAIT_S)
    if left:
        return Result(
            Outcome.FAILED,
            did + "; still running: PIDs " + ", ".join(str(r.pid) for r in left),
            words=offer.words,
            forced=True,
        )
    return _recheck(offer, ctx, did, forced=True)


def _recheck(offer: Offer, ctx: FixContext, did: str, forced: bool) -> Result:
    """A fresh walk: is any process of the program running for this account again?"""
    import psutil

    app = offer.target["app"]
    again = procs.find(app, ctx.account, ctx.platform).refs
    memory = psutil.virtual_memory()
    seen = (
        f"processes of {app} running now for {ctx.account.name}: "
        f"{', '.join(str(r.pid) for r in again) or 'none'}; memory available now "
        f"{plain_numbers.size(memory.available)} of {plain_numbers.size(memory.total)}"
    )
    outcome = Outcome.NOT_FIXED if again else Outcome.FIXED
    return Result(outcome, did, seen, words=offer.words, forced=forced)


FIX = Fix(
    id="close_program",
    answers=ANSWERS,
    platforms=("linux", "darwin", "win32"),
    rights="own_processes",  # [fix_it.rights] in the catalog
    symptom=Symptom.SLOW,
    offer=offer,
    apply=apply,
    force=force,
    words="fixes.close_program",
)
