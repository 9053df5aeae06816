#!/bin/sh
# Removes Ally from this Mac. Run as root (sudo), or from Jamf/MDM as a script:
#   sudo "/Library/Application Support/Ally/uninstall.sh"           program and start entry
#   sudo "/Library/Application Support/Ally/uninstall.sh" --purge   also IT's policy folder
# People's reports and settings (~/Library/Application Support/Ally, ~/Library/Logs/Ally)
# are theirs and are kept.
set -eu
label=org.ally.desktop
# Stop Ally in every logged-in session before its files go.
for uid in $(ps -axo uid=,comm= | awk '$2 ~ /loginwindow$/ {print $1}' | sort -u); do
    launchctl bootout "gui/$uid/$label" 2>/dev/null || true
done
rm -f "/Library/LaunchAgents/$label.plist"
rm -rf /Applications/Ally.app
pkgutil --forget "$label" >/dev/null 2>&1 || true
if [ "${1:-}" = "--purge" ]; then
    rm -rf "/Library/Application Support/Ally"
else
    rm -f "/Library/Application Support/Ally/uninstall.sh"
fi
echo "Ally was removed."
