"""A program run by an interpreter is named by what it runs; Ally's own processes are
Ally, never "python"."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psutil
import pytest

from desktop.diagnostics.apps import default_catalog
from desktop.diagnostics.sampling.script_names import ScriptNames, script_name


@pytest.mark.parametrize(
    "argv,name",
    [
        # Python: a script, a module, options before them; inline code names nothing.
        (["/usr/bin/python3", "/home/ana/tools/hogx.py"], "hogx"),
        (["python3", "-u", "-X", "dev", "-W", "ignore", "report.py", "--fast"], "report"),
        (["python3.11", "-m", "http.server", "8000"], "http"),
        (["python", "-mhttp.server"], "http"),
        (["python3", "-c", "while True: pass"], None),
        (["python3"], None),
        (["python3", "/opt/tool/__main__.py"], "tool"),
        (["C:\\Python312\\pythonw.exe", "C:\\Users\\ana\\sync\\sync_photos.pyw"], "sync_photos"),
        # Ally itself, however it was started: the checkout, a venv, the console script.
        (["/opt/venv/bin/python", "-P", "-m", "desktop", "--tray-child"], "ally"),
        (["/opt/venv/bin/python", "-m", "desktop"], "ally"),
        (["/opt/venv/bin/python", "/opt/venv/bin/ally", "diagnose"], "ally"),
        # Java: a jar, a main class, options with values of their own.
        (["java", "-Xmx2g", "-cp", "lib/*", "-jar", "/opt/atlassian/confluence.jar"], "confluence"),
        (
            ["java", "-cp", "a.jar:b.jar", "org.apache.catalina.startup.Bootstrap", "start"],
            "Bootstrap",
        ),
        (["javaw.exe", "--module-path", "mods", "-m", "com.example.app/com.example.Main"], "app"),
        # Node: the script, or the package it belongs to when the file is a generic one.
        (["node", "/usr/lib/node_modules/npm/bin/npm-cli.js", "install"], "npm-cli"),
        (["node", "--max-old-space-size=4096", "/srv/shop/dist/server.js"], "shop"),
        (["node", "-e", "console.log(1)"], None),
        # PowerShell and the Windows Script Host.
        (
            [
                "powershell.exe",
                "-NoProfile",
                "-ExecutionPolicy",
                "Bypass",
                "-File",
                "C:\\Scripts\\Backup-Files.ps1",
            ],
            "Backup-Files",
        ),
        (["pwsh", "-Command", "Get-Process"], None),
        (["wscript.exe", "//B", "\\\\server\\netlogon\\logon.vbs"], "logon"),
        (["perl", "-w", "/usr/bin/exiftool", "-r", "."], "exiftool"),
        # Not an interpreter: nothing to say.
        (["/usr/bin/stress-ng", "--cpu", "2"], None),
    ],
)
def test_what_an_interpreter_runs_is_its_name(argv, name):
    assert script_name(os.path.basename(argv[0].replace("\\", "/")), argv) == name


def test_a_hostile_script_name_is_shown_as_text_and_kept_short():
    named = script_name("python3", ["python3", "/tmp/\x1b]0;Bank\x07" + "x" * 200 + ".py"])
    assert named is not None and "\x1b" not in named and "\x07" not in named
    assert len(named) <= 60


def test_arguments_are_read_once_per_process_and_only_for_interpreters():
    asked: list[int] = []

    def argv_of(pid: int) -> list[str]:
        asked.append(pid)
        return ["python3", "hogx.py", "--secret-token=abc"]

    names = ScriptNames(argv_of)
    assert names.name(7, 100.0, "stress-ng") == "stress-ng"
    assert names.name(8, 100.0, "python3") == "hogx"
    assert names.name(8, 100.0, "python3") == "hogx"
    assert asked == [8]  # never for a program that is not an interpreter; once per process
    assert names.name(8, 200.0, "python3") == "hogx" and asked == [8, 8]  # a new process
    names.forget_all_but({(8, 200.0)})
    assert names.name(8, 100.0, "python3") == "hogx" and len(asked) == 3


def test_a_process_that_ends_before_its_arguments_are_read_keeps_its_own_name():
    assert ScriptNames(lambda pid: None).name(9, 1.0, "node") == "node"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/cmdline")
def test_real_processes_are_named_by_their_script_and_ally_by_itself(tmp_path):
    script = tmp_path / "hogx.py"
    script.write_text("import time\ntime.sleep(60)\n")
    env = {**os.environ, "ALLY_HOME": str(tmp_path / "home"), "ALLY_POLICY": os.devnull}
    started = [
        subprocess.Popen([sys.executable, str(script)]),
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]),
        # Ally's own command, as the watchdog starts its children: busy a while, then gone.
        subprocess.Popen(
            [sys.executable, "-P", "-m", "desktop", "diagnose", "--warm-up", "60"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    try:
        time.sleep(0.5)
        names, catalog = ScriptNames(), default_catalog()

        def known_as(proc: subprocess.Popen) -> str:
            p = psutil.Process(proc.pid)
            return catalog.identify(names.name(p.pid, p.create_time(), p.name())).name

        assert [known_as(p) for p in started] == ["hogx", os.path.basename(sys.executable), "Ally"]
    finally:
        for proc in started:
            proc.kill()
            proc.wait()
