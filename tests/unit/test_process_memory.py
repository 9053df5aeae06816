"""The idle tray app's memory housekeeping (desktop/process_memory.py), in a process of its
own: freezing start-up's objects is for the whole process, not for pytest's."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import gc, weakref
import desktop.services, desktop.diagnostics.diagnosis  # a start-up's worth of objects
from desktop.process_memory import settle_after_start

settle_after_start()
frozen = gc.get_freeze_count()

class Node:
    pass

a, b = Node(), Node()
a.other, b.other = b, a  # a cycle made after start-up: still Python's to collect
gone = weakref.ref(a)
del a, b
gc.collect()
print(frozen, gone() is None)
"""


def test_start_ups_objects_are_set_aside_and_later_cycles_still_collected():
    done = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, timeout=60, check=True
    )
    frozen, collected = done.stdout.split()
    assert int(frozen) > 10_000  # modules, classes, the catalog: not walked again
    assert collected == "True"
