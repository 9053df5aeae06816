"""One report from click to receipt, without Qt: check, build, trim, store, send.

The report window calls these steps on worker threads and only shows their results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from desktop.config import Policy
from desktop.diagnostics.diagnosis import Diagnosis, diagnose
from desktop.diagnostics.explain import Catalog
from desktop.diagnostics.model import Section
from desktop.diagnostics.sampling.sampler import Sampler
from desktop.paths import AllyPaths
from desktop.reporting import delivery, helping, redact, report
from desktop.reporting.transports.base import PermanentFailure


@dataclass(frozen=True)
class SendResult:
    delivered: bool
    message: str  # the person's sentence
    reference: str | None = None
    detail: str | None = None  # for IT (shown small, logged)


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
        self.offers: Any = None  # desktop.fixes.Offers for this diagnosis
        self.news_at_click: dict[str, Any] | None = None
        self.news_line: str | None = None  # "IT already knows about a problem with email …"
        self.account: Any = None  # whose programs and files fixes act on (default: this account)

    def check(
        self,
        symptom: str,
        focus_app: str | None = None,
        progress: Callable[[Section], None] | None = None,
    ) -> Diagnosis:
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

    # --- helping (issue 18): fixes to offer, and what IT already knows --------------------

    def fix_context(self) -> Any:
        from desktop.fixes.base import FixContext

        ctx = FixContext(self.policy, self.paths, self.sampler)
        if self.account is not None:
            ctx.account = self.account
        return ctx

    def after_check(self, symptom: str) -> None:
        """Fixes for what was found, and IT's news as it stood at the click."""
        from desktop import fixes
        from desktop.news import words

        assert self.diagnosis is not None
        self.offers = fixes.offers_for(self.diagnosis.findings, self.fix_context())
        self.news_at_click = helping.news_part(self.news)
        self.news_line = (
            words.explains(self.news, symptom, self.catalog) if self.news is not None else None
        )

    def try_fix(self, offer: Any, step: str = "apply") -> Any:
        """One step of a fix (see desktop/fixes), recorded in the journal."""
        from desktop import fixes

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
        full = report.build(
            self.diagnosis,
            note,
            contact,
            screenshot,
            report_id,
            fixes=helping.fixes_part(self.paths, self.offers),
            news=self.news_at_click,
        )
        return redact.apply(full, leave_out, delivery.privacy(self.policy))

    def send(self, doc: dict[str, Any]) -> SendResult:
        from desktop.reporting.credentials import CredentialsUnavailable  # loads the keyring

        outbox = delivery.outbox(self.paths)
        try:
            outbox.add(doc)
        except OSError as exc:
            return SendResult(
                False,
                self.catalog.delivery_message("not_saved", reason=exc.strerror or str(exc)),
                detail=str(exc),
            )
        try:
            transport = delivery.make_transport(self.policy, self.paths)
        except PermanentFailure as exc:
            return SendResult(
                False, self.catalog.delivery_message(exc.plain_key), detail=exc.detail
            )
        except CredentialsUnavailable as exc:
            return SendResult(False, self.catalog.delivery_message("settings"), detail=str(exc))
        entry = next((e for e in outbox.entries() if e.report_id == doc["id"]), None)
        if entry is None:  # set aside or taken by another sender meanwhile: not lost
            return SendResult(False, self.catalog.delivery_message("saved"))
        outcome = outbox.deliver(entry, transport)
        if outcome.receipt is not None:
            key = "sent_folder" if outcome.receipt.transport == "folder" else "sent"
            return SendResult(
                True,
                self.catalog.delivery_message(key, reference=outcome.receipt.reference),
                outcome.receipt.reference,
            )
        key = outcome.error.plain_key if outcome.error else "temporary"
        return SendResult(
            False,
            self.catalog.delivery_message(key),
            detail=outcome.error.detail if outcome.error else None,
        )
