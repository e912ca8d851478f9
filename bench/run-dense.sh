#!/usr/bin/env bash
# Dense GEMM and NCF-MLP benchmarks (bench/HISTORY.md, section "Dense GEMM and NCF-MLP").
# Run from the repository root on a quiet machine; never two benchmarks at once on 2 vCPUs.
# Quick look instead of full length: QUICK=1 bench/run-dense.sh
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q --no-transfer-progress -pl bench -am package -DskipTests
JAR=bench/target/benchmarks.jar
OUT=${OUT:-bench/results}
mkdir -p "$OUT"
if [[ "${QUICK:-0}" == 1 ]]; then RUN=(-f 1 -wi 2 -i 3 -w 1s -r 1s); else RUN=(-f 2 -wi 5 -i 10 -w 1s -r 2s); fi

# 1. GEMM: 3 batches x 4 layers x {fwd, dx, dw} x {vector, ejml} x {1, 2} threads. The gflops counter is FLOP/s.
#    EJML is ~6 GFLOP/s, so it only runs at one batch to keep the run short.
java -jar "$JAR" GemmBench -p impl=vector "${RUN[@]}" -rf json -rff "$OUT/gemm_vector.json" | tee "$OUT/gemm_vector.txt"
java -jar "$JAR" GemmBench -p impl=ejml -p batch=256 -p threads=1 "${RUN[@]}" -rf json -rff "$OUT/gemm_ejml.json" \
  | tee "$OUT/gemm_ejml.txt"

# 2. NCF-MLP training, batch 256, Adam: samples/s (ops/s; 256 ops per step) and bytes per sample (-prof gc).
java -jar "$JAR" NcfTrainBench -p threads=1,2 "${RUN[@]}" -prof gc -rf json -rff "$OUT/ncf_train.json" \
  | tee "$OUT/ncf_train.txt"

# 3. NCF-MLP inference: batch-1 latency (us/op) and batch-1024 throughput (ops/s x 1024 = samples/s).
java -jar "$JAR" NcfInferBench -p threads=1 "${RUN[@]}" -prof gc -rf json -rff "$OUT/ncf_infer.json" \
  | tee "$OUT/ncf_infer.txt"

# Same-sitting OpenBLAS anchor (needs python3-numpy; see ../shared/anchors/cpu and perf_anchors.md §7):
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
  (cd ../shared/anchors/cpu && env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
    /usr/bin/python3 gemm_bench.py 1 numpy) | tee "$OUT/numpy_gemm_t1.txt"
fi
