"""The one exception a check raises when it cannot be done here (no battery, no such tool).

It sits alone, below the probe framework and the OS readers, so a reader can raise it
without importing the framework that runs probes (which would make an import cycle).
"""

from __future__ import annotations

from desktop.diagnostics.model import Cause


class Unavailable(Exception):
    """This check cannot be done on this machine; the message says why, for IT, and
    ``cause`` says it for the person's words (IT's policy, not on this machine, ...)."""

    def __init__(self, message: str, cause: Cause = Cause.UNSUPPORTED) -> None:
        super().__init__(message)
        self.cause = cause
