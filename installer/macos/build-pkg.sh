#!/usr/bin/env bash
# macOS: build Ally.app with PyInstaller (menu bar only: LSUIElement) and a signed-ready
# installer package that also installs the LaunchAgent and an uninstall script. Run on a Mac:
#   pyinstaller --noconfirm installer/ally.spec && installer/macos/build-pkg.sh
# Signing and notarisation use identities from the environment when they are set:
#   ALLY_MACOS_APP_IDENTITY ("Developer ID Application: …"), ALLY_MACOS_PKG_IDENTITY
#   ("Developer ID Installer: …") and ALLY_NOTARY_PROFILE (a notarytool keychain profile).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/installer/macos"
stage=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$stage" "$work"' EXIT
mkdir -p "$stage/Applications" "$stage/Library/LaunchAgents" "$stage/Library/Application Support/Ally"
cp -R "$root/dist/Ally.app" "$stage/Applications/"
cp "$here/org.ally.desktop.plist" "$stage/Library/LaunchAgents/"
cp "$root/resources/policy.example.toml" "$stage/Library/Application Support/Ally/policy.toml.example"
install -m 755 "$here/uninstall.sh" "$stage/Library/Application Support/Ally/uninstall.sh"
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/desktop/__init__.py")
if [ -n "${ALLY_MACOS_APP_IDENTITY:-}" ]; then
    codesign --force --deep --options runtime --timestamp \
        --sign "$ALLY_MACOS_APP_IDENTITY" "$stage/Applications/Ally.app"
fi
# Not relocatable: Ally is where the LaunchAgent and the uninstall script expect it, even if
# a copy of Ally.app exists elsewhere on the Mac.
pkgbuild --analyze --root "$stage" "$work/components.plist"
plutil -replace 0.BundleIsRelocatable -bool NO "$work/components.plist"
out="$root/dist/Ally-$version.pkg"
pkgbuild --root "$stage" --component-plist "$work/components.plist" \
    --scripts "$here/scripts" --identifier org.ally.desktop --version "$version" \
    ${ALLY_MACOS_PKG_IDENTITY:+--sign "$ALLY_MACOS_PKG_IDENTITY"} "$out"
if [ -n "${ALLY_NOTARY_PROFILE:-}" ]; then
    xcrun notarytool submit "$out" --keychain-profile "$ALLY_NOTARY_PROFILE" --wait
    xcrun stapler staple "$out"
fi
shasum -a 256 "$out" > "$out.sha256"
echo "$out"
