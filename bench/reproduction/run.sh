#!/usr/bin/env bash
# Runs one batch of the paper's methods and keeps its small result files as evidence:
#   bench/reproduction/run.sh PRESET TASK METHODS [SEEDS]
#   TASK = movies-numerical | movies-social | movies-categorical | movies-textual | ml100k-u1 .. ml100k-u5
# e.g. bench/reproduction/run.sh paper-literal movies-numerical SAD,SP-SAD,LTH-SAD 3
# The run goes to runs/reproduction/... (checkpoints, models, plots: not committed); run.json, results.json,
# results.csv and curves.csv are copied to bench/reproduction/PRESET/TASK/METHODS-sSEEDS/. Every run is on the CPU
# backend with one thread and a pinned sparse threshold (0: pruned layers run as masked dense GEMMs), so that a
# seed fixes every number on any CPU. bench/reproduction/tables.py rebuilds docs/reproduction.md's tables from them.
# Build first: mvn -B -q --no-transfer-progress -DskipTests package. DATA defaults to ../shared/data, JAR to
# recsys/target/winnow.jar (point it at a copy to rebuild while a long run goes on).
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ $# -ge 3 ]] || { sed -n 2,10p "$0"; exit 2; }
PRESET=$1 TASK=$2 METHODS=$3 SEEDS=${4:-3}
DATA=${DATA:-../shared/data}
case "$TASK" in
  movies-*) WHERE=(--data "$DATA" --features "${TASK#movies-}") ;;
  ml100k-u[1-5]) WHERE=(--data "$DATA/ml-100k" --fold "${TASK#ml100k-u}") ;;
  *) echo "unknown task '$TASK' (movies-GROUP or ml100k-uK)" >&2; exit 2 ;;
esac
TAG="${METHODS//,/+}-s$SEEDS"
RUN="runs/reproduction/$PRESET/$TASK/$TAG"
KEEP="bench/reproduction/$PRESET/$TASK/$TAG"
mkdir -p "$(dirname "$RUN")"
# One run.sh per run directory: the lock is taken before the log is opened, so a second start cannot truncate the
# log of a run that is going on (compare's own lock would refuse it, but only after the shell had emptied the log).
exec 9>"$RUN.lock"
flock -n 9 || { echo "run.sh: $RUN is being run by another run.sh (lock $RUN.lock); not starting" >&2; exit 1; }
if [[ -f "$RUN/run.json" ]]; then
  GO=(--resume "$RUN")   # continues a killed run where its checkpoints stopped; the log is appended to
else
  GO=("${WHERE[@]}" --preset "$PRESET" --methods "$METHODS" --seeds "$SEEDS" --backend cpu --threads 1
      --sparse-threshold 0 --out "$RUN")
fi
java --add-modules jdk.incubator.vector -jar "${JAR:-recsys/target/winnow.jar}" compare "${GO[@]}" >> "$RUN.log" 2>&1
mkdir -p "$KEEP"
cp "$RUN"/{run.json,results.json,results.csv,curves.csv} "$KEEP"/
echo "kept $KEEP"
