"""What helping costs: polling IT's status feed, and a fix's time to its result.

Run: ``.venv/bin/python -m benchmarks.bench_fixes_news`` (writes
benchmarks/FIXES-NEWS-RESULTS.md). As root it also measures the fixes that need a second
account or a print server (a private cupsd, a stress-ng of an ordinary account).

Feed polling: a real status page (tests/news_server.py) runs in a *separate process* on
loopback, so only Ally's side of each poll is counted: the processor time (user +
system, ``time.process_time``) of a process that does nothing but poll. The share of one
core is that time divided by the poll interval (300 s by default).

Fixes: the wall time of ``desktop.fixes.registry.attempt`` (the action, its re-check with the
real probes and rules, and the journal's two fsync'd lines), from the click to a result
the screen can show.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import keep_checks_on_this_machine, machine, spread

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).parent / "FIXES-NEWS-RESULTS.md"
POLLS = 60
INTERVAL_S = 300.0
BUDGET_PCT = 0.005
FIX_RUNS = 7

SERVER = """
import sys, time
from pathlib import Path
from tests.news_server import StatusServer, company_summary
cert = sys.argv[1] if len(sys.argv) > 1 else None
s = StatusServer(Path(cert + "/srv.pem") if cert else None, Path(cert + "/srv.key") if cert else None)
s.set_summary(company_summary("opened"))
print(s.port, flush=True)
for line in sys.stdin:
    s.set_summary(company_summary(line.strip()))
