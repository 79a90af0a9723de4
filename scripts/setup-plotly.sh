#!/usr/bin/env bash
# Puts plotly.js (MIT) in $PILLAR_CACHE/vendor/plotly.min.js for evaluation reports, taken out of plotly's
# wheel on PyPI, which carries the minified bundle (plotly/package_data/plotly.min.js), and checked against
# its SHA-256 so that a report never inlines a file nobody looked at.
set -euo pipefail

PLOTLY_VERSION="7.1.0"
SHA256="3b6e15d45dbb7fca5bd2094291e961ddc5472cd887009e6009a56dab668d721f"
CACHE="${PILLAR_CACHE:-$HOME/.cache/pillar}"
TARGET="$CACHE/vendor/plotly.min.js"

if [ -f "$TARGET" ] && echo "$SHA256  $TARGET" | sha256sum --check --status; then exit 0; fi
echo "==> extracting plotly.min.js from plotly $PLOTLY_VERSION"
mkdir -p "$CACHE/downloads" "$CACHE/vendor"
wheel="$(ls "$CACHE"/downloads/plotly-"$PLOTLY_VERSION"-*.whl 2>/dev/null | head -1 || true)"
if [ -z "$wheel" ]; then
  python3 -m pip download --quiet --no-deps -d "$CACHE/downloads" "plotly==$PLOTLY_VERSION"
  wheel="$(ls "$CACHE"/downloads/plotly-"$PLOTLY_VERSION"-*.whl | head -1)"
fi
python3 - "$wheel" "$TARGET.part" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, open(sys.argv[2], "wb") as out:
    out.write(wheel.read("plotly/package_data/plotly.min.js"))
PY
echo "$SHA256  $TARGET.part" | sha256sum --check --status || { echo "plotly.min.js does not match its SHA-256" >&2; exit 1; }
mv "$TARGET.part" "$TARGET"
