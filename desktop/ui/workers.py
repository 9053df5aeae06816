"""Work off the event loop: every check and every send runs on Qt's thread pool, and its
result comes back to the window as a signal, so the window never freezes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from shiboken6 import isValid

log = logging.getLogger(__name__)

# Ally's work is waiting, not computing: a delivery to a relay that does not answer, the
# Wayland portal asking the person, a network check running into its timeouts. Qt's pool
# holds one thread per core by default (two on many office machines), so two such waits
# would hold back the check the person just asked for. Threads are made only when needed
# and end after 30 s idle, so the idle tray app is no bigger for this.
WORKER_THREADS = 8


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(str)


class Task(QRunnable):
    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _Signals()
        self.setAutoDelete(False)  # the owner keeps it until its signal has arrived

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # shown as a plain sentence by the caller, detail logged for IT
            log.exception("background task failed")
            self.signals.failed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.signals.done.emit(result)


class Background(QObject):
    """Starts tasks and holds them until they report back."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: set[Task] = set()
        pool = QThreadPool.globalInstance()
        if pool.maxThreadCount() < WORKER_THREADS:
            pool.setMaxThreadCount(WORKER_THREADS)

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[str], None] | None = None,
    ) -> Task:
        task = Task(fn)
        self._running.add(task)

        def finish(value: Any, handler: Callable[[Any], None] | None) -> None:
            self._running.discard(task)
            # The window that asked may be gone by now (closed while Ally checked again):
            # its widgets are deleted, and the answer has nowhere to go.
            if handler is not None and isValid(self):
                handler(value)

        task.signals.done.connect(lambda value: finish(value, on_done))
        task.signals.failed.connect(lambda text: finish(text, on_failed))
        QThreadPool.globalInstance().start(task)
        return task

    def busy(self) -> bool:
        return bool(self._running)
