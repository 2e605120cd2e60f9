#!/usr/bin/env sh
# Make sure the Graphviz `dot` program is installed; trustmap needs it for SVG/PNG/PDF images.
# Installs it through the system package manager when this user may; otherwise says how.
# Never fails the caller: without Graphviz, trustmap still writes every other output.
set -u
# The diagrams name DejaVu Sans first: with another font, text widths and so the layout (and
# the bytes of every image) change. fontconfig falls back silently, so check what it resolves.
has_font() {
  command -v fc-match >/dev/null 2>&1 && fc-match -f '%{family}' 'DejaVu Sans' 2>/dev/null | grep -q 'DejaVu Sans'
}
if command -v dot >/dev/null 2>&1 && has_font; then
  exit 0
fi
echo "Graphviz 'dot' or the DejaVu Sans font not found: installing them." >&2
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
  brew install graphviz && { brew install --cask font-dejavu || true; } && exit 0
elif command -v dnf >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  dnf install -y graphviz dejavu-sans-fonts && exit 0
fi
cat >&2 <<'MSG'
Could not install Graphviz automatically. Install it, then run the command again:
  Debian/Ubuntu:  sudo apt-get install graphviz fonts-dejavu-core
  Fedora:         sudo dnf install graphviz dejavu-sans-fonts
  macOS:          brew install graphviz
  Windows:        winget install graphviz   (or https://graphviz.org/download/)
Without it trustmap writes every output except the SVG, PNG and PDF images.
MSG
exit 0
