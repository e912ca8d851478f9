#!/usr/bin/env bash
# Where a training step's time goes (issue 18, item 1): JFR execution samples (JDK Flight Recorder, settings=profile,
# 10-20 ms sampling) of the NCF student step at density 1 (dense), 0.1 and 0.02 (CSR), and of the SAD step, grouped
# into categories by jfr_categories.py. Run from the repository root after `mvn -B -q -DskipTests package`.
# usage: bench/profile/run.sh OUT_DIR
set -euo pipefail
out=${1:?usage: bench/profile/run.sh OUT_DIR}
mkdir -p "$out"
jar=recsys/target/winnow.jar
here=$(dirname "$0")
for spec in dense:1 csr:0.1 csr:0.02; do
  mode=${spec%%:*}; density=${spec#*:}
  java --add-modules jdk.incubator.vector -XX:StartFlightRecording=filename="$out/step-$mode-$density.jfr",settings=profile \
    -jar "$jar" bench step --modes "$mode" --density "$density" --steps 20000 2>/dev/null | grep step=
  python3 "$here/jfr_categories.py" "$out/step-$mode-$density.jfr" > "$out/step-$mode-$density.txt"
done
# SAD: the teacher trains one epoch first; counting starts at the first sample inside the attention distiller
cp "$here/results-2026-12-06/sad.json" "$out/sad.json"
java --add-modules jdk.incubator.vector -XX:StartFlightRecording=filename="$out/sad.jfr",settings=profile \
  -jar "$jar" compare --data synthetic --run-file "$out/sad.json" --backend cpu --out "$out/sadrun" > /dev/null 2>&1
python3 "$here/jfr_categories.py" "$out/sad.jfr" MethodRun.step AttentionDistiller > "$out/sad.txt"
cat "$out"/*.txt
