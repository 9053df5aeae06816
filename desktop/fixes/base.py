"""What a safe fix is: one small declaration, like a probe or a rule.

A fix answers one or more findings, runs only on the platforms it names, needs no more
than the person's own account, and keeps its words in the catalog ([fixes.ID]). It is
offered with exactly what it will do (``Offer``), acts only after a click, and re-checks:
its ``Result`` says whether the problem is gone, for the person and for IT.

No Qt here: the report window and ``ally fix`` both call the same functions.
"""

from __future__ import annotations

import enum
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop.diagnostics.model import Symptom


class Outcome(str, enum.Enum):
    FIXED = "fixed"  # the re-check no longer finds the problem
    NOT_FIXED = "not_fixed"  # done, but the re-check still finds it
    DONE = "done"  # done; it does not end the problem by itself (a reminder, a page opened)
    NEEDS_FORCE = "needs_force"  # the program did not close when asked: a second click may force it
    NOTHING_TO_DO = "nothing_to_do"  # what was offered had gone before the click
    FAILED = "failed"  # the computer did not let it happen; nothing was changed


@dataclass(frozen=True)
class Offer:
    """Exactly what a fix will do. ``words`` fill the catalog's sentences; ``target`` is
    what it acts on (job ids, process ids with their start times, folders) and stays in
    memory; ``record`` is what IT may read later (no file names)."""

    fix_id: str
    finding_id: str
    words: Mapping[str, Any]
    target: Mapping[str, Any]
    record: Mapping[str, Any]
    it_detail: str
    key: str = ""  # two findings about the same thing (one program) get one offer
    variant: str | None = None  # other words for the same fix ("windows": the Recycle Bin)
    headline: str = ""  # the finding it answers, in the person's words (set by the registry)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fix": self.fix_id,
            "finding": self.finding_id,
            "what": dict(self.record),
            "it_detail": self.it_detail,
        }


@dataclass(frozen=True)
class NotOffered:
    """A fix that would answer a finding but is not offered, and why (for IT)."""

    fix_id: str
    finding_id: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"fix": self.fix_id, "finding": self.finding_id, "reason": self.reason}


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    did: str  # what was done, for IT
    recheck: str | None = None  # what the re-check found, for IT
    words: Mapping[str, Any] = field(default_factory=dict)  # values for the person's sentence
    lines: tuple[str, ...] = ()  # a short list to show the person (the largest folders)
    check_again: bool = False  # the person must act first (sign in); then Ally checks again
    forced: bool = False
    variant: str | None = None  # other words for this result ("partly": sizes are at least)


@dataclass(frozen=True)
class Account:
    """The person's account: Ally acts for it and only on what belongs to it."""

    uid: int | None  # None on Windows
    name: str

    @property
    def is_administrator(self) -> bool:
        return self.uid == 0 or self.name.lower() in ("root", "system", "nt authority\\system")

    @classmethod
    def current(cls) -> Account:
        if sys.platform.startswith("win"):
            import psutil

            try:
                name = psutil.Process().username()
            except Exception:
                name = os.environ.get("USERNAME", "")
            return cls(None, name)
        import pwd

        uid = os.getuid()
        try:
            name = pwd.getpwuid(uid).pw_name
        except KeyError:
            name = str(uid)
        return cls(uid, name)


@dataclass
class FixContext:
    """What every fix may use. Built by the composition root (tray) or the CLI; tests
    give their own account, opener and clock."""

    policy: Any  # desktop.policy.config.Policy
    paths: Any  # desktop.base.paths.AllyPaths
    sampler: Any = None  # desktop.diagnostics.sampling.sampler.Sampler, for re-checks
    platform: str = sys.platform
    account: Account = field(default_factory=Account.current)
    opener: Callable[[str], Any] | None = None  # desktop.fixes.opener.open_target by default
    clock: Callable[[], float] = time.time
    grace_s: float = 2.0  # how long a program gets to close when asked
    home: str | None = None  # the person's home folder (default: Path.home())
    # The report this fix is tried for (the report window's); None for `ally fix`, whose
    # attempts belong to no report. A report carries its own attempts only.
    for_report: str | None = None

    def open(self, target: str) -> Any:
        from desktop.fixes.opener import open_target

        return (self.opener or open_target)(target)

    def home_folder(self) -> str:
        from pathlib import Path

        return self.home or str(Path.home())


def for_it(fix_id: str, key: str, /, **values: Any) -> str:
    """IT's words about one fix (what it did, what the re-check found, why it was not
    offered), from [fix_it.FIX_ID] in the catalog: the journal and the report keep them."""
    from desktop.base.words import say

    return say(key, f"fix_it.{fix_id}", **values)


OfferFunction = Callable[[Any, FixContext], "Offer | NotOffered | None"]
ActFunction = Callable[[Offer, FixContext], Result]


@dataclass(frozen=True)
class Fix:
    id: str
    answers: tuple[str, ...]  # the finding ids it may help with
    platforms: tuple[str, ...]  # sys.platform prefixes: "linux", "darwin", "win32"
    rights: str  # for IT: what it does with which rights, a key of [fix_it.rights]
    symptom: Symptom  # the check that finds what it answers (for `ally fix ID`)
    offer: OfferFunction
    apply: ActFunction  # does it, then re-checks
    force: ActFunction | None = None  # the second, explicit step (close without saving)
    check_again: ActFunction | None = None  # a later re-check, after the person acted
    words: str = ""  # the catalog table with its words, e.g. "fixes.empty_trash"

    def runs_on(self, platform: str) -> bool:
        return any(platform.startswith(p) for p in self.platforms)
