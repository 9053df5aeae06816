"""The Linux package, for real: build the bundle and the .deb, install it with dpkg,
run the installed `ally`, start the installed tray app on Xvfb, remove the package, and
check that only people's data is left."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psutil
import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.version import Version

from tests.xserver import start_xvfb

ROOT = Path(__file__).resolve().parent.parent.parent
needs = [t for t in ("dpkg-deb", "dpkg", "Xvfb", "trayer") if shutil.which(t) is None]
pytestmark = [
    pytest.mark.slow,
    pytest.mark.root,
    pytest.mark.skipif(
        os.geteuid() != 0, reason="installs a package with dpkg: needs root; CI runs as root"
    ),
    pytest.mark.skipif(bool(needs), reason=f"needs {', '.join(needs)}; .ci/run installs them"),
    pytest.mark.skipif(
        not (ROOT / ".venv/bin/pyinstaller").exists(),
        reason="needs pyinstaller in .venv (the test extra installs it)",
    ),
]
POLICY = ROOT / "tests/data/policy-no-active-network.toml"


def qt_pin():
    """The PySide6-Essentials versions pyproject.toml allows."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    return next(Requirement(d) for d in deps if d.startswith("PySide6-Essentials")).specifier


def run(
    *args: str, env: dict | None = None, timeout: float = 600, cwd: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        list(args), capture_output=True, text=True, env=env, timeout=timeout, cwd=cwd
    )


def _doctor_checks_another_person(env: dict) -> None:
    """As root, ``ally doctor --user NAME --json`` checks that person's own Ally: their
    profile, with their rights (what it creates is theirs, not root's)."""
    name = f"allydoc{os.getpid() % 100000}"
    place = Path(tempfile.mkdtemp(prefix="ally-doctor-user-"))
    place.chmod(0o755)  # their home and the policy must be theirs to reach
    policy = place / "policy.toml"
    policy.write_text(POLICY.read_text())
    policy.chmod(0o644)
    home = place / name
    made = run("useradd", "--create-home", "--home-dir", str(home), name)
    assert made.returncode == 0, made.stderr
    try:
        uid = pwd.getpwnam(name).pw_uid
        as_them = {**env, "ALLY_POLICY": str(policy)}
        as_them.pop("ALLY_HOME")
        done = run("/usr/bin/ally", "doctor", "--user", name, "--json", env=as_them)
        assert done.returncode in (0, 1), done.stderr  # 2 would be "could not run"
        doc = json.loads(done.stdout)
        assert doc["user"] == name and doc["schema"] == 1
        texts = {c["check"]: c["text"] for c in doc["checks"]}
        assert texts["reports folder"].startswith(f"{home}/.local/share/Ally/reports")
        assert texts["log"].startswith(f"{home}/.local/state/Ally/log/")
        assert (home / ".local/share/Ally/reports").stat().st_uid == uid  # theirs, not root's
        nobody = run("/usr/bin/ally", "doctor", "--user", "no-such-person-here", env=as_them)
        assert nobody.returncode == 2 and "no account named" in nobody.stderr
    finally:
        run("userdel", "--remove", name)
        shutil.rmtree(place, ignore_errors=True)


def _bundle_runs_a_pac_file(env: dict, tmp_path: Path) -> None:
    """The bundle carries what pypac needs (dukpy's interpreter, the public suffix list):
    IT's PAC file is fetched and run by the installed Ally."""
    from tests.integration.test_proxy_pac import pac_server

    pac = b'function FindProxyForURL(url, host) { return "PROXY 127.0.0.1:9"; }'
    with pac_server(pac) as server:
        policy = tmp_path / "pac-policy.toml"
        policy.write_text(
            f'[network]\nactive_checks = false\nproxy_pac = "{server.base}/p.pac"\n'
            '[transport]\nkind = "webhook"\nurl = "https://helpdesk.example.org/hook"\n'
        )
        done = run("/usr/bin/ally", "doctor", "--json", "--policy", str(policy), env=env)
    checks = json.loads(done.stdout)["checks"]
    pac_lines = [c for c in checks if c["check"] == "pac"]
    assert pac_lines and pac_lines[0]["ok"], checks
    proxy_lines = [c["text"] for c in checks if c["check"] == "proxy"]
    assert "helpdesk.example.org is reached through http://127.0.0.1:9" in proxy_lines


def _newer_package(deb: Path, tmp_path: Path) -> Path:
    """The same package as a newer version, as an upgrade would bring it."""
    tree = tmp_path / "newer"
    assert run("dpkg-deb", "-R", str(deb), str(tree)).returncode == 0
    control = tree / "DEBIAN" / "control"
    text = control.read_text()
    version = next(
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("Version:")
    )
    control.write_text(text.replace(f"Version: {version}", f"Version: {version}+upgrade1"))
    out = tmp_path / "ally_upgrade.deb"
    built = run("dpkg-deb", "-Zgzip", "--root-owner-group", "--build", str(tree), str(out))
    assert built.returncode == 0, built.stderr
    return out


