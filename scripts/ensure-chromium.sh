#!/usr/bin/env bash
# Kept for existing callers: the system packages (chromium and bubblewrap) are installed by
# ensure-system-deps.sh.
exec bash "$(dirname "$0")/ensure-system-deps.sh"
