#!/usr/bin/env bash
# The system programs the tests start for real: PostgreSQL 15 (initdb, postgres) and Debian's
# Chromium (driven by Playwright). Installs the missing ones with apt-get when it can (as root
# on Debian/Ubuntu); otherwise stops at once with the exact command to run.
set -euo pipefail

need=()
[ -x /usr/lib/postgresql/15/bin/initdb ] || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium chromium-driver)
[ ${#need[@]} -eq 0 ] && exit 0

command="apt-get install -y ${need[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "The tests need ${need[*]} (PostgreSQL 15 and Debian's Chromium), and this is not a" >&2
    echo "Debian/Ubuntu system: install them with your package manager, then run make test again." >&2
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "The tests need system packages that are missing: ${need[*]}. Run:" >&2
    echo "    sudo apt-get update && sudo $command" >&2
    echo "then make test again." >&2
    exit 1
fi
echo "Installing system packages the tests need: ${need[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
