#!/usr/bin/env bash
# Sparse-kernel benchmarks (issue 3). Short by default: the build machine is shared, so say so next to any number.
#   bench/run-sparse.sh            quick points: 1 thread, batch 1024, 1024x1024 at the issue's densities, the NCF step,
#                                  and the crossover sweep (CSV + PNG under runs/sparse/)
#   FULL=1 bench/run-sparse.sh     the whole JMH grid (batch x shape x density; takes long)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-runs/sparse}
THREADS=${THREADS:-1}
mkdir -p "$OUT"
nice -n 15 mvn -B -q --no-transfer-progress -o -DskipTests package
JAVA="java --add-modules jdk.incubator.vector"
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
if [ "${FULL:-0}" = 1 ]; then
  $JAVA -jar bench/target/benchmarks.jar 'SparseKernelBench|SparseStepBench' -p threads="$THREADS" \
    -rf json -rff "$OUT/jmh.json" | tee "$OUT/jmh.txt"
else
  $JAVA -jar bench/target/benchmarks.jar 'SparseKernelBench' -p batch=1024 -p shape=1024x1024 -p density=1,0.4,0.1 \
    -p threads="$THREADS" -wi 3 -w 1 -i 5 -r 1 -rf json -rff "$OUT/jmh.json" | tee "$OUT/jmh.txt"
  $JAVA -jar bench/target/benchmarks.jar 'SparseStepBench' -p model=student -p threads="$THREADS" -wi 3 -w 1 -i 5 -r 1 \
    -rf json -rff "$OUT/jmh-step.json" | tee "$OUT/jmh-step.txt"
fi
