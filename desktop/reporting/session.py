"""One report from click to receipt, without Qt: check, build, trim, store, send.

The report window calls these steps on worker threads and only shows their results;
building and sending are the one send path in sending.py, which ``ally report`` uses too.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from desktop.config import Policy
from desktop.diagnostics.diagnosis import Diagnosis, diagnose
from desktop.diagnostics.explain import Catalog
from desktop.diagnostics.model import Section
from desktop.diagnostics.sampling.sampler import Sampler
from desktop.paths import AllyPaths
from desktop.reporting import helping, report, sending
from desktop.reporting.sending import SendResult

__all__ = ["ReportSession", "SendResult"]


class ReportSession:
    def __init__(
        self,
        policy: Policy,
        paths: AllyPaths,
        sampler: Sampler,
        catalog: Catalog,
        news: Any = None,  # desktop.news.watcher.NewsWatcher, when IT set a feed
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
        self._asked: tuple[str, str | None] = ("slow", None)

    def check(
        self,
        symptom: str,
        focus_app: str | None = None,
        progress: Callable[[Section], None] | None = None,
    ) -> Diagnosis:
        self.report_id, self.before_fix = str(uuid.uuid4()), None
        self._asked = (symptom, focus_app)
        self.diagnosis = diagnose(
            symptom,
            sampler=self.sampler,
            policy=self.policy,
            focus_app=focus_app,
            warm_up_s=1.0,
            progress=progress,
        )
        self.after_check(symptom)
        return self.diagnosis

    def check_again_after_fix(self) -> Diagnosis:
        """The answer again, after a fix: the same question, judged anew on what the
        computer does now. Ally watches a little longer than the let-up a busy spell may
        have (dip_max_s), so "no longer busy" is said only when it is true. The report
        stays the same one; the answer before the fix is kept for IT."""
        from desktop.diagnostics.thresholds import Thresholds

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
        self.offers = fixes.offers_for(self.diagnosis.findings, self.fix_context())
        self.news_at_click = helping.news_part(self.news)
        self.news_line = (
            words.explains(self.news, symptom, self.catalog) if self.news is not None else None
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
            fixes=helping.fixes_part(self.paths, self.offers, self.report_id),
            news=self.news_at_click,
        )

    def send(self, doc: dict[str, Any]) -> SendResult:
        """Store and send ``doc`` the one way there is (desktop/reporting/sending.py)."""
        return sending.send(doc, self.policy, self.paths, self.catalog)
