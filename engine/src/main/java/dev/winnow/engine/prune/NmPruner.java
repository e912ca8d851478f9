package dev.winnow.engine.prune;

import dev.winnow.engine.nn.Parameter;

/**
 * N:M semi-structured sparsity (spec §4.2): in every group of M consecutive weights along the input (reduction)
 * dimension of each output row keep the N largest |w| (apex {@code m4n2_1d} for 2:4). Ties keep the lower index.
 * When the row length is not a multiple of M the last group is padded with zeros for the choice, as apex does, so a
 * short group keeps min(N, its length) real weights. One-shot: the NVIDIA recipe prunes a trained dense model once
 * and retrains with the mask fixed.
 */
public final class NmPruner {
    private final int n;
    private final int m;

    public NmPruner(int n, int m) {
        if (n <= 0 || m <= 0 || n > m) {
            throw new IllegalArgumentException("N:M sparsity needs 0 < N <= M, got " + n + ":" + m);
        }
        this.n = n;
        this.m = m;
    }

    /** The 2:4 pattern of NVIDIA's sparse tensor cores. */
    public static NmPruner twoFour() {
        return new NmPruner(2, 4);
    }

    /**
     * The N:M mask of a row-major [rows x cols] weight, written into {@code mask} (already-masked entries count as
     * magnitude 0 and stay masked if not chosen; chosen entries that were masked stay masked).
     */
    public void mask(float[] w, float[] currentMask, int rows, int cols, float[] mask) {
        mask(w, currentMask, rows, cols, cols, mask);
    }

    /**
     * As {@link #mask(float[], float[], int, int, float[])}, with groups that never cross a boundary of
     * {@code segment} columns: each segment is padded on its own. For a channels-last Conv1d weight [out x
     * kernel*in] (column j*in + c) pass {@code segment = in}, so groups run along input channels within one kernel
     * tap, as apex groups a conv kernel along C.
     */
    public void mask(float[] w, float[] currentMask, int rows, int cols, int segment, float[] mask) {
        if (w.length != rows * cols || mask.length != rows * cols) {
            throw new IllegalArgumentException("N:M mask of a " + rows + "x" + cols + " weight needs " + rows * cols
                    + " entries, got weight " + w.length + " / mask " + mask.length);
        }
        if (segment <= 0 || cols % segment != 0) {
            throw new IllegalArgumentException("segment length " + segment + " must be positive and divide the "
                    + cols + " columns");
        }
        float[] mags = new float[m];
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int seg = 0; seg < cols; seg += segment) {
                int end = seg + segment;
                for (int g = seg; g < end; g += m) {
                    int len = Math.min(m, end - g);
                    for (int k = 0; k < m; k++) {
                        // Padding (k >= len) is zero magnitude at a higher index, so a real weight wins a tie.
                        mags[k] = k < len && (currentMask == null || currentMask[base + g + k] != 0f)
                                ? Math.abs(w[base + g + k]) : 0f;
                    }
                    for (int k = 0; k < len; k++) {
                        // Rank of element k: how many elements beat it (larger magnitude, or equal and lower index).
                        int beaten = 0;
                        for (int o = 0; o < m; o++) {
                            if (mags[o] > mags[k] || (mags[o] == mags[k] && o < k)) {
                                beaten++;
                            }
                        }
                        boolean wasAlive = currentMask == null || currentMask[base + g + k] != 0f;
                        mask[base + g + k] = beaten < n && wasAlive ? 1f : 0f;
                    }
                }
            }
        }
    }

    /** Applies the N:M mask to every tensor of the set (masks only lose entries). */
    public PruneOutcome prune(PrunableSet set) {
        long before = set.alive();
        java.util.Map<String, Long> perTensor = new java.util.LinkedHashMap<>();
        for (Parameter p : set.parameters()) {
            long aliveBefore = p.aliveCount();
            float[] next = new float[p.value().size()];
            mask(p.value().toArray(), p.mask() == null ? null : p.mask().toArray(), p.value().rows(),
                    p.value().cols(), next);
            PruningMask.tighten(p, next);
            perTensor.put(p.name(), aliveBefore - p.aliveCount());
        }
        return new PruneOutcome(before, set.alive(), perTensor);
    }

    /**
     * This pattern as a prune event of {@link IterativePruning} over {@code set}: every event re-imposes N:M on the
     * survivors and reads no rate, so the first event takes the set to density N/M and later ones keep it there (the
     * NVIDIA recipe's one prune, with the dense phase as long as the schedule's first level).
     */
    public Pruner over(PrunableSet set) {
        return new Pruner() {
            @Override
            public PruneOutcome prune(double rate) {
                return NmPruner.this.prune(set);
            }

            @Override
            public double density() {
                return set.density();
            }
        };
    }

    /**
     * Bytes of the compressed N:M storage of a [rows x cols] weight: the N kept float32 values per group plus
     * ceil(log2 M) bits of position metadata each (2 bits for 2:4), groups padded to M.
     */
    public long compressedBytes(int rows, int cols) {
        long groups = (long) rows * ((cols + m - 1) / m);
        int bits = 32 - Integer.numberOfLeadingZeros(m - 1);
        return groups * n * 4L + (groups * n * bits + 7) / 8;
    }

    public int n() {
        return n;
    }

    public int m() {
        return m;
    }
}
