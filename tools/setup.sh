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
packages=(python3 python3-venv python3-pip ca-certificates
          libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0
          libxcb-xkb1 libxkbcommon-x11-0 libxcb-shape0 libxkbcommon0 libegl1 libgl1
          libfontconfig1 libdbus-1-3)
if [ "$want_tests" = 1 ]; then
  # Xvfb and a tray host for the end-to-end tray tests (x11-utils: xwininfo for the start
  # benchmark); stress-ng makes real load.
  packages+=(xvfb trayer xdotool x11-utils imagemagick stress-ng iproute2 procps openssl cups cups-client cups-bsd chromium request-tracker5 rt5-db-sqlite rt5-standalone dbus gnome-keyring
            # a real PostgreSQL server for the relay's tests (started by the tests in a temp folder)
            postgresql
            # a private PipeWire daemon and pw-dump: a screen share holds tips (issue 15)
            pipewire pipewire-bin
            # WebDriver for the relay's pages in a real browser (driven over plain HTTP, no Selenium)
            chromium-driver)
fi

# One dpkg-query for all of them: this check runs on every start of ./run-ally. dpkg-query
# exits 1 (and says so on stderr) when any package is unknown or absent; that is the answer
# we are asking for, not a failure, so its status is ignored and each package is read off
# what it printed: installed ones say "=ii".
installed=" $( { dpkg-query -W -f='${Package}=${db:Status-Abbrev} ' "${packages[@]}" 2>/dev/null || true; } |
               sed 's/=ii */ /g') "
missing=()
for p in "${packages[@]}"; do
  [[ "$installed" == *" $p "* ]] || missing+=("$p")
done

# Says exactly what to run when this account cannot install the packages, then stops.
cannot_install() {
  echo "Ally needs these system packages, and this account cannot install them: ${missing[*]}" >&2
  echo "Ask someone with administrator rights to run:" >&2
  echo "  sudo apt-get update && sudo apt-get install --no-install-recommends ${missing[*]}" >&2
  echo "Then run this command again." >&2
  exit 1
}

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null && sudo -v 2>/dev/null; then
    # sudo -v asks for the password once (on a terminal); without a terminal or without
    # rights it fails, and the person is told what to ask for instead of a silent stop.
    sudo=(sudo)
  else
    cannot_install
  fi
  echo "Installing system packages: ${missing[*]}" >&2
  if ! "${sudo[@]}" apt-get update -qq ||
     ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
         "${missing[@]}" >/dev/null; then
    echo "Installing the system packages failed (apt-get's lines above say why)." >&2
    echo "When the cause is fixed, run this command again." >&2
    exit 1
  fi
fi

# The virtual environment is (re)built only when pyproject.toml (the dependencies and their
# pins) or this script changed since it was last built: later starts only compare one
# fingerprint, quietly. pip's own output (and setuptools' warnings) go to .venv/setup.log,
# shown only when something fails.
mode=run
[ "$want_tests" = 1 ] && mode=test
fingerprint=$(cat pyproject.toml installer/common/pyproject.toml installer/relay/pyproject.toml tools/setup.sh |
              sha256sum | cut -c1-16)
stamp=.venv/.ally-setup
if [ -x .venv/bin/python ] && [ -x .venv/bin/ally ] && [ -f "$stamp" ] &&
   { grep -qx "$fingerprint test" "$stamp" || grep -qx "$fingerprint $mode" "$stamp"; }; then
  exit 0
fi
python=python3
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Ally needs Python 3.11 or newer; this machine's python3 is $("$python" -V 2>&1)." >&2
  echo "Debian 12, Ubuntu 24.04 and newer have it." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
  first=1
fi
echo "Setting up Ally's Python packages in .venv (only when they changed) ..." >&2
# Three distributions from this repository: ally-common (the words and the helpdesk
# package), ally-desktop (this directory) and, for the tests, ally-relay.
dists=(-e ./installer/common -e .)
[ "$want_tests" = 1 ] && dists=(-e ./installer/common -e ./installer/relay -e ".[test]")
if ! {
  { [ -z "${first:-}" ] || .venv/bin/python -m pip install -q --upgrade pip; } &&
  .venv/bin/python -m pip install -q "${dists[@]}"
} >.venv/setup.log 2>&1; then
  cat .venv/setup.log >&2
  echo "Setting up Ally's Python packages failed (the lines above say why)." >&2
  exit 1
fi
echo "$fingerprint $mode" > "$stamp"
