"""One report from click to receipt, without Qt: check, build, trim, store, send.

The one flow every way of asking goes through: the report window calls these steps on
worker threads and only shows their results, and ``ally diagnose`` and ``ally report``
call the same ones in a terminal. So the answer, the fixes offered for it, IT's news at
the click and the report built from them are composed in one place.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from desktop.base.paths import AllyPaths
from desktop.diagnostics.diagnosis import Diagnosis, diagnose
from desktop.diagnostics.explain import Catalog
from desktop.diagnostics.model import Section
from desktop.diagnostics.sampling.sampler import Sampler
from desktop.policy.config import Policy
from desktop.reporting import helping, report, sending
from desktop.reporting.sending import SendResult

__all__ = ["ReportSession", "SendResult"]
log = logging.getLogger(__name__)


class ReportSession:
    def __init__(
        self,
        policy: Policy,
        paths: AllyPaths,
        sampler: Sampler,
        catalog: Catalog,
        # IT's news: a desktop.news.watcher.NewsWatcher, or a function that gives one once
        # it is read (the terminal reads the feed while the computer is checked).
        news: Any = None,
    ) -> None:
        self.policy, self.paths, self.sampler, self.catalog = policy, paths, sampler, catalog
        self.diagnosis: Diagnosis | None = None
        self.news = news
        self.offers: Any = None  # desktop.fixes.registry.Offers for this diagnosis
        self.news_at_click: dict[str, Any] | None = None
        self.news_line: str | None = None  # "IT already knows about a problem with email …"
        self.account: Any = None  # whose programs and files fixes act on (default: this account)
        # The report being made: a new one at each check, kept through a re-check after a
        # fix, so the fixes tried for it (and only those) go with it.
        self.report_id: str = str(uuid.uuid4())
        self.before_fix: Diagnosis | None = None  # the answer the fix was tried against
        # What the last fix changed, as the report window said it (see what_changed).
        self.changed: dict[str, Any] | None = None
        self._asked: tuple[str, str | None] = ("slow", None)

    def check(
        self,
        symptom: str,
        focus_app: str | None = None,
        progress: Callable[[Section], None] | None = None,
        warm_up_s: float = 1.0,
        history_from: str | None = None,
    ) -> Diagnosis:
        """The answer to what the person asked; a new report begins with it."""
        self.report_id, self.before_fix, self.changed = str(uuid.uuid4()), None, None
        self._asked = (symptom, focus_app)
        self.diagnosis = diagnose(
            symptom,
            sampler=self.sampler,
            policy=self.policy,
            focus_app=focus_app,
            warm_up_s=warm_up_s,
            progress=progress,
            history_from=history_from,
        )
        self.after_check(symptom)
        return self.diagnosis

    def check_again_after_fix(self, offer: Any = None) -> Diagnosis:
        """The answer again, after a fix: the same question, judged anew on what the
        computer does now. Ally watches a little longer than the let-up a busy spell may
        have (dip_max_s), so "no longer busy" is said only when it is true. The report
        stays the same one; the answer before the fix is kept for IT, and what changed
        (``offer``: the fix that worked) goes with the report to its ending."""
        from ally_helpdesk.evidence.thresholds import Thresholds

        symptom, focus_app = self._asked
        if self.before_fix is None:
            self.before_fix = self.diagnosis
        dip = Thresholds(self.policy.thresholds).as_dict()["dip_max_s"]
        self.diagnosis = diagnose(
            symptom,
            sampler=self.sampler,
            policy=self.policy,
            focus_app=focus_app,
            warm_up_s=dip + 2 * self.sampler.settings.interval_s,
        )
        if offer is not None:
            self.changed = self.what_changed(offer)
        return self.diagnosis

    def gone_since_fix(self, offer: Any) -> bool:
        """Whether what a fix answered is no longer found: no finding of the same kind
        about the same program(s) (another program's is another problem)."""
        before = self.before_fix or self.diagnosis
        answered = [
            f
            for f in (before.findings if before is not None else ())
            if f.id == offer.finding_id and (not offer.headline or f.headline == offer.headline)
        ]
        apps = {tuple(f.apps) for f in answered} or {()}
        return self.diagnosis is not None and not any(
            f.id == offer.finding_id and tuple(f.apps) in apps for f in self.diagnosis.findings
        )

    def what_changed(self, offer: Any) -> dict[str, Any]:
        """What a fix changed, judged once and said the same wherever it is read: the
        report window's heading after the fix (``said``), the ending and My reports (the
        fix by its button's words, then ``said``), and IT's view (the answer before and
        after)."""
        from desktop.base.words import say, table
        from desktop.fixes.words import FixWords

        gone = self.gone_since_fix(offer)
        after = self.diagnosis.summary.headline if self.diagnosis is not None else ""
        if gone:
            by_finding = table("after_fix.gone_by_finding").get(offer.finding_id)
            said = str(by_finding) if by_finding else say("gone", "after_fix")
        else:
            said = say("still", "after_fix", headline=after)
        before = self.before_fix.summary.headline if self.before_fix is not None else ""
        return {
            "fix": offer.fix_id,
            "finding": offer.finding_id,
            "button": FixWords(self.catalog).button(offer),
            "gone": gone,
            "before": before,
            "after": after,
            "said": said,
        }

    # --- helping (issue 18): fixes to offer, and what IT already knows --------------------

    def fix_context(self) -> Any:
        from desktop.fixes.base import FixContext

        ctx = FixContext(self.policy, self.paths, self.sampler, for_report=self.report_id)
        if self.account is not None:
            ctx.account = self.account
        return ctx

    def after_check(self, symptom: str) -> None:
        """Fixes for what was found, and IT's news as it stood at the click."""
        from desktop.fixes import registry as fixes
        from desktop.news import words

        assert self.diagnosis is not None
        try:
            self.offers = fixes.offers_for(self.diagnosis.findings, self.fix_context())
        except Exception:  # the answer stands without the fixes; IT reads why in the log
            log.exception("fixes could not be listed")
            self.offers = fixes.Offers()
        watcher = self.news() if callable(self.news) else self.news
        self.news_at_click = helping.news_part(watcher)
        self.news_line = (
            words.explains(watcher, symptom, self.catalog)
            if watcher is not None and watcher.configured
            else None
        )

    def try_fix(self, offer: Any, step: str = "apply") -> Any:
        """One step of a fix (see desktop/fixes), recorded in the journal."""
        from desktop.fixes import registry as fixes

        return fixes.attempt(offer, self.fix_context(), step)

    def build(
        self,
        note: str,
        contact: report.Contact | None,
        screenshot: report.Screenshot | None,
        leave_out: Iterable[str],
        report_id: str | None = None,
    ) -> dict[str, Any]:
        assert self.diagnosis is not None, "check() first"
        return sending.prepare(
            self.diagnosis,
            self.policy,
            note,
            contact,
            screenshot,
            leave_out,
            report_id or self.report_id,
            fixes=helping.fixes_part(self.paths, self.offers, self.report_id, self.changed),
            news=self.news_at_click,
        )

    def send(self, doc: dict[str, Any]) -> SendResult:
        """Store and send ``doc`` the one way there is (desktop/reporting/sending.py)."""
        return sending.send(doc, self.policy, self.paths, self.catalog)
