#!/usr/bin/env sh
# Make sure the Graphviz `dot` program is installed; trustmap needs it for SVG/PNG/PDF images.
# Installs it through the system package manager when this user may; otherwise says how.
# Never fails the caller: without Graphviz, trustmap still writes every other output.
set -u
if command -v dot >/dev/null 2>&1; then
  exit 0
fi
echo "Graphviz 'dot' not found: installing it." >&2
if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    SUDO=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    SUDO="none"
  fi
  if [ "$SUDO" != "none" ]; then
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq graphviz fonts-dejavu-core >/dev/null \
      && exit 0
  fi
elif command -v brew >/dev/null 2>&1; then
  brew install graphviz && exit 0
elif command -v dnf >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  dnf install -y graphviz && exit 0
fi
cat >&2 <<'MSG'
Could not install Graphviz automatically. Install it, then run the command again:
  Debian/Ubuntu:  sudo apt-get install graphviz
  Fedora:         sudo dnf install graphviz
  macOS:          brew install graphviz
  Windows:        winget install graphviz   (or https://graphviz.org/download/)
Without it trustmap writes every output except the SVG, PNG and PDF images.
MSG
exit 0
