#!/usr/bin/env bash
# Sparse-kernel benchmarks (issue 3). Short by default: the build machine is shared, so say so next to any number.
#   bench/run-sparse.sh            quick points: 1 thread, batch 1024, 1024x1024 at the issue's densities, the NCF step,
#                                  and the crossover sweep (CSV + PNG under runs/sparse/), then a short JMH pass on
#                                  the same point and its report (runs/sparse/grid/: grid.csv, crossover-grid.csv, grid.md)
#   FULL=1 bench/run-sparse.sh     the whole JMH grid (3 batches x 4 shapes x 7 densities, SparseKernelBench's
#                                  annotations; ~25 min for the grid on one core, see bench/HISTORY.md) and its report
# Knobs: JMH_ONLY=1 skips the winnow bench points (JMH and the report only); JMH_BATCH, JMH_SHAPE, JMH_DENSITY
# (comma lists; empty = the class's full list) narrow the JMH points; JMH_TIME replaces the iteration options, e.g.
#   JMH_ONLY=1 JMH_BATCH=256 JMH_SHAPE=128x64 JMH_DENSITY=0.5,0.1 JMH_TIME='-wi 1 -w 100ms -i 1 -r 100ms' bench/run-sparse.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/sparse}
THREADS=${THREADS:-1}
mkdir -p "$OUT"
nice -n 15 mvn -B -q --no-transfer-progress -o -DskipTests package
JAVA="java --add-modules jdk.incubator.vector"
if [ "${JMH_ONLY:-0}" != 1 ]; then
  echo "# $(date -u +%FT%TZ) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) load: $(cut -d' ' -f1-3 /proc/loadavg)" | tee "$OUT/kernels.txt"
  for d in 1 0.5 0.4 0.3 0.2 0.1 0.05 0.02; do
    $JAVA -jar recsys/target/winnow.jar bench kernels --batch 1024 --in 1024 --out 1024 --density $d --threads "$THREADS" \
      2>/dev/null | tee -a "$OUT/kernels.txt"
  done
  $JAVA -jar recsys/target/winnow.jar bench step --density 0.1 --threads "$THREADS" 2>/dev/null | tee "$OUT/step.txt"
  # the same-machine PyTorch reference, when Debian's python3-torch is installed (not needed by the build or the tests)
  if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    /usr/bin/python3 bench/torch_csr_point.py 1024 1024 1024 1 0.5 0.4 0.3 0.2 0.1 0.05 0.02 2>/dev/null \
      | tee "$OUT/torch.txt"
  fi
  $JAVA -jar recsys/target/winnow.jar bench crossover --threads "$THREADS" --reps 3 --output "$OUT/crossover" 2>/dev/null \
    | tee "$OUT/crossover.txt"
fi
if [ "${FULL:-0}" = 1 ]; then
  BATCH=${JMH_BATCH-} SHAPE=${JMH_SHAPE-} DENSITY=${JMH_DENSITY-} TIME=${JMH_TIME-}
else
  BATCH=${JMH_BATCH-1024} SHAPE=${JMH_SHAPE-1024x1024} DENSITY=${JMH_DENSITY-1,0.4,0.1}
  TIME=${JMH_TIME-"-wi 3 -w 1 -i 5 -r 1"}
fi
POINT=(-p threads="$THREADS")
[ -n "$BATCH" ] && POINT+=(-p batch="$BATCH")
[ -n "$SHAPE" ] && POINT+=(-p shape="$SHAPE")
SPARSE_POINT=("${POINT[@]}")
[ -n "$DENSITY" ] && SPARSE_POINT+=(-p density="$DENSITY")
# shellcheck disable=SC2206 # TIME is a list of JMH options
TIME_ARGS=($TIME)
# Masked and CSR at every density; dense and EJML ignore the mask, so they run once per batch and shape (density 1).
$JAVA -jar bench/target/benchmarks.jar 'SparseKernelBench\.(masked|csr)' "${SPARSE_POINT[@]}" "${TIME_ARGS[@]}" \
  -rf csv -rff "$OUT/jmh-sparse.csv" | tee "$OUT/jmh-sparse.txt"
$JAVA -jar bench/target/benchmarks.jar 'SparseKernelBench\.(dense|ejml)' "${POINT[@]}" -p density=1 "${TIME_ARGS[@]}" \
  -rf csv -rff "$OUT/jmh-dense.csv" | tee "$OUT/jmh-dense.txt"
$JAVA -cp bench/target/benchmarks.jar dev.winnow.bench.SparseGridReport "$OUT/jmh-sparse.csv" "$OUT/jmh-dense.csv" \
  --output "$OUT/grid"
if [ "${FULL:-0}" = 1 ]; then
  $JAVA -jar bench/target/benchmarks.jar 'SparseStepBench' -p threads="$THREADS" "${TIME_ARGS[@]}" \
    -rf json -rff "$OUT/jmh-step.json" | tee "$OUT/jmh-step.txt"
else
  $JAVA -jar bench/target/benchmarks.jar 'SparseStepBench' -p model=student -p threads="$THREADS" "${TIME_ARGS[@]}" \
    -rf json -rff "$OUT/jmh-step.json" | tee "$OUT/jmh-step.txt"
fi
