package dev.winnow.engine.runtime;

/**
 * One Linear layer, y = W x + b, followed by its activation. W is out x in; it is held in the layout that does the
 * least work for this layer's own pattern, chosen at load apart for one input vector and for a feature-major block of
 * {@link RecommenderModel#LANES} (see {@link #Layer}). Every layout is a {@link Form}: CSR rows, or 16x1 blocks
 * (16 outputs fed by one input) with a block kept when any of its weights is stored ("block"), or all of them
 * ("dense").
 * fp16 and int8 weights are decoded once at load: MLP layers are small next to the embeddings, and their inner loops
 * are the hot ones.
 *
 * <p>One order for every path and layout, so that a single prediction, a batch, and a top-K scan give the same bits
 * for the same pair: output o starts at b[o] and takes one fused multiply-add per weight of its row in the layout, in
 * column order (the top-K scan splits that chain at the user/item boundary and carries it through {@code partial}),
 * then the activation. The layouts differ only in which zero weights they hold: an fma with a zero weight leaves a
 * finite sum as it was, except that a sum of exactly zero may change sign (-0 + 0 = +0), and an infinite input times
 * zero is NaN; so the bits agree across layouts for every pair whose sums are never exactly zero and whose inputs are
 * finite, and a ReLU layer's outputs agree whenever its inputs are finite.
 */
final class Layer {
    /** Rows in a block, and the multiple every scratch buffer and bias is padded to. */
    static final int BLOCK = 16;
    /** A dense or block layout is built only when its weights fit in this many floats or in twice the stored ones. */
    static final long EXPAND_LIMIT = 1 << 20;
    /**
     * The choice by work, from per-layer timings on this project's VM (AVX2; bench/results/runtime-block-2026-12-07):
     * one vector runs 16 rows of a block in about the time CSR runs one weight (CSR's chains are serial per row), so
     * blocks win there unless they hold about one weight each (the output layer); on a block of inputs a CSR weight
     * costs about 2.5 block weights (CSR loads x once per weight and row, the block kernel once per four rows), so CSR
     * wins there when kept blocks are less than 40% full (unstructured pruning).
     */
    static final double ONE_FILL = 1.25;
    static final double CSR_WEIGHT_COST = 2.5;

    final int in;
    final int out;
    final int activation;
    final float activationParam;
    /** Padded to whole blocks. */
    private final float[] bias;
    /** ReLU is applied inside the block kernels' stores instead of in a separate pass. */
    private final boolean fusedRelu;
    /** The layout of {@link #forwardOne} and that of the block paths ({@link #forwardBlock}, top-K). */
    private final Form one;
    private final Form many;
    private int split;

    /**
     * A layer's weights in one layout: entries k in [lo[g], hi[g]) of group g (a row for CSR, 16 rows for blocks) with
     * column col[k] and the group's weights in that column at val[k * group ...].
     */
    static final class Form {
        final String name;
        final int group;
        final int[] lo;
        final int[] hi;
        final int[] col;
        final float[] val;
        /** The first entry of each group whose column is >= split (for the user/item split of layer 0). */
        int[] splitAt;

        Form(String name, int group, int[] lo, int[] hi, int[] col, float[] val) {
            this.name = name;
            this.group = group;
            this.lo = lo;
            this.hi = hi;
            this.col = col;
            this.val = val;
        }

        /** CSR from row starts (out + 1 of them), columns ascending within a row. */
        static Form csr(int[] rowStart, int[] col, float[] val) {
            int out = rowStart.length - 1;
            return new Form("csr", 1, java.util.Arrays.copyOf(rowStart, out),
                    java.util.Arrays.copyOfRange(rowStart, 1, out + 1), col, val);
        }
    }

