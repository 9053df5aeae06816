#!/usr/bin/env bash
# The whole test suite on a busy machine, as it must pass: `stress-ng --cpu 2` keeps every
# core busy beside it, and another Ally session of the same account is open on another
# display (Xvfb with a tray host, the account's own profile, the tray app watching this
# machine). A test that judges the real machine instead of what it set up fails here.
#
#   tools/busy-machine-tests.sh [pytest arguments]
#
# Prints the suite's result and the time it took; exits with the suite's status.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh --test

work=$(mktemp -d /tmp/ally-busy-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Another graphical session of this account: a display the X server picked as free.
Xvfb -displayfd 3 -screen 0 1366x768x24 -nolisten tcp 3>"$work/display" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
display=":$(tr -dc 0-9 <"$work/display")"
DISPLAY=$display trayer --edge top --align right --SetDockType true >/dev/null 2>&1 &
pids+=($!)
sleep 1
# The account's own Ally (its real profile, no ALLY_HOME), never probing this machine's
# gateway or name server.
DISPLAY=$display QT_QPA_PLATFORM=xcb ALLY_POLICY="$PWD/tests/data/policy-no-active-network.toml" \
  .venv/bin/ally >/dev/null 2>&1 &
pids+=($!)
stress-ng --cpu 2 --quiet >/dev/null 2>&1 &
pids+=($!)
sleep 5
echo "== beside the tests: Ally on display $display, stress-ng --cpu 2"

start=$SECONDS
rc=0
./run-tests "$@" || rc=$?
took=$((SECONDS - start))
echo "== busy machine: ./run-tests exited $rc after $((took / 60)) min $((took % 60)) s" \
     "($(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD))"
exit $rc
