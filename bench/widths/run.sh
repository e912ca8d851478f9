#!/usr/bin/env bash
# The vector-width benchmark: dense GEMM, CSR forward and backward at density 0.1 (batch 1024, 1024 x 1024) and the
# NCF student step at density 0.1, at every vector width this machine runs natively, for each jar given, interleaved in
# rounds so that drift hits every variant alike. Thread CPU time, 1 thread. Prints the fp32 FMA peak per width first.
#
#   bench/widths/run.sh [ROUNDS] [JAR...]     (default: 3 rounds of recsys/target/winnow.jar)
#
# Widths: the JVM's default, -XX:UseAVX=2 (256 bits; only on an AVX-512 host, where it is another width) and
# -XX:MaxVectorSize=16 (128 bits). Every output line is prefixed with the round, jar and width.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
shift || true
jars=("$@")
[ ${#jars[@]} -gt 0 ] || jars=(recsys/target/winnow.jar)

echo "# $(date -u +%FT%TZ) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-) family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ') $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
gcc -O2 -o /tmp/winnow-fmapeak bench/widths/fmapeak.c && /tmp/winnow-fmapeak | sed 's/^/fmapeak /'

widths=("default")
grep -q avx512f /proc/cpuinfo && widths+=("-XX:UseAVX=2")
widths+=("-XX:MaxVectorSize=16")
for r in $(seq 1 "$rounds"); do
  for jar in "${jars[@]}"; do
    for w in "${widths[@]}"; do
      flag=$w; [ "$flag" = default ] && flag=-Dwinnow.default=1
      tag="round=$r jar=$(basename "$(dirname "$(dirname "$jar")")")/$(basename "$jar") width=$w"
      java "$flag" --add-modules jdk.incubator.vector -jar "$jar" bench kernels --batch 1024 --in 1024 --out 1024 \
        --density 0.1 --reps 15 --no-ejml --clock cpu 2>/dev/null | grep '^kernel=' | sed "s|^|$tag |"
      java "$flag" --add-modules jdk.incubator.vector -jar "$jar" bench step --density 0.1 --steps 300 --clock cpu \
        2>/dev/null | grep -v '^WARNING' | sed "s|^|$tag |"
    done
  done
done
