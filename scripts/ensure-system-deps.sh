#!/usr/bin/env bash
# System packages the tests need, from Debian (never downloaded binaries): chromium for the browser
# tests, bubblewrap (bwrap) to run each graded exercise submission in a sandbox. Installs what is
# missing, then checks that bwrap can create its namespaces here (as root too).
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium fonts-dejavu-core)
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
test -x /usr/bin/chromium
if ! bwrap --unshare-all --unshare-user --uid 65534 --gid 65534 --die-with-parent --ro-bind / / true 2>/dev/null; then
  echo "setup: warning: bwrap cannot create user namespaces here; exercise grading falls back to an" >&2
  echo "       unprivileged uid when run as root (--sandbox setuid) and is refused otherwise" >&2
fi
