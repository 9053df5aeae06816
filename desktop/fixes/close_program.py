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

from ally_helpdesk.evidence import plain_numbers
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.readers.tools import run_tool
from desktop.fixes import own_processes as procs
from desktop.fixes.base import Fix, FixContext, NotOffered, Offer, Outcome, Result, for_it
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


def _it(key: str, /, **values: Any) -> str:
    return for_it("close_program", key, **values)


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
            _it("administrator", account=ctx.account.name),
        )
    found = procs.find(app, ctx.account, ctx.platform)
    skipped = "; ".join(f"{n} {why}" for why, n in found.skipped.items())
    if not found.refs:
        return NotOffered(
            FIX.id,
            finding.id,
            _it("none_closable", app=app, account=ctx.account.name)
            + (f" ({skipped})" if skipped else _it("none_running")),
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
        _it(
            "offered",
            app=app,
            count=len(refs),
            account=ctx.account.name,
            pids=", ".join(str(r.pid) for r in refs[:10]),
        )
        + (_it("left_alone", skipped=skipped) if skipped else ""),
        key=f"{FIX.id}:{app}",
    )


def _refs(offer: Offer) -> list[Ref]:
    return [Ref(**p) for p in offer.target["processes"]]


def _ask_to_close(roots: list[Ref], ctx: FixContext) -> str:
    if ctx.platform.startswith("win"):
        done = run_tool(procs.taskkill_command([r.pid for r in roots], force=False), timeout=5.0)
        return _it("taskkill", code=done.returncode, said=done.stdout.strip()[:200])
    said = []
    for r in roots:
        name = procs.bundle_name(r.exe) if ctx.platform == "darwin" else None
        if name:
            done = run_tool(procs.quit_command(name), timeout=5.0)
            said.append(_it("asked_to_quit", pid=r.pid, name=name, code=done.returncode))
        else:
            said.append(f"{r.pid}: SIGTERM {procs.send(r, signal.SIGTERM, ctx.account)}")
    return "; ".join(said)


def apply(offer: Offer, ctx: FixContext) -> Result:
    refs = _refs(offer)
    alive = [r for r in refs if procs.same_process(r, ctx.account)]
    if not alive:
        return Result(
            Outcome.NOTHING_TO_DO,
            _it("closed_before", app=offer.target["app"]),
            words=offer.words,
        )
    roots = [r for r in procs.roots(alive)]
    did = _it("asked", said=_ask_to_close(roots, ctx))
    left = procs.wait_gone(alive, ctx.account, ctx.grace_s)
    if left:
        return Result(
            Outcome.NEEDS_FORCE,
            did
            + _it(
                "still_running_after",
                seconds=f"{ctx.grace_s:.0f}",
                pids=", ".join(str(r.pid) for r in left),
            ),
            words=offer.words,
        )
    return _recheck(offer, ctx, did, forced=False)


def force(offer: Offer, ctx: FixContext) -> Result:
    """The second, explicit click: end what is left without saving."""
    alive = [r for r in _refs(offer) if procs.same_process(r, ctx.account)]
    if not alive:
        return _recheck(offer, ctx, _it("closed_by_itself"), False)
    if ctx.platform.startswith("win"):
        done = run_tool(procs.taskkill_command([r.pid for r in alive], force=True), timeout=5.0)
        did = _it("taskkill_force", code=done.returncode)
    else:
        did = "SIGKILL: " + "; ".join(
            f"{r.pid} {procs.send(r, signal.SIGKILL, ctx.account)}" for r in alive
        )
    left = procs.wait_gone(alive, ctx.account, FORCE_WAIT_S)
    if left:
        return Result(
            Outcome.FAILED,
            did + _it("still_running", pids=", ".join(str(r.pid) for r in left)),
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
    seen = _it(
        "recheck",
        app=app,
        account=ctx.account.name,
        pids=", ".join(str(r.pid) for r in again) or _it("none"),
        available=plain_numbers.size(memory.available),
        total=plain_numbers.size(memory.total),
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
