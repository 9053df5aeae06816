"""tools/setup.sh on a machine that lacks system packages.

The real script runs in a copy of the project's set-up files, with ``dpkg-query``
answering as Debian's does when a package is not installed (the installed ones on
stdout, "no packages found matching" on stderr, exit 1) and an ``apt-get`` that writes
down what it is asked. The virtual environment is already there and up to date, so the
script's Python step has nothing to do. Run as root (CI), the account without rights is
the real ``nobody``; run as an ordinary user, it is that user.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
NOBODY = 65534

DPKG_QUERY = """#!/bin/sh
# Answers as Debian's dpkg-query -W does: each installed package on stdout in the format
# asked for, each missing one on stderr, and exit 1 when any was missing.
format=""; status=0
while [ $# -gt 0 ]; do
  case "$1" in
    -W) ;;
    -f) shift; format="$1" ;;
    -f=*) format="${1#-f=}" ;;
    *) if printf '%s\\n' $MISSING | grep -qx -- "$1"; then
         echo "dpkg-query: no packages found matching $1" >&2; status=1
       else
         printf '%s' "$format" | sed "s/\\${Package}/$1/; s/\\${db:Status-Abbrev}/ii /"
       fi ;;
  esac
  shift
done
exit $status
"""

APT_GET = """#!/bin/sh
# Writes down each call; fails when asked to (a mirror that cannot be reached).
echo "$*" >> "$APT_LOG"
[ -z "$APT_FAILS" ] || { echo "E: Unable to fetch some archives" >&2; exit 100; }
"""

# sudo as it answers an account that may use it (SUDO_ALLOWS set) or may not.
SUDO = """#!/bin/sh
if [ -z "$SUDO_ALLOWS" ]; then
  echo "Sorry, user $(id -un) may not run sudo on $(hostname)." >&2
  exit 1
fi
[ "$1" = -v ] && exit 0
exec "$@"
"""


def _executable(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


@pytest.fixture
def project():
    """A copy of the set-up files with an up-to-date .venv, readable by another account
    (outside pytest's own folders, which only their owner may enter)."""
    tmp_path = Path(tempfile.mkdtemp(prefix="ally-setup-"))
    yield _project(tmp_path)
    shutil.rmtree(tmp_path, ignore_errors=True)


def _project(tmp_path: Path) -> Path:
    where = tmp_path / "ally"
    (where / "tools").mkdir(parents=True)
    # What the script's fingerprint covers: the set-up script and the three distributions.
    fingerprinted = [
        "pyproject.toml",
        "installer/common/pyproject.toml",
        "installer/relay/pyproject.toml",
        "tools/setup.sh",
    ]
    for name in fingerprinted:
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, where / name)
    bin_ = where / ".venv" / "bin"
    bin_.mkdir(parents=True)
    for name in ("python", "ally"):
        _executable(bin_ / name, "#!/bin/sh\nexit 0\n")
    setup_files = b"".join((where / name).read_bytes() for name in fingerprinted)
    fingerprint = hashlib.sha256(setup_files).hexdigest()[:16]
    (where / ".venv" / ".ally-setup").write_text(f"{fingerprint} test\n")
    fake = tmp_path / "fakebin"
    fake.mkdir()
    _executable(fake / "dpkg-query", DPKG_QUERY)
    _executable(fake / "apt-get", APT_GET)
    _executable(fake / "sudo", SUDO)
    for path in (tmp_path, where, where / "tools", where / "installer", fake):
        path.chmod(0o755)
    return where


def _run(project: Path, *args: str, missing: str, ordinary: bool = False, **env: str):
    """Runs the script as root when the test is root, or as an ordinary account."""
    fake = project.parent / "fakebin"
    log = project.parent / "apt.log"
    prefix: list[str] = []
    if ordinary and os.geteuid() == 0:
        prefix = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"]
    return subprocess.run(
        [*prefix, "bash", str(project / "tools" / "setup.sh"), *args],
        env={
            "PATH": f"{fake}:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": str(project.parent),
            "MISSING": missing,
            "APT_LOG": str(log),
            "APT_FAILS": "",
            "SUDO_ALLOWS": "",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def _apt_calls(project: Path) -> list[str]:
    log = project.parent / "apt.log"
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.skipif(os.geteuid() != 0, reason="installing packages is for root; CI runs as root")
def test_missing_packages_are_installed_then_setup_goes_on(project):
    done = _run(project, missing="libxcb-icccm4 libxcb-keysyms1")
    assert done.returncode == 0, done.stderr
    calls = _apt_calls(project)
    assert calls[0] == "update -qq"
    install = calls[1].split()
    assert install[:2] == ["install", "-y"]
    assert {"libxcb-icccm4", "libxcb-keysyms1"} <= set(install)
    assert "libegl1" not in install  # only what is missing is asked for
    assert "Installing system packages: libxcb-icccm4 libxcb-keysyms1" in done.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="installing packages is for root; CI runs as root")
def test_test_packages_are_asked_for_only_with_test(project):
    assert _run(project, missing="stress-ng").returncode == 0
    assert _apt_calls(project) == []
    assert _run(project, "--test", missing="stress-ng").returncode == 0
    assert "stress-ng" in _apt_calls(project)[1].split()


@pytest.mark.skipif(os.geteuid() != 0, reason="installing packages is for root; CI runs as root")
def test_nothing_missing_asks_apt_nothing(project):
    done = _run(project, "--test", missing="")
    assert done.returncode == 0, done.stderr
    assert _apt_calls(project) == []
    assert done.stderr == ""


@pytest.mark.skipif(os.geteuid() != 0, reason="installing packages is for root; CI runs as root")
def test_a_failing_install_says_so(project):
    done = _run(project, missing="libxcb-icccm4", APT_FAILS="1")
    assert done.returncode == 1
    assert "Installing the system packages failed" in done.stderr
    assert "run this command again" in done.stderr


def test_an_account_with_sudo_installs_through_sudo(project):
    (project.parent / "apt.log").touch(mode=0o666)
    (project.parent / "apt.log").chmod(0o666)
    done = _run(project, missing="libxcb-keysyms1", ordinary=True, SUDO_ALLOWS="1")
    assert done.returncode == 0, done.stderr
    assert _apt_calls(project)[1].split()[-1] == "libxcb-keysyms1"


def test_an_account_without_rights_is_told_what_to_run(project):
    done = _run(project, missing="libxcb-icccm4 libxcb-keysyms1", ordinary=True)
    assert done.returncode == 1
    assert _apt_calls(project) == []
    assert "this account cannot install them: libxcb-icccm4 libxcb-keysyms1" in done.stderr
    assert (
        "sudo apt-get update && sudo apt-get install --no-install-recommends "
        "libxcb-icccm4 libxcb-keysyms1" in done.stderr
    )
