#!/usr/bin/env bash
# A fresh Debian machine, made here: a minimal Debian 12 (debootstrap --variant=minbase, no
# Python, no X libraries, nothing of this machine's) with a clean clone of this checkout's
# committed HEAD in it. Inside it, the README's commands run as a newcomer would run them:
#
#   ./run-ally diagnose      sets Ally up from nothing, then checks the computer
#   ./run-tests tests/unit   sets up what the tests need, then runs the unit tests
#
# Each step's time and result are printed at the end (benchmarks/RESULTS.md keeps them).
# Needs root (debootstrap, chroot, mounts) and Debian's package mirror; nothing else of
# this machine is used or trusted.
#
#   tools/fresh-machine-check.sh [--keep] [FOLDER]
#
# FOLDER (default: a new one under /var/tmp) is where the Debian tree is made; --keep
# leaves it there afterwards for a look inside.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

source tools/debian-tree.sh
keep=0
if [ "${1:-}" = "--keep" ]; then keep=1; shift; fi
debian_tree_need
tree=${1:-$(mktemp -d /var/tmp/ally-fresh-XXXXXX)}

cleanup() {
  debian_tree_stop "$tree"
  debian_tree_unmount
  if [ "$keep" = 0 ]; then rm -rf --one-file-system "$tree"; else echo "The Debian tree is kept in $tree"; fi
}
trap cleanup EXIT

results=()
step() {  # step NAME COMMAND...: runs it, times it, remembers the outcome; stops on failure
  local name=$1; shift
  local t0=$SECONDS rc=0
  echo "== $name"
  "$@" || rc=$?
  local took=$((SECONDS - t0))
  results+=("$(printf '%-40s %5d s  %s' "$name" "$took" "$([ $rc = 0 ] && echo passed || echo "FAILED (exit $rc)")")")
  if [ $rc != 0 ]; then summary; exit 1; fi
}
summary() {
  echo
  echo "== Fresh Debian $suite ($(date -u +%Y-%m-%dT%H:%MZ), commit $(git -C "$repo" rev-parse --short HEAD))"
  printf '%s\n' "${results[@]}"
}

step "debootstrap --variant=minbase $suite" debian_tree_make "$tree"
debian_tree_mount "$tree"

# A clean clone of what is committed: nothing uncommitted, no .venv, no caches.
clone() {
  git clone -q --no-local "$repo" "$tree/root/ally"
  git -C "$tree/root/ally" log -1 --format='%h %s' | cut -c1-100
}
step "clean clone of HEAD" clone

inside() {  # a login shell in the tree, as root, with nothing of this machine's environment
  debian_tree_run "$tree" ALLY_POLICY=/root/ally/tests/data/policy-no-active-network.toml \
    /bin/bash -c "cd /root/ally && $1"
}
# Ally never probes this machine's gateway or name server: the policy above turns the
# active network checks off, as everywhere here outside the tests' own namespaces.
step "./run-ally diagnose (set-up from nothing)" inside "./run-ally diagnose"
step "./run-ally diagnose (set up already)" inside "./run-ally diagnose >/dev/null"
step "./run-tests tests/unit" inside "./run-tests tests/unit -q -p no:cacheprovider"
summary
