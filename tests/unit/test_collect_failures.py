"""A probe that fails in any way becomes a section that says so; the others are intact."""

import subprocess
import sys
import threading
import time

import psutil

from desktop.diagnostics import Sampler, SamplerSettings, Status, collect
from desktop.diagnostics.probe import Probe, Unavailable
from desktop.diagnostics.probes import PROBES


def raises(ctx):
    raise RuntimeError("sensor driver returned garbage")


def denied(ctx):
    raise psutil.AccessDenied(pid=1, name="init")


def permission(ctx):
    with open("/proc/1/mem", "rb") as fh:  # denied to everyone, root included, without ptrace
        fh.read(1)
    raise PermissionError("expected a permission error")


def missing(ctx):
    raise Unavailable("no such sensor on this computer")


never_returns = threading.Event()


def hangs(ctx):
    never_returns.wait(60)
    return "too late"


def test_failing_probes_do_not_take_the_others_down():
    sampler = Sampler(SamplerSettings(interval_s=0.5))
    probes = [
        *PROBES,
        Probe("raises", raises, timeout_s=1),
        Probe("denied", denied, timeout_s=1),
        Probe("permission", permission, timeout_s=1),
        Probe("missing", missing, timeout_s=1),
        Probe("hangs", hangs, timeout_s=0.4),
    ]
    t0 = time.monotonic()
    snap = collect("slow", sampler, probes=probes, warm_up_s=0.2, total_timeout_s=2.5)
    elapsed = time.monotonic() - t0
    assert elapsed < 0.2 + 2.5 + 0.5
    s = snap.sections
    assert s["raises"].status is Status.ERROR and "garbage" in s["raises"].reason
    assert s["denied"].status is Status.ERROR and "permission denied" in s["denied"].reason
    assert s["permission"].status is Status.ERROR and "ermission" in s["permission"].reason
    assert (
        s["missing"].status is Status.UNAVAILABLE
        and s["missing"].reason == "no such sensor on this computer"
    )
    assert s["hangs"].status is Status.ERROR and "no answer within 0.4 s" in s["hangs"].reason
    for probe in (p for p in PROBES if p.applies_to(snap.symptom)):
        assert s[probe.name].status in (Status.OK, Status.UNAVAILABLE), probe.name
    assert set(snap.not_checked) >= {"raises", "denied", "permission", "missing", "hangs"}


def test_total_bound_holds_when_every_probe_hangs():
    probes = [Probe(f"hang{i}", hangs, timeout_s=30) for i in range(5)]
    t0 = time.monotonic()
    snap = collect("slow", Sampler(), probes=probes, warm_up_s=0.05, total_timeout_s=0.5)
    assert time.monotonic() - t0 < 1.5
    assert all(sec.status is Status.ERROR for sec in snap.sections.values())


def test_a_hanging_probe_does_not_keep_the_command_from_exiting():
    code = (
        "import threading\n"
        "from desktop.diagnostics import collect, Sampler\n"
        "from desktop.diagnostics.probe import Probe\n"
        "ev = threading.Event()\n"
        "snap = collect('slow', Sampler(), probes=[Probe('h', lambda c: ev.wait(600), 0.2)], warm_up_s=0.05)\n"
        "print(snap.sections['h'].status.value)\n"
    )
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "error"
    assert time.monotonic() - t0 < 10


def test_symptom_specific_probes_run_only_for_their_symptom():
    from desktop.diagnostics.model import Symptom

    only_printing = Probe("printers", lambda c: "checked", symptoms=frozenset({Symptom.PRINTING}))
    slow = collect("slow", Sampler(), probes=[only_printing], warm_up_s=0.05)
    printing = collect("printing", Sampler(), probes=[only_printing], warm_up_s=0.05)
    assert "printers" not in slow.sections
    assert printing.sections["printers"].data == "checked"
