#!/usr/bin/env python3
"""Where a training step's time goes: aggregates JFR execution samples (jdk.ExecutionSample, `settings=profile`,
20 ms... 10 ms sampling) of one recording into the categories of issue 18 by walking each stack from the top until a
frame matches a category (JDK frames such as Arrays.fill count for the Winnow frame that called them). Only samples
whose stack passes through the training step are counted (start-up, JIT and the benchmark loop's own bookkeeping
are not).

usage: jfr_categories.py RECORDING.jfr [STEP_MARKER [FROM_FRAME]]
  STEP_MARKER  a frame every counted sample passes through (default RatingTrainer.step; MethodRun.step for compare)
  FROM_FRAME   count only from the first sample whose stack holds it on (e.g. AttentionDistiller: the SAD run after
               its teacher's training)
"""
import re
import subprocess
import sys
from collections import Counter

# first match wins, checked from the top of the stack down; order matters (a CSR kernel called from the layer's
# backward is "CSR kernels", not "tape")
CATEGORIES = [
    ("embedding gather (forward)", r"gatherRows|Embedding\.forward"),
    ("embedding scatter-add (backward)", r"scatterAddRows"),
    # the stack does not say which parameter an update is for; the embedding tables are 84k of the student's 100k
    # weights and are updated densely every step
    ("optimiser (every parameter, embedding tables included)",
     r"CpuOptimizerSteps|HostUpdates|Adam\.step|Sgd\.step|adamStep|sgdStep"),
    ("CSR kernels (spmm, SDDMM, transposed CSR)", r"SparseKernels|csrLinear|CsrWeight"),
    ("dense / masked GEMM", r"VectorGemm|DenseGemm|EjmlGemm|gemmMasked|\.gemm\("),
    ("transposes and packing", r"transpose|packA|packB"),
    ("element-wise and reductions (relu, bias, loss, sums)", r"ElementwiseKernels|RowSoftmax|\.unary|\.binary|sumRows|sumCols|axpy|Loss\.|\.fill\("),
    ("tape and arena bookkeeping", r"Tensor\.backward|Tensor\.<init>|Arena|BufferPool|IdentityHashMap|ArrayList|Parallel|topological"),
]


def samples(path):
    out = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth", "64", path],
                         capture_output=True, text=True, check=True).stdout
    for block in out.split("jdk.ExecutionSample {")[1:]:
        m = re.search(r"stackTrace = \[(.*?)\n  \]", block, re.S)
        if m:
            yield [l.strip() for l in m.group(1).strip().splitlines() if l.strip() and l.strip() != "..."]


def categorise(stack):
    # the distiller's work (attention maps, projections, pooled batch norm, its loss) is reported apart, split by op
    within = "distiller: " if any(re.search(r"engine\.distill\.", f) for f in stack) else ""
    return within + op(stack)


def op(stack):
    for frame in stack:
        for name, pattern in CATEGORIES:
            if re.search(pattern, frame):
                if name.startswith("CSR kernels"):
                    # which kernel: the SparseKernels method nearest the top (gather, SDDMM, packing, ...)
                    m = re.search(r"SparseKernels(?:\$\w+)?\.(\w+)", frame)
                    return name + (": " + m.group(1) if m else "")
                return name
    return "other (frames outside the categories)"


def main():
    path = sys.argv[1]
    marker = sys.argv[2] if len(sys.argv) > 2 else "RatingTrainer.step"
    start = sys.argv[3] if len(sys.argv) > 3 else None
    counts = Counter()
    total = 0
    for stack in samples(path):
        if start is not None:
            if not any(start in f for f in stack):
                continue
            start = None
        if not any(marker in f for f in stack):
            continue
        total += 1
        counts[categorise(stack)] += 1
    print(f"{path}: {total} samples inside {marker}")
    for name, c in counts.most_common():
        print(f"  {100.0 * c / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