def test_build_install_run_and_remove(tmp_path):
    if run("dpkg", "-s", "ally").returncode == 0:
        pytest.skip("a package called ally is already installed here; not touching it")
    t0 = time.monotonic()
    build = run(str(ROOT / "installer/build-linux.sh"), str(tmp_path))
    assert build.returncode == 0, build.stderr[-3000:]
    deb = Path(build.stdout.strip().splitlines()[-1])
    # The sum IT checks before deploying is the package's own.
    check = run("sha256sum", "--check", deb.name + ".sha256", cwd=str(deb.parent))
    assert check.returncode == 0 and check.stdout.strip() == f"{deb.name}: OK", check
    record = {
        "build_s": round(time.monotonic() - t0, 1),
        "deb_mb": round(deb.stat().st_size / 2**20, 1),
    }
    installed = run("dpkg", "-i", str(deb))
    assert installed.returncode == 0, installed.stderr
    try:
        files = [Path(p) for p in run("dpkg", "-L", "ally").stdout.split() if p.startswith("/")]
        record["bundle_mb"] = round(int(run("du", "-sk", "/opt/ally").stdout.split()[0]) / 1024, 1)
        assert Path("/opt/ally/ally").exists() and Path("/etc/xdg/autostart/ally.desktop").exists()
        # The bundled Qt binding is within the pin (6.12.0 aborts the tray app on 3.11).
        bundled = {
            Version(lib.name.rsplit(".so.", 1)[1])
            for lib in Path("/opt/ally").rglob("libshiboken6*.so.*")
        }
        assert bundled and all(v in qt_pin() for v in bundled), (bundled, qt_pin())
        assert (
            Path("/etc/ally/policy.toml.example").exists()
            and Path("/usr/share/applications/ally.desktop").exists()
        )
        env = {**os.environ, "ALLY_POLICY": str(POLICY), "ALLY_HOME": str(tmp_path / "person")}
        env.pop("DISPLAY", None)
        version = run("/usr/bin/ally", "--version", env=env)
        assert version.returncode == 0 and version.stdout.startswith("Ally "), version.stderr
        diag = run("/usr/bin/ally", "diagnose", "--json", "--warm-up", "0.3", env=env)
        assert diag.returncode == 0, diag.stderr
        doc = json.loads(diag.stdout)
        assert (
            doc["schema"] == "ally.diagnosis/1" and doc["sections"]["processor"]["status"] == "ok"
        )
        sent = run(
            "/usr/bin/ally",
            "report",
            "--note",
            "made by the installed Ally",
            "--yes",
            "--warm-up",
            "0.2",
            env=env,
        )
        assert sent.returncode == 0, sent.stdout + sent.stderr  # people's data now exists
        _doctor_checks_another_person(env)
        _bundle_runs_a_pac_file(env, tmp_path)

        xvfb, number = start_xvfb("1024x768x24")
        # The tray app's socket, and the upgrade's `ally restart-trays`, in a folder of this
        # test's own: another Ally on this machine (a person's, another test's) is neither
        # restarted nor counted.
        sockets = tmp_path / "sockets"
        sockets.mkdir()
        xenv = {**env, "DISPLAY": number, "QT_QPA_PLATFORM": "xcb", "TMPDIR": str(sockets)}
        try:
            tray = subprocess.Popen(
                ["trayer", "--edge", "top", "--align", "right", "--SetDockType", "true"],
                env=xenv,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(1.0)
            ally = subprocess.Popen(
                ["/opt/ally/ally-tray"],
                env=xenv,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            time.sleep(6.0)
            assert ally.poll() is None, ally.stdout.read() if ally.stdout else ""  # it stays up
            log = (tmp_path / "person/logs/ally.log").read_text()
            assert "tray available: True" in log
            # An upgrade (the same bundle as a newer version) restarts the running tray as
            # the newly installed Ally: the postinst asks it through its own socket.
            (before,) = psutil.Process(ally.pid).children()
            upgraded = _newer_package(deb, tmp_path)
            up = run("dpkg", "-i", str(upgraded), env={**os.environ, "TMPDIR": str(sockets)})
            assert up.returncode == 0, up.stderr
            assert "1 tray app restarting as the new Ally" in up.stdout + up.stderr
            deadline = time.monotonic() + 30
            while not [c for c in psutil.Process(ally.pid).children() if c.pid != before.pid]:
                assert ally.poll() is None, "the watchdog ended instead of restarting"
                assert time.monotonic() < deadline, "no new tray app after the upgrade"
                time.sleep(0.3)
            time.sleep(3.0)
            log = (tmp_path / "person/logs/ally.log").read_text()
            assert "restarting to run the newly installed Ally" in log
            assert log.count("tray available: True") == 2, log[-2000:]
            ally.terminate()
            ally.wait(15)
            tray.terminate()
            tray.wait(10)
        finally:
            xvfb.terminate()
            xvfb.wait(10)
    finally:
        removed = run("dpkg", "--remove", "ally")
        kept = Path("/etc/ally/policy.toml.example").exists()  # a conffile: IT's to remove
        purged = run("dpkg", "--purge", "ally")
    assert removed.returncode == 0 and purged.returncode == 0, removed.stderr + purged.stderr
    assert kept, "a plain remove took IT's example policy away"
    assert not Path("/etc/ally/policy.toml.example").exists()  # ... and purge does
    left = [f for f in files if f.exists() and not f.is_dir()]
    assert left == [], left  # nothing of the package is left ...
    assert not Path("/opt/ally").exists() and not Path("/usr/bin/ally").exists()
    assert list((tmp_path / "person/data/reports").glob("*.json"))  # ... but people's data is
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts/installer.json").write_text(json.dumps(record))