    /**
     * Holds W as "block" (or "dense" when no block is empty) for one input vector, and for a block of inputs unless
     * CSR does less work there; CSR alone when the blocks would not fit in {@link #EXPAND_LIMIT} floats or hold less
     * than {@link #ONE_FILL} weights each. Without the Vector API ({@code vector} false) a block's 16 rows cost 16
     * scalar FMAs, so one vector takes the blocks' rule for a block of inputs. {@code layout} ("dense", "csr",
     * "block", or "stored": dense when {@code storedDense}, else csr) forces one layout on both paths, within the same
     * limit.
     */
    Layer(int in, Form csr, float[] bias, int activation, float activationParam, boolean storedDense, String layout,
          boolean vector) {
        this.in = in;
        this.out = bias.length;
        this.bias = java.util.Arrays.copyOf(bias, padded(out));
        this.activation = activation;
        this.activationParam = activationParam;
        this.fusedRelu = activation == WnwFormat.ACT_RELU;
        long limit = Math.max(EXPAND_LIMIT, 2L * csr.val.length);
        String want = layout == null || !layout.equals("stored") ? layout : storedDense ? "dense" : "csr";
        Form block = "csr".equals(want) ? null : blocks(csr, "dense".equals(want), limit);
        int nnz = csr.val.length;
        boolean full = block != null && (want != null || CSR_WEIGHT_COST * nnz >= BLOCK * block.col.length);
        boolean filled = block != null && (want != null || nnz >= ONE_FILL * block.col.length);
        one = (vector ? filled : full) ? block : csr;
        many = full ? block : csr;
    }

    /** -Dwinnow.layout: null (chosen by work), or a layout every layer takes; anything else is refused in one line. */
    static String forcedLayout() {
        String v = System.getProperty("winnow.layout");
        if (v != null && !(v.equals("dense") || v.equals("csr") || v.equals("block") || v.equals("stored"))) {
            throw new IllegalArgumentException("-Dwinnow.layout=" + v
                    + " is not a layout: dense, csr, block or stored");
        }
        return v;
    }

    static int padded(int n) {
        return (n + BLOCK - 1) & -BLOCK;
    }

    /**
     * The 16x1 blocks of W: those holding a stored weight (zeros fill the rest of a block and the last group's padding
     * rows), or with {@code all} every block; null when their weights would exceed {@code limit} floats.
     */
    private Form blocks(Form csr, boolean all, long limit) {
        int groups = padded(out) / BLOCK;
        int[] mark = new int[in];
        long kept = all ? (long) groups * in : 0;
        for (int pass = 0; pass < 2; pass++) {
            int[] lo = new int[groups];
            int[] hi = new int[groups];
            int[] col = pass == 0 ? null : new int[(int) kept];
            float[] val = pass == 0 ? null : new float[(int) kept * BLOCK];
            int k = 0;
            for (int g = 0; g < groups; g++) {
                int last = Math.min(out, (g + 1) * BLOCK);
                // a column is in group g when it holds a weight of one of the group's rows: marked g + 1
                for (int r = g * BLOCK; r < last; r++) {
                    for (int e = csr.lo[r]; e < csr.hi[r]; e++) {
                        if (pass == 0 && !all && mark[csr.col[e]] != g + 1) {
                            kept++;
                        }
                        mark[csr.col[e]] = g + 1;
                    }
                }
                if (pass == 0) {
                    continue;
                }
                lo[g] = k;
                for (int c = 0; c < in; c++) {
                    if (all || mark[c] == g + 1) {
                        col[k++] = c;
                    }
                }
                hi[g] = k;
                for (int r = g * BLOCK; r < last; r++) {
                    // both lists ascend: walk the group's columns alongside the row's entries
                    for (int e = csr.lo[r], j = lo[g]; e < csr.hi[r]; e++) {
                        while (col[j] != csr.col[e]) {
                            j++;
                        }
                        val[j * BLOCK + r - g * BLOCK] = csr.val[e];
                    }
                }
            }
            if (pass == 0 && kept * BLOCK > limit) {
                return null;
            }
            if (pass == 1) {
                return new Form(kept == (long) groups * in ? "dense" : "block", BLOCK, lo, hi, col, val);
            }
        }
        return null;
    }

