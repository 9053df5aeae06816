"""Calling something that might hang, and giving up on it after a time limit.

Python cannot kill a thread, so a call that hangs (a network drive that never answers, a
sensor driver stuck in the kernel) is left running in a daemon thread and abandoned; the
caller gets a TimeoutError at its deadline and Ally carries on. Daemon threads also never
keep the process from exiting.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from desktop.diagnostics.it_words import it_says

T = TypeVar("T")


class Pending:
    """A call running in its own daemon thread; ``result`` waits at most until a deadline."""

    def __init__(self, fn: Callable[[], T], name: str = "ally-bounded") -> None:
        self._done = threading.Event()
        self._value: object = None
        self._error: BaseException | None = None

        def target() -> None:
            try:
                self._value = fn()
            except BaseException as exc:  # handed to the caller, never lost
                self._error = exc
            finally:
                self._done.set()

        threading.Thread(target=target, name=name, daemon=True).start()

    def wait(self, timeout: float) -> bool:
        return self._done.wait(max(timeout, 0.0))

    def result(self, timeout: float) -> object:
        if not self.wait(timeout):
            raise TimeoutError(it_says("tools", "no_answer", seconds=timeout))
        if self._error is not None:
            raise self._error
        return self._value


def call_with_timeout(fn: Callable[[], T], timeout: float, name: str = "ally-bounded") -> T:
    return Pending(fn, name).result(timeout)  # type: ignore[return-value]
