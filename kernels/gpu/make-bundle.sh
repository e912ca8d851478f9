#!/usr/bin/env bash
# Dev box: builds what a GPU machine without Java needs into the git-ignored .gpu/ folder at the repository root:
#   .gpu/jre   jlink'ed runtime (java.base, java.logging, jdk.unsupported, jdk.incubator.vector; ~34 MiB)
#   .gpu/lib   the module jars and their runtime dependencies (jcuda-natives without the unusable NVRTC/PTX compiler)
#   .gpu/run-gpu.sh
# Then, on the GPU machine: bash .gpu/run-gpu.sh [OUT_DIR]   (see run-gpu.sh). Needs glibc >= 2.34 there.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
nice -n 15 mvn -B -q --no-transfer-progress -o -DskipTests package
rm -rf .gpu/lib .gpu/jre
mkdir -p .gpu/lib
nice -n 15 mvn -B -q --no-transfer-progress -o -pl recsys dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$root/.gpu/lib" -DexcludeArtifactIds=winnow-engine,winnow-kernels
cp engine/target/winnow-engine-*.jar kernels/target/winnow-kernels-*.jar recsys/target/winnow-recsys-*.jar .gpu/lib/
rm -f .gpu/lib/*-sources.jar .gpu/lib/*-tests.jar
# JNvPTXCompiler (24 MB) and JNvrtc need CUDA 12 pieces the GPU box lacks (gpu_notes.md 1 and 3): drop them.
for j in .gpu/lib/jcuda-natives-*.jar; do
  [ -f "$j" ] || continue
  tmp="$(mktemp -d)"; (cd "$tmp" && unzip -q "$root/$j" && find . -name '*NvPTXCompiler*' -delete && find . -name '*JNvrtc*' -delete \
    && rm -f "$root/$j" && zip -q -r "$root/$j" .); rm -rf "$tmp"
done
jlink --add-modules java.base,java.logging,jdk.unsupported,jdk.incubator.vector --strip-debug --no-header-files \
      --no-man-pages --compress=2 --output .gpu/jre
cp kernels/gpu/run-gpu.sh .gpu/run-gpu.sh
du -sh .gpu/jre .gpu/lib .gpu
