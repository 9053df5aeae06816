"""Documents stuck in the print line → cancel the person's own waiting documents.

Only the person's own jobs, and only those Ally listed before the click: a colleague's
document or one sent after Ally looked is never touched, even where the account would be
allowed to (an administrator's). CUPS (Linux, macOS): ``lpstat -o`` lists jobs with
their owner, ``cancel ID…`` cancels them. Windows: the spooler's jobs with their owner
from ``Win32_PrintJob``, cancelled with ``Remove-PrintJob`` (PrintManagement); the
spooler lets people cancel their own documents without an administrator.
Re-check: the printing probe and rule run again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from typing import Any

from desktop.base.words import listed
from desktop.diagnostics.model import Symptom
from desktop.diagnostics.readers.tools import ToolResult, run_tool
from desktop.fixes import recheck
from desktop.fixes.base import Fix, FixContext, NotOffered, Offer, Outcome, Result, for_it

_C = {"LC_ALL": "C", "LANG": "C"}
_JOB = re.compile(r"^(?P<id>(?P<printer>\S+)-(?P<number>\d+))\s+(?P<user>\S+)\s+\d+\s")


@dataclass(frozen=True)
class Job:
    job_id: str  # CUPS: "Office-12"; Windows: "Printer Name-12"
    printer: str
    number: int
    owner: str


def parse_lpstat_owners(text: str) -> list[Job]:
    """``lpstat -o`` in the C locale: 'Office-12  alex  1024  Sun Nov 22 20:50:08 2026'."""
    jobs = []
    for line in text.splitlines():
        m = _JOB.match(line)
        if m:
            jobs.append(Job(m["id"], m["printer"], int(m["number"]), m["user"]))
    return jobs


def parse_windows_jobs(text: str) -> list[Job]:
    """``Get-CimInstance Win32_PrintJob | Select-Object Name,JobId,Owner | ConvertTo-Json``:
    Name is 'Printer Name, 12'; one job comes as an object, several as a list."""
    text = text.strip()
    if not text:
        return []
    data = json.loads(text)
    jobs = []
    for j in data if isinstance(data, list) else [data]:
        if not isinstance(j, dict):
            continue
        printer, _, _ = str(j.get("Name", "")).rpartition(", ")
        job_id = j.get("JobId")
        if not printer or not isinstance(job_id, int) or not isinstance(j.get("Owner"), str):
            continue
        jobs.append(Job(f"{printer}-{job_id}", printer, job_id, j["Owner"]))
    return jobs


def ps_quote(text: str) -> str:
    """A PowerShell single-quoted string: every kind of single quote PowerShell accepts
    (' ‘ ’ ‚ ‛) is doubled, so a printer name cannot end the string."""
    return "'" + re.sub("(['\u2018\u2019\u201a\u201b])", r"\1\1", text) + "'"


def _it(key: str, /, **values: Any) -> str:
    return for_it("cancel_print_jobs", key, **values)


_PS = ["powershell", "-NoProfile", "-NonInteractive", "-Command"]
_PS_LIST = (
    "Get-CimInstance Win32_PrintJob | Select-Object Name,JobId,Owner | ConvertTo-Json -Compress"
)


def remove_command(jobs: list[Job]) -> list[str]:
    script = "; ".join(
        f"Remove-PrintJob -PrinterName {ps_quote(j.printer)} -ID {int(j.number)}" for j in jobs
    )
    return [*_PS, script]


def _is_windows(ctx: FixContext) -> bool:
    return ctx.platform.startswith("win")


def list_jobs(ctx: FixContext) -> list[Job]:
    if _is_windows(ctx):
        return parse_windows_jobs(run_tool([*_PS, _PS_LIST], timeout=5.0).stdout)
    return parse_lpstat_owners(
        run_tool(["lpstat", "-o"], timeout=3.0, env={**os.environ, **_C}).stdout
    )


def _mine(job: Job, ctx: FixContext) -> bool:
    owner = ctx.account.name
    if _is_windows(ctx):
        # Win32_PrintJob.Owner is the bare user name; the account may be DOMAIN\user.
        return job.owner.lower() == owner.rsplit("\\", 1)[-1].lower()
    return job.owner == owner


def _cancel(numbers: list[str]) -> ToolResult:
    """``cancel`` without a terminal: where a print server wants a password, CUPS asks on
    the terminal, and Ally never asks the person for one. With no terminal it fails instead,
    and the fix says it could not be done."""
    if shutil.which("cancel") is None:
        return ToolResult(127, "", _it("no_cancel"))
    try:
        done = subprocess.run(
            ["cancel", *numbers],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=5.0,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # no controlling terminal: no password prompt
            env={**os.environ, **_C},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return ToolResult(124, "", _it("cancel_timeout", seconds=5))
    return ToolResult(done.returncode, done.stdout, done.stderr)


def offer(finding: Any, ctx: FixContext) -> Offer | NotOffered | None:
    stuck_on = list(finding.evidence.get("stuck_on") or [])
    jobs = [j for j in list_jobs(ctx) if j.printer in stuck_on]
    mine = [j for j in jobs if _mine(j, ctx)]
    if not mine:
        return NotOffered(
            FIX.id,
            finding.id,
            _it(
                "none_yours",
                count=len(jobs),
                printers=", ".join(stuck_on) or _it("the_printer"),
                account=ctx.account.name,
            ),
        )
    printers = sorted({j.printer for j in mine})
    others = len(jobs) - len(mine)
    return Offer(
        FIX.id,
        finding.id,
        {"count": len(mine), "printers": listed(printers)},
        {"jobs": [asdict(j) for j in mine]},
        {"documents": len(mine), "printers": printers, "other_peoples_documents": others},
        _it(
            "offered",
            jobs=", ".join(j.job_id for j in mine),
            account=ctx.account.name,
            others=others,
        ),
        key=f"{FIX.id}:{','.join(printers)}",
        variant="one" if len(mine) == 1 else None,  # "the document", not "your 1 document"
    )


def apply(offer: Offer, ctx: FixContext) -> Result:
    listed = [Job(**j) for j in offer.target["jobs"]]  # as offered, before the click
    now = {j.job_id: j for j in list_jobs(ctx)}
    # Only what was offered, still waiting, and still the person's.
    todo = [j for j in listed if j.job_id in now and _mine(now[j.job_id], ctx)]
    if not todo:
        return Result(
            Outcome.NOTHING_TO_DO,
            _it("none_waiting", jobs=", ".join(j.job_id for j in listed)),
        )
    if _is_windows(ctx):
        done = run_tool(remove_command(todo), timeout=10.0)
    else:
        # Job numbers are unique on the print server and never start with "-", unlike a
        # printer's name, which `cancel` could take for an option.
        done = _cancel([str(int(j.number)) for j in todo])
    said = done.stderr.strip()[:300]
    did = _it(
        "cancelled_said" if said else "cancelled",
        jobs=", ".join(j.job_id for j in todo),
        code=done.returncode,
        said=said,
    )
    return _recheck(offer, todo, ctx, did)


def _recheck(offer: Offer, todo: list[Job], ctx: FixContext, did: str) -> Result:
    d = recheck.run(ctx, Symptom.PRINTING.value, ["printing"])
    data = d.snapshot.section_data("printing")
    if data is None:  # asked to cancel; whether they are gone is not known
        reason = recheck.section_reason(d, "printing")
        return Result(Outcome.FAILED, did, reason, words=offer.words, variant="unchecked")
    waiting = {j.job_id for j in data.jobs}
    left = [j.job_id for j in todo if j.job_id in waiting]
    still = recheck.still_found(d, "print_jobs_stuck")
    seen = _it(
        "recheck_still" if still else "recheck_gone",
        left=", ".join(left) or _it("none"),
        waiting=len(waiting),
        detail=still.it_detail if still else "",
    )
    if left:  # some may be gone: then the words say so, never "could not cancel"
        partly = "partly" if len(left) < len(todo) else None
        return Result(Outcome.FAILED, did, seen, words=offer.words, variant=partly)
    stuck_here = still is not None and set(still.evidence.get("stuck_on") or []) & set(
        offer.record["printers"]
    )
    outcome = Outcome.NOT_FIXED if stuck_here else Outcome.FIXED
    return Result(outcome, did, seen, words=offer.words)


FIX = Fix(
    id="cancel_print_jobs",
    answers=("print_jobs_stuck",),
    platforms=("linux", "darwin", "win32"),
    rights="own_print_jobs",  # [fix_it.rights] in the catalog
    symptom=Symptom.PRINTING,
    offer=offer,
    apply=apply,
    words="fixes.cancel_print_jobs",
)
