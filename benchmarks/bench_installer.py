"""Building the Linux package: time for the bundle and the .deb, and their sizes."""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run() -> dict:
    with tempfile.TemporaryDirectory(prefix="ally-bench-deb-") as out:
        t0 = time.monotonic()
        done = subprocess.run(
            [str(ROOT / "installer/build-linux.sh"), out],
            capture_output=True,
            text=True,
            check=True,
            timeout=900,
        )
        seconds = time.monotonic() - t0
        deb = Path(done.stdout.strip().splitlines()[-1])
        listing = subprocess.run(
            ["dpkg-deb", "-I", str(deb)], capture_output=True, text=True, check=True
        ).stdout
        installed_kb = int(
            next(line.split(":")[1] for line in listing.splitlines() if "Installed-Size" in line)
        )
        return {
            "build_s": round(seconds, 1),
            "deb_mb": round(deb.stat().st_size / 2**20, 1),
            "installed_mb": round(installed_kb / 1024, 1),
        }


if __name__ == "__main__":
    print(run())
