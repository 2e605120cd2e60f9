#!/usr/bin/env sh
# Make sure Debian's Chromium is installed: the browser tests of report.html drive it through
# Playwright for Python (Playwright's own browser download needs the network). Installs it with
# apt-get when this user may; otherwise says how. Never fails the caller: the browser tests
# report the missing browser themselves.
set -u
CHROMIUM="${TRUSTMAP_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
  exit 0
fi
echo "Chromium ($CHROMIUM) not found: installing it for the browser tests." >&2
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    SUDO="none"
  fi
  if [ "$SUDO" != "none" ]; then
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null \
      && exit 0
  fi
fi
cat >&2 <<'MSG'
Could not install Chromium automatically. The browser tests need it:
  Debian/Ubuntu:  sudo apt-get install chromium
  elsewhere:      install Chromium and set TRUSTMAP_CHROMIUM to its path
MSG
exit 0
