#!/usr/bin/env bash
# Build Solara's offline asset cache from the npm registry, so `vaxsim viz` renders without
# a CDN (Solara otherwise fetches its front end at run time). Layout expected by Solara's
# asset proxy: <cache>/<name>@<version>/<files of the npm package>.
# Usage: scripts/solara_assets.sh [CACHE_DIR]   (default ~/.cache/vaxsim/solara-assets)
set -euo pipefail
CACHE="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/vaxsim/solara-assets}"
PACKAGES=(
  "@widgetti/solara-vuetify-app@10.1.1"
  "requirejs@2.3.6"
  "font-awesome@4.5.0"
  "@widgetti/vue-grid-layout@2.3.13-alpha.2"
)
command -v npm >/dev/null || { echo "solara_assets: npm not found; skipping" >&2; exit 0; }
mkdir -p "$CACHE"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for spec in "${PACKAGES[@]}"; do
  target="$CACHE/$spec"
  [ -d "$target" ] && continue
  (cd "$work" && npm pack --silent "$spec" >/dev/null)
  tarball=$(ls "$work"/*.tgz)
  mkdir -p "$work/x"
  tar -xzf "$tarball" -C "$work/x"
  mkdir -p "$(dirname "$target")"
  mv "$work/x/package" "$target.tmp.$$" && mv "$target.tmp.$$" "$target"
  rm -rf "$tarball" "$work/x"
done
echo "$CACHE"
