"""Every safe fix, registered in one place (like probes and rules), and the two things
callers do with them: find what may be offered for a diagnosis, and try one.

IT turns fixes off in the policy ([fixes]); a fix is never offered on a platform it does
not name, and each fix's own offer() says when the person's rights or the situation do
not allow it (a NotOffered with the reason, for IT). At most two fixes per finding.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from desktop.base.words import say
from desktop.fixes import (
    close_program,
    empty_trash,
    large_folders,
    print_jobs,
    restart_reminder,
    sign_in_page,
)
from desktop.fixes.base import Fix, FixContext, NotOffered, Offer, Outcome, Result
from desktop.fixes.journal import Journal

log = logging.getLogger(__name__)
MAX_PER_FINDING = 2

FIXES: tuple[Fix, ...] = (
    print_jobs.FIX,
    close_program.FIX,
    sign_in_page.FIX,
    large_folders.FIX,
    empty_trash.FIX,
    restart_reminder.FIX,
)


def by_id(fix_id: str) -> Fix | None:
    return next((f for f in FIXES if f.id == fix_id), None)


def words_key(fix_id: str) -> str:
    """The catalog table that holds a fix's words, as its ``Fix`` declares."""
    fix = by_id(fix_id)
    return fix.words if fix is not None and fix.words else f"fixes.{fix_id}"


@dataclass
class Offers:
    offered: list[Offer] = field(default_factory=list)
    not_offered: list[NotOffered] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "offered": [o.to_dict() for o in self.offered],
            "not_offered": [n.to_dict() for n in self.not_offered],
        }

    def for_finding(self, finding_id: str) -> list[Offer]:
        return [o for o in self.offered if o.finding_id == finding_id]


def offers_for(findings: Sequence[Any], ctx: FixContext) -> Offers:
    """What Ally may offer for these findings (Explanations, most important first)."""
    out = Offers()
    keys: set[str] = set()
    for finding in findings:
        if finding.severity.value == "info":
            continue
        count = 0
        for fix in FIXES:
            if finding.id not in fix.answers:
                continue
            if not ctx.policy.fixes.allows(fix.id):
                out.not_offered.append(
                    NotOffered(fix.id, finding.id, say("turned_off", "fix_it", fix=fix.id))
                )
                continue
            if not fix.runs_on(ctx.platform):
                out.not_offered.append(
                    NotOffered(fix.id, finding.id, say("not_here", "fix_it", platform=ctx.platform))
                )
                continue
            try:
                result = fix.offer(finding, ctx)
            except Exception as exc:  # a fix that cannot decide is not offered, never a crash
                log.exception("fix %s could not decide", fix.id)
                result = NotOffered(fix.id, finding.id, f"{type(exc).__name__}: {exc}")
            if isinstance(result, NotOffered):
                out.not_offered.append(result)
            elif isinstance(result, Offer) and result.key not in keys and count < MAX_PER_FINDING:
                keys.add(result.key)
                out.offered.append(replace(result, headline=finding.headline))
                count += 1
    return out


def attempt(offer: Offer, ctx: FixContext, step: str = "apply") -> Result:
    """Try one step of a fix ("apply", "force" or "check_again"), recorded in the journal
    before and after, so a report made later says what was tried and what came of it."""
    fix = by_id(offer.fix_id)
    action = getattr(fix, step, None) if fix is not None else None
    if fix is None or action is None:
        return Result(Outcome.FAILED, say("no_step", "fix_it", step=step, fix=offer.fix_id))
    if not ctx.policy.fixes.allows(fix.id):
        return Result(Outcome.FAILED, say("turned_off", "fix_it", fix=fix.id))
    journal = Journal.of(ctx.paths, ctx.clock)
    try:
        attempt_id: str | None = journal.started(offer, ctx.for_report)
    except OSError as exc:
        log.warning("fix journal not written: %s", exc)
        attempt_id = None
    try:
        result = action(offer, ctx)
    except Exception as exc:  # the person sees a plain sentence; IT sees what broke
        log.exception("fix %s (%s) failed", fix.id, step)
        result = Result(Outcome.FAILED, f"{step} failed: {type(exc).__name__}: {exc}")
    if attempt_id is not None:
        try:
            journal.finished(attempt_id, offer, result)
        except OSError as exc:
            log.warning("fix journal not written: %s", exc)
    return result
