#!/usr/bin/env bash
# Puts OpenAI's BPE rank files (cl100k_base, o200k_base; MIT, from tiktoken) in $PILLAR_CACHE/tokenizers, taken
# out of the litellm wheel on PyPI, which carries them so that tiktoken runs offline. The files keep tiktoken's
# cache names (the SHA-1 of their download URL), so TIKTOKEN_CACHE_DIR can point at the same folder, and are
# checked against the SHA-256 that tiktoken itself expects.
set -euo pipefail

LITELLM_VERSION="1.106.2"
CACHE="${PILLAR_CACHE:-$HOME/.cache/pillar}"
TARGET="$CACHE/tokenizers"
# name, tiktoken cache file name, SHA-256 (tiktoken_ext/openai_public.py)
FILES=(
  "cl100k_base 9b5ad71b2ce5302211f9c61530b329a4922fc6a4 223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
  "o200k_base fb374d419588a4632f3f557e76b4b70aebbca790 446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d"
)

complete() {
  for entry in "${FILES[@]}"; do
    read -r _ file sum <<< "$entry"
    [ -f "$TARGET/$file" ] && echo "$sum  $TARGET/$file" | sha256sum --check --status || return 1
  done
}

complete && exit 0
echo "==> extracting the cl100k_base and o200k_base rank files from litellm $LITELLM_VERSION"
mkdir -p "$CACHE/downloads" "$TARGET"
wheel="$(ls "$CACHE"/downloads/litellm-"$LITELLM_VERSION"-*.whl 2>/dev/null | head -1 || true)"
if [ -z "$wheel" ]; then
  python3 -m pip download --quiet --no-deps -d "$CACHE/downloads" "litellm==$LITELLM_VERSION"
  wheel="$(ls "$CACHE"/downloads/litellm-"$LITELLM_VERSION"-*.whl | head -1)"
fi
for entry in "${FILES[@]}"; do
  read -r name file sum <<< "$entry"
  python3 - "$wheel" "litellm/litellm_core_utils/tokenizers/$file" "$TARGET/$file.part" <<'PY'
import shutil, sys, zipfile
wheel, member, target = sys.argv[1:4]
with zipfile.ZipFile(wheel) as z, z.open(member) as source, open(target, "wb") as out:
    shutil.copyfileobj(source, out)
PY
  echo "$sum  $TARGET/$file.part" | sha256sum --check --status || { echo "$name: checksum mismatch" >&2; exit 1; }
  mv "$TARGET/$file.part" "$TARGET/$file"
done
complete
