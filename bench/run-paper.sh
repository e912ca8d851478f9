#!/usr/bin/env bash
# Reproduces the tables of docs/reproduction.md: the paper's methods on the movie task (each feature group alone, as in
# the paper's Table 4) and on MovieLens 100K. Run from the repository root after
#   mvn -B -q --no-transfer-progress -DskipTests package
# DATA defaults to ../shared/data (the folder holding imdb-5000/, tmdb-5000/ and ml-100k/); results go to OUT.
# Two streams run at once (one per core): PARALLEL=1 runs everything one after the other.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${DATA:-../shared/data}
OUT=${OUT:-runs/paper}
SEEDS=${SEEDS:-3}
J=(java --add-modules jdk.incubator.vector -jar recsys/target/winnow.jar)
mkdir -p "$OUT"

movies() { for g in "$@"; do
  "${J[@]}" compare --data "$DATA" --features "$g" --seeds "$SEEDS" --preset quick --out "$OUT/movies-$g" \
    > "$OUT/movies-$g.log" 2>&1; done; }
ml100k() { for k in "$@"; do
  "${J[@]}" compare --data "$DATA/ml-100k" --fold "$k" --preset quick --out "$OUT/ml100k-u$k" \
    > "$OUT/ml100k-u$k.log" 2>&1; done; }

if [[ "${PARALLEL:-2}" == 1 ]]; then
  movies numerical social categorical textual; ml100k ${FOLDS:-1 2 3 4 5}
else
  movies numerical social & movies categorical textual & wait
  ml100k ${FOLDS:-1 2 3 4 5}
fi
grep -h "^[A-Za-z-]* *[0-9.]*±\|^method" "$OUT"/*.log || true
