#!/usr/bin/env bash
# Builds the Linux bundle and the .deb:  installer/build-linux.sh [OUT_DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/dist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/.venv/bin/pyinstaller" --noconfirm --log-level WARN --distpath "$work/dist" --workpath "$work/build" \
  "$root/installer/ally.spec" >&2
"$root/installer/linux/build-deb.sh" "$work/dist/ally" "$out"
