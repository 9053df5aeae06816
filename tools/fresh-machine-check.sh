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

keep=0
if [ "${1:-}" = "--keep" ]; then keep=1; shift; fi
if [ "$(id -u)" != 0 ]; then
  echo "This check makes a Debian tree with debootstrap and runs it with chroot: run it as root." >&2
  exit 2
fi
suite=bookworm
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
tree=${1:-$(mktemp -d /var/tmp/ally-fresh-XXXXXX)}
mkdir -p "$tree"
chmod 755 "$tree"  # it becomes "/": mktemp made it 0700, which locks out apt's own account

mounted=()
cleanup() {
  for ((i=${#mounted[@]}-1; i>=0; i--)); do umount -R "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" || true; done
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

if ! command -v debootstrap >/dev/null; then
  echo "Installing debootstrap (this machine's only package the check needs)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

bootstrap() {
  debootstrap --variant=minbase "$suite" "$tree" "$mirror" >"$tree.debootstrap.log" 2>&1 ||
    { tail -20 "$tree.debootstrap.log" >&2; return 1; }
  rm -f "$tree.debootstrap.log"
  # The same suites a Debian 12 install has: the release, its updates and security.
  cat >"$tree/etc/apt/sources.list" <<EOF
deb $mirror $suite main
deb $mirror $suite-updates main
deb http://deb.debian.org/debian-security $suite-security main
EOF
  cp /etc/resolv.conf "$tree/etc/resolv.conf"
  # This workplace's network: a machine here reaches the package registries through a
  # proxy that presents its own certificate authority, which every machine here trusts
  # (it lies in /usr/local/share/ca-certificates). Debian's ca-certificates package,
  # installed by the set-up inside, adds it to the system's store.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$tree/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$tree/usr/local/share/ca-certificates/"
  fi
}
step "debootstrap --variant=minbase $suite" bootstrap

mount_all() {
  # The tree is a mount of its own, so that inside it "/" is a mounted volume, as on any
  # machine; /tmp is a tmpfs, as Debian 13 has it.
  mount --bind "$tree" "$tree" && mounted+=("$tree")
  mount -t proc proc "$tree/proc" && mounted+=("$tree/proc")
  mount -t sysfs sys "$tree/sys" && mounted+=("$tree/sys")
  mount --rbind /dev "$tree/dev" && mount --make-rslave "$tree/dev" && mounted+=("$tree/dev")
  mount -t tmpfs -o mode=1777 tmpfs "$tree/tmp" && mounted+=("$tree/tmp")
  mkdir -p "$tree/run" && mount -t tmpfs tmpfs "$tree/run" && mounted+=("$tree/run")
}
mount_all

# A clean clone of what is committed: nothing uncommitted, no .venv, no caches.
clone() {
  git clone -q --no-local "$repo" "$tree/root/ally"
  git -C "$tree/root/ally" log -1 --format='%h %s' | cut -c1-100
}
step "clean clone of HEAD" clone

inside() {  # a login shell in the tree, as root, with nothing of this machine's environment
  chroot "$tree" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    ALLY_POLICY=/root/ally/tests/data/policy-no-active-network.toml \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
    /bin/bash -c "cd /root/ally && $1"
}
# Ally never probes this machine's gateway or name server: the policy above turns the
# active network checks off, as everywhere here outside the tests' own namespaces.
step "./run-ally diagnose (set-up from nothing)" inside "./run-ally diagnose"
step "./run-ally diagnose (set up already)" inside "./run-ally diagnose >/dev/null"
step "./run-tests tests/unit" inside "./run-tests tests/unit -q -p no:cacheprovider"
summary
