#!/usr/bin/env bash
# Sets up everything Ally needs on a Debian or Ubuntu machine: system packages (when run
# as root, or with sudo), then a virtual environment in .venv with Ally installed in it.
#
#   tools/setup.sh          what running Ally needs
#   tools/setup.sh --test   also what the whole test suite needs
set -euo pipefail
cd "$(dirname "$0")/.."

want_tests=0
[ "${1:-}" = "--test" ] && want_tests=1

# Python with venv; the Qt libraries the tray needs on X11 (PySide6's wheels bring Qt
# itself, not these system libraries).
packages=(python3 python3-venv python3-pip
          libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0
          libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0 libxkbcommon0 libegl1 libgl1
          libfontconfig1 libdbus-1-3)
if [ "$want_tests" = 1 ]; then
  # Xvfb and a tray host for the end-to-end tray tests; stress-ng makes real load.
  packages+=(xvfb trayer xdotool imagemagick stress-ng iproute2 procps openssl cups cups-client cups-bsd chromium request-tracker5 rt5-db-sqlite rt5-standalone dbus gnome-keyring
            # a real PostgreSQL server for the relay's tests (started by the tests in a temp folder)
            postgresql
            # WebDriver for the relay's pages in a real browser (driven over plain HTTP, no Selenium)
            chromium-driver)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
    echo "Ally needs these system packages, and this account cannot install them: ${missing[*]}" >&2
    echo "Ask someone with administrator rights to run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=python3
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
if [ "$want_tests" = 1 ]; then
  .venv/bin/python -m pip install -q -e ".[test]"
else
  .venv/bin/python -m pip install -q -e .
fi
