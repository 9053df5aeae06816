#!/usr/bin/env bash
# Builds ally_<version>_<arch>.deb from the PyInstaller bundle, with Debian's own tools
# (dpkg-deb). Usage: installer/linux/build-deb.sh BUNDLE_DIR OUT_DIR
#   BUNDLE_DIR  the folder PyInstaller made (…/dist/ally)
# The package installs the bundle under /opt/ally, `ally` on PATH, a desktop entry,
# start at login for every user (XDG autostart), and an example policy. It needs no
# network during install, and removing it keeps people's reports (in their home folders).
set -euo pipefail
bundle=$(cd "$1" && pwd)
out=$(mkdir -p "$2" && cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/desktop/__init__.py")
arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

install -d "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/etc/xdg/autostart" "$stage/etc/ally" "$stage/usr/share/icons/hicolor/scalable/apps" \
  "$stage/usr/share/doc/ally"
cp -a "$bundle" "$stage/opt/ally"
ln -s /opt/ally/ally "$stage/usr/bin/ally"
install -m 644 "$here/ally.desktop" "$stage/usr/share/applications/ally.desktop"
install -m 644 "$here/ally-report.desktop" "$stage/usr/share/applications/ally-report.desktop"
install -m 644 "$here/ally-autostart.desktop" "$stage/etc/xdg/autostart/ally.desktop"
install -m 644 "$root/resources/policy.example.toml" "$stage/etc/ally/policy.toml.example"
install -m 644 "$root/resources/icons/ally-neutral-light.svg" "$stage/usr/share/icons/hicolor/scalable/apps/ally.svg"
install -m 644 "$root/docs/deploy.md" "$stage/usr/share/doc/ally/deploy.md"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" \
  -e "s/@SIZE@/$(du -sk "$stage" | cut -f1)/" "$here/control.in" > "$stage/DEBIAN/control"
install -m 755 "$here/postinst" "$stage/DEBIAN/postinst"
install -m 755 "$here/postrm" "$stage/DEBIAN/postrm"
# IT may edit these; dpkg keeps them on remove and on upgrade asks before replacing them.
printf '%s\n' /etc/ally/policy.toml.example /etc/xdg/autostart/ally.desktop > "$stage/DEBIAN/conffiles"
find "$stage" -type d -exec chmod 755 {} +
dpkg-deb -Zgzip --root-owner-group --build "$stage" "$out/ally_${version}_${arch}.deb" >/dev/null
# The SHA-256 sum beside the package, for IT to check what they deploy.
(cd "$out" && sha256sum "ally_${version}_${arch}.deb" > "ally_${version}_${arch}.deb.sha256")
echo "$out/ally_${version}_${arch}.deb"