    /** Prepares {@link #forwardSplit}: inputs [0, split) are the user half, [split, in) the item half. */
    void splitInputs(int split) {
        this.split = split;
        Form f = many;
        f.splitAt = new int[f.lo.length];
        for (int g = 0; g < f.lo.length; g++) {
            int k = f.lo[g];
            while (k < f.hi[g] && f.col[k] < split) {
                k++;
            }
            f.splitAt[g] = k;
        }
    }

    /** y[o] = act(b[o] + W[o,:] . x) for one input vector (y holds whole blocks). */
    void forwardOne(float[] x, float[] y, Kernels kern) {
        kern.one(one, out, one.hi, x, bias, y);
        activate(y, out);
    }

    /**
     * Feature-major block: x holds in rows of {@code lanes} floats (input c of example b at c * lanes + b), y receives
     * out rows (and the padding rows of the last block) the same way; the first n lanes are computed.
     */
    void forwardBlock(float[] x, float[] y, int lanes, int n, Kernels kern) {
        kern.many(many, out, many.lo, 0, x, lanes, n, bias, y, fusedRelu);
        if (!fusedRelu) {
            activate(y, out * lanes);
        }
    }

    /** The user half of layer 0 for one user: partial[o] = b[o] + W[o, 0:split) . u, the first part of o's chain. */
    void userPart(float[] u, float[] partial, Kernels kern) {
        kern.one(many, out, many.splitAt, u, bias, partial);
    }

    /** Layer 0 over a block of items: x holds the item halves (in - split rows of lanes), partial the user half. */
    void forwardSplit(float[] partial, float[] x, float[] y, int lanes, int n, Kernels kern) {
        kern.many(many, out, many.splitAt, split, x, lanes, n, partial, y, fusedRelu);
        if (!fusedRelu) {
            activate(y, out * lanes);
        }
    }

    private void activate(float[] y, int n) {
        switch (activation) {
            case WnwFormat.ACT_NONE:
                return;
            case WnwFormat.ACT_RELU:
                for (int i = 0; i < n; i++) {
                    y[i] = y[i] > 0f ? y[i] : 0f;
                }
                return;
            case WnwFormat.ACT_LEAKY_RELU:
                for (int i = 0; i < n; i++) {
                    y[i] = y[i] > 0f ? y[i] : activationParam * y[i];
                }
                return;
            case WnwFormat.ACT_SIGMOID:
                for (int i = 0; i < n; i++) {
                    y[i] = (float) (1.0 / (1.0 + Math.exp(-y[i])));
                }
                return;
            default:
                for (int i = 0; i < n; i++) {
                    y[i] = (float) Math.tanh(y[i]);
                }
        }
    }

    /** "block" when both paths use one layout, else "block/csr" (one vector / block). */
    String layout() {
        return one == many ? one.name : one.name + "/" + many.name;
    }

    /** The layouts of all layers, "dense, block, csr", for a model's description. */
    static String layouts(Layer[] layers) {
        StringBuilder b = new StringBuilder();
        for (Layer l : layers) {
            b.append(b.length() == 0 ? "" : ", ").append(l.layout());
        }
        return b.toString();
    }

    /** Per-thread scratch width for a model whose input is {@code width} wide: every layer's output, whole blocks. */
    static int scratchWidth(int width, Layer[] layers) {
        for (Layer l : layers) {
            width = Math.max(width, l.out);
        }
        return padded(width);
    }

    long heapBytes() {
        long b = 4L * bias.length + bytes(one);
        return one == many ? b : b + bytes(many);
    }

    private static long bytes(Form f) {
        return 4L * (f.lo.length + f.hi.length + f.col.length + f.val.length)
                + (f.splitAt == null ? 0 : 4L * f.splitAt.length);
    }
}
