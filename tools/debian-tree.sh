# A fresh Debian tree made here and run with chroot, for the checks that need a machine
# with nothing of this one's (tools/fresh-machine-check.sh, tools/relay-doc-check.sh).
# Sourced, not run: it defines functions and keeps the mounts it made in "mounted".
#
#   debian_tree_make TREE        debootstrap --variant=minbase, the release's suites, this
#                                workplace's CA (for the package registries' proxy)
#   debian_tree_mount TREE       /proc, /sys, /dev, a tmpfs /tmp and /run
#   debian_tree_unmount          every mount made, newest first
#   debian_tree_stop TREE        ends every process whose root is the tree
#   debian_tree_run TREE CMD...  CMD inside, as root, with nothing of this environment

suite=${DEBIAN_SUITE:-bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
mounted=()

debian_tree_need() {
  if [ "$(id -u)" != 0 ]; then
    echo "This check makes a Debian tree with debootstrap and runs it with chroot: run it as root." >&2
    exit 2
  fi
  if ! command -v debootstrap >/dev/null; then
    echo "Installing debootstrap (this machine's only package the check needs)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
  fi
}

debian_tree_make() {
  local tree=$1
  mkdir -p "$tree"
  chmod 755 "$tree"  # it becomes "/": mktemp made it 0700, which locks out apt's own account
  debootstrap --variant=minbase "$suite" "$tree" "$mirror" >"$tree.debootstrap.log" 2>&1 ||
    { tail -20 "$tree.debootstrap.log" >&2; return 1; }
  rm -f "$tree.debootstrap.log"
  # The same suites a Debian install has: the release, its updates and security.
  cat >"$tree/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb http://deb.debian.org/debian-security $suite-security main
SOURCES
  cp /etc/resolv.conf "$tree/etc/resolv.conf"
  # This workplace's network: a machine here reaches the package registries through a
  # proxy that presents its own certificate authority, which every machine here trusts
  # (it lies in /usr/local/share/ca-certificates). Debian's ca-certificates package,
  # installed inside, adds it to the system's store.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$tree/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$tree/usr/local/share/ca-certificates/"
  fi
}

debian_tree_mount() {
  local tree=$1
  # The tree is a mount of its own, so that inside it "/" is a mounted volume, as on any
  # machine; /tmp is a tmpfs, as Debian 13 has it.
  mount --bind "$tree" "$tree" && mounted+=("$tree")
  mount -t proc proc "$tree/proc" && mounted+=("$tree/proc")
  mount -t sysfs sys "$tree/sys" && mounted+=("$tree/sys")
  mount --rbind /dev "$tree/dev" && mount --make-rslave "$tree/dev" && mounted+=("$tree/dev")
  mount -t tmpfs -o mode=1777 tmpfs "$tree/tmp" && mounted+=("$tree/tmp")
  mkdir -p "$tree/run" && mount -t tmpfs tmpfs "$tree/run" && mounted+=("$tree/run")
}

debian_tree_unmount() {
  local i
  for ((i=${#mounted[@]}-1; i>=0; i--)); do
    umount -R "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" || true
  done
  mounted=()
}

debian_tree_stop() {
  local tree root pid
  tree=$(realpath "$1")
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    root=$(readlink "/proc/$pid/root" 2>/dev/null) || continue
    [ "$root" = "$tree" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  sleep 2
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    root=$(readlink "/proc/$pid/root" 2>/dev/null) || continue
    [ "$root" = "$tree" ] && kill -KILL "$pid" 2>/dev/null || true
  done
}

debian_tree_run() {  # a shell in the tree, as root, with nothing of this machine's environment
  local tree=$1; shift
  chroot "$tree" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PIP_CERT=/etc/ssl/certs/ca-certificates.crt "$@"
}
