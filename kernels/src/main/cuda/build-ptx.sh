#!/usr/bin/env bash
# Builds the committed PTX from the shared kernel sources (compat.h + the files listed in sources.txt, in order).
#   usage: build-ptx.sh OUT_DIR        writes OUT_DIR/dev/winnow/kernels/ptx/kernels_sm80.ptx
# Without nvcc it keeps the committed PTX and exits 0, unless REQUIRE_NVCC=1 (the manual -Pptx profile).
# The output is deterministic: the first line is the sha256 of the sources (PtxFreshnessTest recomputes it), the
# nvcc input has a fixed name, and `.version` is lowered to 7.0 so drivers older than nvcc's own CUDA load it
# (ptxas below rejects the file if the kernels ever need a newer ISA).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
src="$here/../resources/dev/winnow/kernels/cl"
out="${1:?usage: build-ptx.sh OUT_DIR}"
arch=80
ptx_version=7.0

nvcc_bin=""
if command -v nvcc >/dev/null 2>&1; then nvcc_bin="$(command -v nvcc)";
elif [ -n "${CUDA_HOME:-}" ] && [ -x "$CUDA_HOME/bin/nvcc" ]; then nvcc_bin="$CUDA_HOME/bin/nvcc";
elif [ -x /usr/local/cuda/bin/nvcc ]; then nvcc_bin=/usr/local/cuda/bin/nvcc; fi
if [ -z "$nvcc_bin" ]; then
  if [ "${REQUIRE_NVCC:-0}" = "1" ]; then
    echo "build-ptx: nvcc not found (PATH, \$CUDA_HOME/bin, /usr/local/cuda/bin) but -Pptx requires it" >&2
    exit 1
  fi
  committed="$here/../ptx/dev/winnow/kernels/ptx/kernels_sm$arch.ptx"
  mkdir -p "$out/dev/winnow/kernels/ptx"
  if [ ! "$committed" -ef "$out/dev/winnow/kernels/ptx/kernels_sm$arch.ptx" ]; then
    cp "$committed" "$out/dev/winnow/kernels/ptx/"
  fi
  echo "build-ptx: nvcc not found; keeping the committed PTX"
  exit 0
fi

files=("$src/compat.h")
while IFS= read -r line; do
  case "$line" in ''|'#'*) continue;; esac
  files+=("$src/$line")
done < "$src/sources.txt"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat "${files[@]}" > "$work/winnow_kernels.cu"
hash="$(sha256sum "$work/winnow_kernels.cu" | cut -d' ' -f1)"
(cd "$work" && "$nvcc_bin" -ptx -O3 -arch=sm_$arch -x cu winnow_kernels.cu -o raw.ptx)
mkdir -p "$out/dev/winnow/kernels/ptx"
dst="$out/dev/winnow/kernels/ptx/kernels_sm$arch.ptx"
{
  echo "// source-sha256: $hash"
  sed "s/^\.version [0-9.]*\$/.version $ptx_version/" "$work/raw.ptx"
} > "$work/final.ptx"
ptxas_bin="$(dirname "$nvcc_bin")/ptxas"
if [ -x "$ptxas_bin" ]; then
  "$ptxas_bin" -arch=sm_$arch "$work/final.ptx" -o "$work/check.cubin"
fi
mv "$work/final.ptx" "$dst"
echo "build-ptx: $dst ($("$nvcc_bin" --version | tail -1))"
