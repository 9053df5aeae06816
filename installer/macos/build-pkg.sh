#!/usr/bin/env bash
# macOS: build Ally.app with PyInstaller (menu bar only: LSUIElement) and a signed-ready
# installer package that also installs the LaunchAgent. Run on a Mac:
#   pyinstaller --noconfirm installer/ally.spec && installer/macos/build-pkg.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
stage=$(mktemp -d)
mkdir -p "$stage/Applications" "$stage/Library/LaunchAgents" "$stage/Library/Application Support/Ally"
cp -R "$root/dist/Ally.app" "$stage/Applications/"
cp "$root/installer/macos/org.ally.desktop.plist" "$stage/Library/LaunchAgents/"
cp "$root/resources/policy.example.toml" "$stage/Library/Application Support/Ally/policy.toml.example"
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/desktop/__init__.py")
pkgbuild --root "$stage" --identifier org.ally.desktop --version "$version" "$root/dist/Ally-$version.pkg"
