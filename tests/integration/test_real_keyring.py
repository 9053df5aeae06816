"""Secrets in a real OS keyring: the Secret Service of gnome-keyring on a private D-Bus
session, as on a Linux desktop. Everything runs inside `dbus-run-session`, with its own HOME,
so the machine's own keyrings are never touched.

This is the path IT uses to hand out the helpdesk secret (docs/deploy.md): a file only the
person can read, `ally credentials import`, and the file is gone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.run_ally import ROOT

pytestmark = pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs apt packages dbus and gnome-keyring (installed by tools/setup.sh --test)",
)

# Runs inside the private session: unlock a new login keyring (an empty password is refused
# with "Prompt dismissed"), then act as IT's logon script and as a later Ally process.
SESSION_SCRIPT = textwrap.dedent(
    """
    set -e
    echo -n session-password | gnome-keyring-daemon --unlock --components=secrets --daemonize >/dev/null
    "$PY" -m desktop credentials import webhook --file "$SECRET_FILE"
    printf 'smtp-password\\n' | "$PY" -m desktop credentials set email
    "$PY" - <<'PY'
    import json, keyring
    from desktop.reporting.credentials import get_secret
    print(json.dumps({
        "backend": type(keyring.get_keyring()).__module__,
        "webhook": get_secret("webhook"),
        "email": get_secret("email"),
    }))
    PY
    """
)


def test_it_hands_out_the_secret_and_it_lands_in_the_persons_keyring(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    secret_file = home / "ally-webhook.secret"
    secret_file.write_text("from-it-deployment")
    secret_file.chmod(0o600)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHON_KEYRING_BACKEND", "DBUS_SESSION_BUS_ADDRESS", "DISPLAY")
    }
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_RUNTIME_DIR=str(tmp_path / "run"),
        ALLY_HOME=str(tmp_path / "ally"),
        PY=sys.executable,
        SECRET_FILE=str(secret_file),
        PYTHONPATH=str(ROOT),
    )
    (tmp_path / "run").mkdir(mode=0o700)
    out = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", SESSION_SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "stored in this computer's password store, and the file is deleted" in out.stdout
    assert "Traceback" not in out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {
        "backend": "keyring.backends.SecretService",
        "webhook": "from-it-deployment",
        "email": "smtp-password",
    }
    assert not secret_file.exists()
    # The secrets are in gnome-keyring's encrypted store, in no plain file of Ally's or the home.
    assert list((home / ".local" / "share" / "keyrings").glob("*.keyring"))
    for path in [*home.rglob("*"), *Path(env["ALLY_HOME"]).rglob("*")]:
        if path.is_file():
            data = path.read_bytes()
            assert b"from-it-deployment" not in data and b"smtp-password" not in data, path
