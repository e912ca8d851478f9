#!/usr/bin/env bash
# GPU machine (no Java, no Maven): run from the repository root after kernels/gpu/make-bundle.sh filled .gpu/.
#   bash .gpu/run-gpu.sh [OUT_DIR]      (default OUT_DIR: $OUT if set, else .gpu/results)
# 1. the first-run checklist of gpu_notes.md 5 (card, driver, glibc, which CUDA / OpenCL libraries exist)
# 2. every Backend SPI primitive on CUDA against the CPU reference (ConformanceMain; exit 0 = all pass)
# 3. masked GEMM / CSR SpMM / SDDMM vs cuBLAS / cuSPARSE over the issue's shapes and densities (GpuBench)
# 4. one NCF training epoch, CUDA vs CPU (16 threads), from the winnow CLI
# Each step's output goes to OUT_DIR/<step>.txt as well as the console; a failing step does not stop the others.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${1:-${OUT:-.gpu/results}}"
mkdir -p "$out"
java=".gpu/jre/bin/java"
cp_arg=".gpu/lib/*"
jvm=(--add-modules jdk.incubator.vector -Xss4m)

step() { # name, command...
  local name="$1"; shift
  echo "=== $name: $*" | tee "$out/$name.txt"
  local t0=$SECONDS
  "$@" 2>&1 | tee -a "$out/$name.txt"
  local rc=${PIPESTATUS[0]}
  echo "=== $name: exit $rc after $((SECONDS - t0)) s" | tee -a "$out/$name.txt"
}

step checklist bash -c 'nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv; nvidia-smi | head -4;
  ldd --version | head -1; ldconfig -p | grep -E "libcuda\.|libcublas|libcusparse|libnvrtc|libOpenCL" ;
  ls /etc/OpenCL/vendors 2>&1; nproc'
step conformance "$java" "${jvm[@]}" -cp "$cp_arg" dev.winnow.kernels.check.ConformanceMain cuda
step bench "$java" "${jvm[@]}" -cp "$cp_arg" dev.winnow.kernels.bench.GpuBench cuda
step ncf-cuda "$java" "${jvm[@]}" -cp "$cp_arg" dev.winnow.recsys.cli.WinnowCli train --backend cuda --epochs 1
step ncf-cpu "$java" "${jvm[@]}" -cp "$cp_arg" dev.winnow.recsys.cli.WinnowCli train --backend cpu --threads "$(nproc)" --epochs 1
echo "results in $out"
