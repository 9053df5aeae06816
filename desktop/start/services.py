"""What the running app is made of, without Qt: built by the composition root
(desktop/start/app.py) and handed to the UI, which only shows and asks.

IT's policy, Ally's folders, the person's settings, the words, the sampler and its
history, the outbox, the tips, and the background work on them: a delivery round, a
ticket's status, the local check behind the tray icon. All of it runs (and is tested)
without a QApplication; the UI calls these on its worker threads and shows the result.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.base.paths import AllyPaths
from desktop.policy.config import Policy
from desktop.policy.settings import UserSettings, settings_path

if TYPE_CHECKING:  # the types, for readers and tools; the modules load in start() (below)
    from desktop.diagnostics.diagnosis import Diagnosis
    from desktop.diagnostics.explain import Catalog
    from desktop.diagnostics.sampling.sampler import Sampler
    from desktop.reporting.outbox import Outbox, Outcome
    from desktop.reporting.session import ReportSession
    from desktop.showing.tips import TipScheduler

log = logging.getLogger(__name__)


@dataclass
class Services:
    """Built in two steps so the tray icon can appear first at login: :meth:`load` reads
    the policy, the folders and the settings (cheap); :meth:`start` loads the words,
    starts the sampler and opens the outbox (pruning sent reports IT's policy no longer
    keeps)."""

    policy: Policy
    paths: AllyPaths
    settings_file: Path
    settings: UserSettings
    catalog: Catalog | None = None  # from start()
    sampler: Sampler | None = None  # from start()
    outbox: Outbox | None = None  # from start()
    tips: TipScheduler | None = None  # from start()
    started: bool = field(default=False, repr=False)

    @classmethod
    def load(cls, policy: Policy | None = None, paths: AllyPaths | None = None) -> Services:
        paths = paths or AllyPaths.from_environment()
        settings_file = settings_path(paths.config_dir)
        return cls(
            policy=policy or Policy.load(),
            paths=paths,
            settings_file=settings_file,
            settings=UserSettings.load(settings_file),
        )

    def start(self, sample: bool = True) -> Services:
        """Load the words, start the sampler (unless ``sample`` is false: a delivery
        round needs no history), open the outbox and prune what IT keeps no longer."""
        if self.started:
            return self
        from desktop.diagnostics.explain import load_catalog
        from desktop.diagnostics.sampling.sampler import Sampler, SamplerSettings
        from desktop.reporting.outbox import open_outbox
        from desktop.showing.tips import TipScheduler

        self.catalog = load_catalog()
        self.sampler = Sampler(SamplerSettings(interval_s=self.policy.sampling_interval_s))
        if sample:
            self.sampler.start()
        # Delivery and the transports (keyring, HTTP, email, hashing: about 11 MB) load
        # only when a report waits to be sent.
        privacy = self.policy.privacy
        self.outbox = open_outbox(
            self.paths.data_dir, privacy.keep_sent_days, privacy.keep_sent_screenshots
        )
        self.outbox.prune_sent()
        self.tips = TipScheduler(enabled_by_policy=self.policy.tips_enabled)
        self.started = True
        return self

    def stop(self) -> None:
        if self.sampler is not None:
            self.sampler.stop()

    # --- what the windows need -----------------------------------------------------------

    def report_session(self, news: Any = None) -> ReportSession:
        """A new report, from click to receipt (desktop/reporting/session.py)."""
        from desktop.reporting.session import ReportSession

        return ReportSession(self.policy, self.paths, self.sampler, self.catalog, news=news)

    def policy_changed(self) -> Policy | None:
        """IT's policy as it is now (file, Group Policy or profile), when it differs from
        the one Ally runs with; None when nothing changed."""
        now = Policy.load()
        return None if now == self.policy else now

    def save_settings(self, settings: UserSettings) -> None:
        """Keep the person's settings, and follow their start-at-login choice."""
        from desktop.start.startup import apply_person_choice

        self.settings = settings
        try:
            settings.save(self.settings_file)
            apply_person_choice(settings.start_at_login)
        except OSError as exc:
            log.warning("settings not saved: %s", exc)

    # --- background work (the UI runs these on its worker threads) -------------------------

    def local_check(self) -> Diagnosis:
        """A check that stays on this computer (no network walk on a timer), reusing the
        sampler's last process walk: the cheap path behind the tray icon."""
        from desktop.diagnostics.diagnosis import diagnose, local_probes

        return diagnose(
            "slow",
            sampler=self.sampler,
            policy=self.policy,
            warm_up_s=0,
            probes=local_probes(),
            fresh_processes=False,
        )

    def delivery_round(self) -> list[Outcome] | str | None:
        """Send every report that is due; the outcomes, a line for the log when the
        transport cannot be made, or None when nothing waits. With the relay, the first
        round enrols this computer even when nothing waits."""
        relay = self.policy.transport.kind == "relay"
        if not self.outbox.entries() and not relay:
            self.outbox.prune_sent()
            return None
        from ally_helpdesk.transports.base import DeliveryError
        from desktop.reporting import delivery
        from desktop.reporting.credentials import CredentialsUnavailable

        try:
            transport = delivery.make_transport(self.policy, self.paths)
            delivery.ready_for_round(transport, self.outbox)
        except (CredentialsUnavailable, DeliveryError) as exc:
            from desktop.base.words import say

            return say("not_sent", "report_it", error=exc)
        return self.outbox.deliver_due(transport)

    def ticket_status(self, reference: str) -> str | None:
        """How the helpdesk says a ticket is doing, in the person's words; None when the
        transport has no tickets or the helpdesk cannot be asked now."""
        if self.policy.transport.kind not in ("request-tracker", "relay"):
            return None
        from ally_helpdesk.transports.base import STATUS_WORDS
        from desktop.reporting import delivery

        try:
            word = delivery.make_transport(self.policy, self.paths).status(reference)
        except Exception as exc:  # My reports must open even when the helpdesk is away
            log.info("ticket %s status unknown: %s", reference, exc)
            return None
        return STATUS_WORDS.get(word, word)
