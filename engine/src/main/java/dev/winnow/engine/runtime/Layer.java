package dev.winnow.engine.runtime;

/**
 * One Linear layer, y = W x + b, followed by its activation. W is out x in, held dense (row-major) or as CSR with float
 * values (fp16 and int8 are decoded once at load: MLP layers are small next to the embeddings, and their inner loops
 * are the hot ones).
 *
 * <p>One order for every path, so that a single prediction, a batch, and a top-K scan give the same bits for the same
 * pair: output o starts at b[o] and takes one fused multiply-add per stored weight in column order (the top-K scan
 * splits that chain at the user/item boundary and carries it through {@code partial}), then the activation.
 */
final class Layer {
    final int in;
    final int out;
    final int activation;
    final float activationParam;
    private final float[] bias;
    /** ReLU is applied inside the block kernels' stores instead of in a separate pass. */
    private final boolean fusedRelu;
    private final float[] dense;
    /**
     * A dense W transposed (in x out) for the batch-1 forward, which then runs one axpy per input: the same chain per
     * output, vectorised across outputs (a fixed-order dot product per output made a dense prediction ~1.5x slower).
     * Null for CSR and for layers of fewer than {@link #AXPY_MIN_OUT} outputs (the output layer), whose few chains
     * run as scalar loops.
     */
    private final float[] denseT;
    static final int AXPY_MIN_OUT = 8;
    private final int[] rowStart;
    private final int[] col;
    private final float[] val;
    /** CSR: the first entry of each row whose column is >= split (for the user/item split of layer 0). */
    private int[] splitAt;
    private int split;

    Layer(StoredTensor w, float[] bias, int activation, float activationParam) {
        this.in = w.cols;
        this.out = w.rows;
        this.bias = bias;
        this.activation = activation;
        this.activationParam = activationParam;
        this.fusedRelu = activation == WnwFormat.ACT_RELU;
        if (w.dense()) {
            this.dense = w.denseValues();
            this.denseT = out < AXPY_MIN_OUT ? null : transpose(dense, out, in);
            this.rowStart = null;
            this.col = null;
            this.val = null;
        } else {
            this.dense = null;
            this.denseT = null;
            this.rowStart = w.rowStart;
            this.col = new int[w.nnz];
            this.val = new float[w.nnz];
            for (int r = 0; r < out; r++) {
                for (int k = rowStart[r]; k < rowStart[r + 1]; k++) {
                    col[k] = w.column(k);
                    val[k] = w.value(r, k);
                }
            }
        }
    }

    /** Prepares {@link #forwardSplit}: inputs [0, split) are the user half, [split, in) the item half. */
    void splitInputs(int split) {
        this.split = split;
        if (dense == null) {
            splitAt = new int[out];
            for (int r = 0; r < out; r++) {
                int k = rowStart[r];
                while (k < rowStart[r + 1] && col[k] < split) {
                    k++;
                }
                splitAt[r] = k;
            }
        }
    }

    /** y[o] = act(b[o] + W[o,:] . x) for one input vector. */
    void forwardOne(float[] x, float[] y, Kernels kern) {
        if (denseT != null) {
            System.arraycopy(bias, 0, y, 0, out);
            for (int c = 0; c < in; c++) {
                kern.axpy(x[c], denseT, c * out, y, 0, out);
            }
        } else if (dense != null) {
            for (int o = 0; o < out; o++) {
                float s = bias[o];
                for (int c = 0, w = o * in; c < in; c++) {
                    s = Math.fma(x[c], dense[w + c], s);
                }
                y[o] = s;
            }
        } else {
            for (int o = 0; o < out; o++) {
                float s = bias[o];
                for (int k = rowStart[o], end = rowStart[o + 1]; k < end; k++) {
                    s = Math.fma(x[col[k]], val[k], s);
                }
                y[o] = s;
            }
        }
        activate(y, out);
    }

    /**
     * Feature-major block: x holds in rows of {@code lanes} floats (input c of example b at c * lanes + b), y receives
     * out rows the same way; the first n lanes are computed, one output row at a time with its sums in registers.
     */
    void forwardBlock(float[] x, float[] y, int lanes, int n, Kernels kern) {
        for (int o = 0; o < out; o++) {
            if (dense != null) {
                kern.denseRowBlock(dense, o * in, 0, in, 0, x, lanes, bias[o], y, o * lanes, n, fusedRelu);
            } else {
                kern.csrRowBlock(val, col, rowStart[o], rowStart[o + 1], 0, x, lanes, bias[o], y, o * lanes, n,
                        fusedRelu);
            }
        }
        if (!fusedRelu) {
            activate(y, out * lanes);
        }
    }

    /** The user half of layer 0 for one user: partial[o] = b[o] + W[o, 0:split) . u, the first part of o's chain. */
    void userPart(float[] u, float[] partial) {
        for (int o = 0; o < out; o++) {
            float s = bias[o];
            if (dense != null) {
                for (int c = 0; c < split; c++) {
                    s = Math.fma(u[c], dense[o * in + c], s);
                }
            } else {
                for (int k = rowStart[o]; k < splitAt[o]; k++) {
                    s = Math.fma(u[col[k]], val[k], s);
                }
            }
            partial[o] = s;
        }
    }

    /** Layer 0 over a block of items: x holds the item halves (in - split rows of lanes), partial the user half. */
    void forwardSplit(float[] partial, float[] x, float[] y, int lanes, int n, Kernels kern) {
        for (int o = 0; o < out; o++) {
            if (dense != null) {
                kern.denseRowBlock(dense, o * in, split, in, split, x, lanes, partial[o], y, o * lanes, n,
                        fusedRelu);
            } else {
                kern.csrRowBlock(val, col, splitAt[o], rowStart[o + 1], split, x, lanes, partial[o], y, o * lanes, n,
                        fusedRelu);
            }
        }
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

    private static float[] transpose(float[] w, int rows, int cols) {
        float[] t = new float[w.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = w[r * cols + c];
            }
        }
        return t;
    }

    long nonzeros() {
        if (dense == null) {
            return val.length;
        }
        long n = 0;
        for (float w : dense) {
            if (w != 0f) {
                n++;
            }
        }
        return n;
    }

    long heapBytes() {
        long b = 4L * bias.length;
        if (dense != null) {
            return b + 4L * dense.length + (denseT == null ? 0 : 4L * denseT.length);
        }
        return b + 4L * (rowStart.length + col.length + val.length) + (splitAt == null ? 0 : 4L * splitAt.length);
    }
}
