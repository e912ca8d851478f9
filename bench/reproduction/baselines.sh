#!/usr/bin/env bash
# The reference rows of the reproduction tables: predict-the-training-mean and ridge regression per movie feature
# group, seeds 0-2, on the same temporal split and validation carve as compare. Keeps each results.json under
# bench/reproduction/baselines/movies-GROUP/MODEL/. Build first: mvn -B -q --no-transfer-progress -DskipTests package.
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${DATA:-../shared/data}
for g in numerical social categorical textual; do
  for m in mean ridge; do
    run=runs/reproduction/baselines/movies-$g/$m keep=bench/reproduction/baselines/movies-$g/$m
    rm -rf "$run"; mkdir -p "$(dirname "$run")" "$keep"
    java --add-modules jdk.incubator.vector -jar "${JAR:-recsys/target/winnow.jar}" eval --data "$DATA" --model "$m" \
      --features "$g" --seeds 3 --threads 1 --out "$run" > "$run.log" 2>&1
    cp "$run/results.json" "$keep/"
  done
done
