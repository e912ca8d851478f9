package dev.winnow.engine.runtime;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The runtime's layers in every layout (dense, csr, block) on random weights of awkward shapes, pruned in whole 16x1
 * blocks, weight by weight, or not at all, through every path (one vector; batches of 1, 7 and 64 + 3 rows; the top-K
 * split), each output checked against a plain fused multiply-add chain over the stored weights in column order. A
 * SHA-256 of every output bit lets the vector-width test (dev.winnow.engine.backend.cpu.VectorWidthTest) compare JVMs
 * forced to 128, 256 and 512 bits and the plain-Java kernels; {@link #mismatches} says what differs from the chain.
 */
public final class RuntimeKernelProbe {
    static final int[] OUTS = {1, 15, 16, 17, 40, 130};
    static final int[] INS = {1, 3, 33};
    static final String[] PATTERNS = {"dense", "block", "unstructured"};
    static final String[] LAYOUTS = {"dense", "csr", "block"};
    static final int[] ACTIVATIONS = {WnwFormat.ACT_NONE, WnwFormat.ACT_RELU, WnwFormat.ACT_LEAKY_RELU};
    static final int[] BATCHES = {1, 7, RecommenderModel.LANES + 3};

    private RuntimeKernelProbe() {
    }

    /** The kernels {@link Kernels#detect()} picks in this JVM (the Vector API ones when the module is present). */
    public static String detected() {
        return digest(Kernels.detect());
    }

    public static String scalar() {
        return digest(ScalarKernels.INSTANCE);
    }

    public static String detectedName() {
        return Kernels.detect().name();
    }

    /** Prints this JVM's kernels and how many outputs differ from the reference chain (0), with the first few. */
    public static void main(String[] args) {
        List<String> bad = mismatches(Kernels.detect());
        System.out.println(detectedName() + " " + bad.size() + " " + bad.subList(0, Math.min(5, bad.size())));
    }

    static String digest(Kernels k) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        run(k, (label, want, got) -> {
            ByteBuffer bb = ByteBuffer.allocate(4 * got.length);
            for (float v : got) {
                bb.putInt(Float.floatToRawIntBits(v));
            }
            md.update(bb.array());
        });
        return HexFormat.of().formatHex(md.digest(), 0, 12);
    }

    /** Every output whose bits differ from the reference chain's, as "case path [index]: got vs want". */
    static List<String> mismatches(Kernels k) {
        List<String> bad = new ArrayList<>();
        run(k, (label, want, got) -> {
            for (int i = 0; i < want.length; i++) {
                if (Float.floatToIntBits(want[i]) != Float.floatToIntBits(got[i])) {
                    bad.add(label + " [" + i + "]: " + got[i] + " vs " + want[i]);
                }
            }
        });
        return bad;
    }

    interface Check {
        void outputs(String label, float[] want, float[] got);
    }

    private static void run(Kernels k, Check check) {
        SplittableRandom rng = new SplittableRandom(53);
        int lanes = RecommenderModel.LANES;
        int c = 0;
        for (int out : OUTS) {
            for (int in : INS) {
                for (String pattern : PATTERNS) {
                    int act = ACTIVATIONS[c++ % 3];
                    float[] w = weights(out, in, pattern, rng);
                    float[] bias = randoms(out, rng);
                    float[] one = randoms(in, rng);
                    float[][] rows = new float[BATCHES[2]][];
                    for (int b = 0; b < rows.length; b++) {
                        rows[b] = randoms(in, rng);
                    }
                    int split = in / 2;
                    for (String layout : LAYOUTS) {
                        Layer l = new Layer(in, csr(w, out, in), bias, act, 0.1f, false, layout, true);
                        String label = out + "x" + in + " " + pattern + " as " + layout + " (" + l.layout() + ")";
                        float[] y = new float[Layer.padded(out)];
                        l.forwardOne(one, y, k);
                        check.outputs(label + " one", reference(w, out, in, bias, act, one),
                                java.util.Arrays.copyOf(y, out));
                        for (int n : BATCHES) {
                            for (int from = 0; from < n; from += lanes) {
                                int m = Math.min(lanes, n - from);
                                float[] x = new float[in * lanes];
                                float[] yb = new float[Layer.padded(out) * lanes];
                                for (int b = 0; b < m; b++) {
                                    for (int j = 0; j < in; j++) {
                                        x[j * lanes + b] = rows[from + b][j];
                                    }
                                }
                                l.forwardBlock(x, yb, lanes, m, k);
                                for (int b = 0; b < m; b++) {
                                    float[] want = reference(w, out, in, bias, act, rows[from + b]);
                                    check.outputs(label + " batch " + n + " row " + (from + b), want,
                                            column(yb, out, lanes, b));
                                }
                            }
                        }
                        // top-K: the user half once, then 7 item halves continuing each output's chain
                        l.splitInputs(split);
                        float[] partial = new float[Layer.padded(out)];
                        l.userPart(one, partial, k);
                        float[] x = new float[Math.max(1, in - split) * lanes];
                        float[] yb = new float[Layer.padded(out) * lanes];
                        for (int b = 0; b < 7; b++) {
                            for (int j = split; j < in; j++) {
                                x[(j - split) * lanes + b] = rows[b][j];
                            }
                        }
                        l.forwardSplit(partial, x, yb, lanes, 7, k);
                        for (int b = 0; b < 7; b++) {
                            float[] pair = rows[b].clone();
                            System.arraycopy(one, 0, pair, 0, split);
                            check.outputs(label + " top-K item " + b, reference(w, out, in, bias, act, pair),
                                    column(yb, out, lanes, b));
                        }
                    }
                }
            }
        }
    }

    /** W (out x in) of random weights: all of them, whole 16x1 blocks (with some zeros inside kept ones), or ~30%. */
    static float[] weights(int out, int in, String pattern, SplittableRandom rng) {
        float[] w = randoms(out * in, rng);
        boolean[] blockKept = new boolean[((out + 15) / 16) * in];
        for (int i = 0; i < blockKept.length; i++) {
            blockKept[i] = rng.nextDouble() < 0.3;
        }
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < in; j++) {
                boolean keep = pattern.equals("dense")
                        || (pattern.equals("block") ? blockKept[(o / 16) * in + j] && rng.nextDouble() < 0.8
                        : rng.nextDouble() < 0.3);
                if (!keep) {
                    w[o * in + j] = 0f;
                }
            }
        }
        return w;
    }

    /** The nonzeros of a dense W as CSR. */
    static Layer.Form csr(float[] w, int out, int in) {
        int[] rowStart = new int[out + 1];
        int[] col = new int[w.length];
        float[] val = new float[w.length];
        int n = 0;
        for (int o = 0; o < out; o++) {
            for (int j = 0; j < in; j++) {
                if (w[o * in + j] != 0f) {
                    col[n] = j;
                    val[n++] = w[o * in + j];
                }
            }
            rowStart[o + 1] = n;
        }
        return Layer.Form.csr(rowStart, java.util.Arrays.copyOf(col, n), java.util.Arrays.copyOf(val, n));
    }

    /** act(b[o] + the fma chain over o's nonzero weights in column order), the runtime's contract. */
    static float[] reference(float[] w, int out, int in, float[] bias, int act, float[] x) {
        float[] y = new float[out];
        for (int o = 0; o < out; o++) {
            float s = bias[o];
            for (int j = 0; j < in; j++) {
                if (w[o * in + j] != 0f) {
                    s = Math.fma(x[j], w[o * in + j], s);
                }
            }
            y[o] = act == WnwFormat.ACT_NONE ? s : s > 0f ? s : act == WnwFormat.ACT_RELU ? 0f : 0.1f * s;
        }
        return y;
    }

    private static float[] column(float[] block, int rows, int lanes, int b) {
        float[] c = new float[rows];
        for (int o = 0; o < rows; o++) {
            c[o] = block[o * lanes + b];
        }
        return c;
    }

    private static float[] randoms(int n, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return a;
    }
}