"""


def _server(pki: Path | None) -> tuple[subprocess.Popen, int]:
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, *([str(pki)] if pki else [])],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    return proc, int(proc.stdout.readline())


def _cpu_per_poll(watcher, change=None) -> list[float]:
    out = []
    for i in range(POLLS):
        if change is not None:
            change(i)
        t0 = time.process_time()
        watcher.poll()
        out.append((time.process_time() - t0) * 1000)
        assert watcher.state["problem"] is None, watcher.state["problem"]
    return out


def feed_costs() -> dict:
    from desktop.news.watcher import NewsWatcher
    from desktop.policy.config import Policy
    from tests.certs import ca_and_server

    rows = {}
    # The feed code is loaded once, when the tray builds its watcher: measured in fresh
    # interpreters that first load what a running tray has already (diagnosis, reports).
    probe = (
        "import desktop.diagnostics.diagnosis, desktop.reporting.session, desktop.showing.tips; "
        "import time; t = time.process_time(); import desktop.news.watcher; "
        "print((time.process_time() - t) * 1000)"
    )
    rows["first load of the feed code in a running tray (once per run)"] = [
        float(
            subprocess.run(
                [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    with tempfile.TemporaryDirectory(prefix="ally-bench-news-") as tmp:
        tmp_path = Path(tmp)
        proc, port = _server(None)
        try:
            url = f"http://127.0.0.1:{port}/api/v2/summary.json"
            w = NewsWatcher(Policy.from_dict({"news": {"url": url}}), tmp_path / "a")
            w.poll()
            rows["HTTP, unchanged (304)"] = _cpu_per_poll(w)
        finally:
            proc.kill()
            proc.wait()
        ca, _, _ = ca_and_server(tmp_path / "pki", ["127.0.0.1", "localhost"])
        proc, port = _server(tmp_path / "pki")
        try:
            url = f"https://localhost:{port}/api/v2/summary.json"
            policy = Policy.from_dict({"news": {"url": url, "ca_bundle": str(ca)}})
            w = NewsWatcher(policy, tmp_path / "b")
            w.poll()
            rows["HTTPS with the company CA, unchanged (304; a new TLS handshake each time)"] = (
                _cpu_per_poll(w)
            )

            def change(i: int) -> None:
                proc.stdin.write(("updated" if i % 2 else "opened") + "\n")
                proc.stdin.flush()
                time.sleep(0.05)

            rows["HTTPS, changed every time (200, parsed and saved)"] = _cpu_per_poll(w, change)
        finally:
            proc.kill()
            proc.wait()
        feed = tmp_path / "share" / "status.json"
        feed.parent.mkdir()
        feed.write_text('{"incidents": []}')
        w = NewsWatcher(Policy.from_dict({"news": {"url": feed.as_uri()}}), tmp_path / "c")
        w.poll()
        rows["file on a share, unchanged (size and time only)"] = _cpu_per_poll(w)
    return rows


def _trash(home: Path, files: int) -> None:
    t = home / ".local" / "share" / "Trash"
    (t / "info").mkdir(parents=True, exist_ok=True)
    for i in range(files):
        d = t / "files" / f"folder {i % 4}"
        d.mkdir(parents=True, exist_ok=True)
        (d / f"{i}.bin").write_bytes(os.urandom(250_000))


def _finding(fid: str, evidence: dict, apps=()):
    from desktop.diagnostics.explain import load_catalog
    from desktop.diagnostics.findings import Finding, Severity
    from desktop.diagnostics.model import Symptom

    return load_catalog("en").explain(
        Finding(fid, Severity.WARNING, evidence, tuple(apps), {"app": apps[0]} if apps else {}),
        Symptom.SLOW,
    )


def fix_times() -> dict:
    from desktop.base.paths import AllyPaths
    from desktop.diagnostics import Sampler, SamplerSettings
    from desktop.fixes import registry as fixes
    from desktop.fixes.base import Account, FixContext, Offer
    from desktop.fixes.opener import Opened
    from desktop.policy.config import Policy

    rows: dict[str, list[float] | str] = {}
    sampler = Sampler(SamplerSettings(interval_s=0.5))
    sampler.start()
    time.sleep(1.5)
    policy = Policy.from_dict({"network": {"active_checks": False}})
    try:
        with tempfile.TemporaryDirectory(prefix="ally-bench-fixes-") as tmp:
            tmp_path = Path(tmp)
            home = tmp_path / "home"
            home.mkdir()
            os.environ.pop("XDG_DATA_HOME", None)
            paths = AllyPaths(tmp_path / "c", tmp_path / "d", tmp_path / "l")

            def ctx(**kw) -> FixContext:
                return FixContext(policy, paths, sampler, home=str(home), **kw)

            mount = str(home)
            while not os.path.ismount(mount):
                mount = os.path.dirname(mount)
            drive = _finding("disk_nearly_full", {"mountpoint": mount, "is_main": True})
            times = []
            for _ in range(FIX_RUNS):
                _trash(home, 20)
                offer = fixes.by_id("empty_trash").offer(drive, ctx())
                assert isinstance(offer, Offer), offer
                t0 = time.perf_counter()
                fixes.attempt(offer, ctx())
                times.append(time.perf_counter() - t0)
            rows["empty the Trash (20 files, 5 MB) + drives re-check"] = times

            for i in range(3):
                (home / f"folder{i}").mkdir(exist_ok=True)
                (home / f"folder{i}" / "f.bin").write_bytes(os.urandom(100_000 * (i + 1)))
            stub = dict(opener=lambda target: Opened(True, f"xdg-open {target}"))
            offer = fixes.by_id("show_large_folders").offer(drive, ctx(**stub))
            rows["show the largest folders (opener not waited for)"] = [
                _timed(lambda: fixes.attempt(offer, ctx(**stub))) for _ in range(FIX_RUNS)
            ]

            restart = _finding("restart_pending", {"sources": ["bench"]})
            offer = fixes.by_id("restart_reminder").offer(restart, ctx())
            rows["restart reminder + system re-check"] = [
                _timed(lambda: fixes.attempt(offer, ctx())) for _ in range(FIX_RUNS)
            ]

            if os.geteuid() == 0:
                rows["close a busy program (stress-ng, SIGTERM) + process re-check"] = _close_times(
                    ctx, tmp_path, Account(65534, "nobody")
                )
                rows["cancel 3 stuck documents (private cupsd) + printing re-check"] = _print_times(
                    ctx
                )
            else:
                rows["close a busy program"] = (
                    "not measured: needs root to play an ordinary account"
                )
                rows["cancel stuck documents"] = "not measured: needs root for a private cupsd"
    finally:
        sampler.stop()
    return rows


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _close_times(ctx, tmp_path: Path, account) -> list[float]:
    from desktop.fixes import registry as fixes

    work = Path(tempfile.mkdtemp(prefix="ally-bench-close-"))
    work.chmod(0o777)
    times = []
    try:
        for _ in range(FIX_RUNS):
            proc = subprocess.Popen(
                [
                    "setpriv",
                    "--reuid=65534",
                    "--regid=65534",
                    "--clear-groups",
                    "--",
                    "stress-ng",
                    "--cpu",
                    "1",
                    "--timeout",
                    "60",
                ],
                cwd=work,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            try:
                time.sleep(1.0)
                finding = _finding("app_cpu_runaway", {"app": "stress-ng-cpu"}, ("stress-ng-cpu",))
                offer = fixes.by_id("close_program").offer(finding, ctx(account=account))
                t0 = time.perf_counter()
                result = fixes.attempt(offer, ctx(account=account))
                times.append(time.perf_counter() - t0)
                assert result.outcome.value == "fixed", result
            finally:
                if proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    finally:
        subprocess.run(["rm", "-rf", str(work)], check=False)
    return times


def _print_times(ctx) -> list[float]:
    from desktop.fixes import registry as fixes
    from tests.integration.cups_lab import CupsLab

    lab = CupsLab()
    times = []
    try:
        lab.start()
        lab.add_printer("Front_Desk", f"file://{lab.root}/out/fd.prn")
        lab.run("cupsdisable", "-r", "paper jam", "Front_Desk")
        doc = lab.root / "letter.txt"
        doc.write_text("x\n")
        doc.chmod(0o644)
        os.environ["CUPS_SERVER"] = str(lab.socket)
        finding = _finding("print_jobs_stuck", {"stuck_on": ["Front_Desk"]})
        for _ in range(FIX_RUNS):
            for _ in range(3):
                lab.run("lp", "-d", "Front_Desk", str(doc))
            offer = fixes.by_id("cancel_print_jobs").offer(finding, ctx())
            t0 = time.perf_counter()
            fixes.attempt(offer, ctx())
            times.append(time.perf_counter() - t0)
    finally:
        os.environ.pop("CUPS_SERVER", None)
        lab.remove()
    return times


def write(feed: dict, fixes_: dict) -> str:
    lines = [
        "# Helping: what IT's news and the safe fixes cost",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {machine()} by "
        "`benchmarks/bench_fixes_news.py`. The machine is shared (other engineers run "
        "stress-ng and test suites on it), so the ranges are wide; medians are what to quote. "
        f"Load average (1 min) at the end: {os.getloadavg()[0]:.1f} on 2 cores.",
        "",
        "## Polling IT's status feed",
        "",
        f"Method: a real status page (tests/news_server.py) in a separate process on loopback; "
        f"this process only polls it, {POLLS} times per row; processor time (user + system) of "
        f"each poll. Share of one core = time per poll ÷ the {INTERVAL_S:.0f} s default interval. "
        f"Budget: {BUDGET_PCT} % of a core = {INTERVAL_S * BUDGET_PCT / 100 * 1000:.0f} ms per poll.",
        "",
        "| poll | processor time per poll, ms: median (min–max) | share of one core at 300 s |",
        "|---|---|---|",
    ]
    for name, values in feed.items():
        share = statistics.median(values) / 1000 / INTERVAL_S * 100
        once = name.startswith("first load")
        lines.append(
            f"| {name} | {spread(values)} | "
            + ("once, not per poll" if once else f"{share:.5f} %")
            + " |"
        )
    lines += [
        "",
        "## A fix's time to its result",
        "",
        f"Method: wall time of `desktop.fixes.registry.attempt` (the action, the re-check with the real "
        f"probes and rules, the journal's two fsync'd lines), {FIX_RUNS} runs each, with the "
        "tray's sampler running. Target: under 3 s from the click to the result.",
        "",
        "| fix | seconds: median (min–max) |",
        "|---|---|",
    ]
    for name, values in fixes_.items():
        lines.append(f"| {name} | {values if isinstance(values, str) else spread(values)} |")
    lines += [
        "",
        "With a real desktop opener, showing the largest folders (and opening the sign-in "
        "page) can take up to 1 s more: Ally gives the opener 1 s to fail at once before it "
        "says the folder or page is open. The report window's test holds emptying the Trash "
        "from the click to the result shown under 3 s (tests/ui/test_fixes_and_news_ui.py).",
        "",
        "Not measured here: opening the sign-in page (it needs the captive-portal namespace; "
        "tests/integration/test_fix_sign_in_page.py walks it), and closing a program that "
        "ignores the request (it waits the 2 s grace on purpose, then asks for the second click).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    import logging

    logging.disable(logging.WARNING)  # the constructed findings leave IT's placeholders empty
    keep_checks_on_this_machine()
    feed = feed_costs()
    fixes_ = fix_times()
    OUT.write_text(write(feed, fixes_))
    print(OUT.read_text())


if __name__ == "__main__":
    main()
