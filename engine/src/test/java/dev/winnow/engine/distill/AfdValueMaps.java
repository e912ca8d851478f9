package dev.winnow.engine.distill;

/**
 * The official AFD value-map path for spatial feature maps (spec §1.3 steps 6-8), in plain double arithmetic: channel
 * mean of squares, adaptive average pooling to the teacher's resolution, per-sample L2 normalisation with the 1e-12
 * clamp on the norm, the position-averaged squared distance, the attention softmax and the loss reduction. It is the
 * reference the spec's numeric checks and the distiller's tests are written against, so it lives with the tests: the
 * MLP distiller never needs it (MLP vectors are 1x1 maps, the degenerate case), and a 1-D CNN student that did would
 * move it back into the engine with its first caller.
 */
public final class AfdValueMaps {
    private static final double NORM_EPS = 1e-12;

    private AfdValueMaps() {
    }

    /** mean over channels of x^2 for one sample's map stored [C x H x W] row-major: an H x W map. */
    public static double[] channelMeanOfSquares(float[] map, int channels, int height, int width) {
        int hw = height * width;
        if (map.length != channels * hw) {
            throw new IllegalArgumentException("a " + channels + "x" + height + "x" + width + " map needs "
                    + channels * hw + " values, got " + map.length);
        }
        double[] out = new double[hw];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < hw; i++) {
                double v = map[c * hw + i];
                out[i] += v * v;
            }
        }
        for (int i = 0; i < hw; i++) {
            out[i] /= channels;
        }
        return out;
    }

    /**
     * PyTorch's adaptive_avg_pool2d: output cell i on an axis n_in -> n_out averages inputs floor(i n_in / n_out)
     * up to ceil((i+1) n_in / n_out) exclusive (block mean when shrinking, copy when enlarging, identity when equal).
     */
    public static double[] adaptiveAvgPool2d(double[] in, int hIn, int wIn, int hOut, int wOut) {
        if (in.length != hIn * wIn) {
            throw new IllegalArgumentException("a " + hIn + "x" + wIn + " map needs " + hIn * wIn + " values, got "
                    + in.length);
        }
        double[] out = new double[hOut * wOut];
        for (int i = 0; i < hOut; i++) {
            int r0 = Math.floorDiv(i * hIn, hOut);
            int r1 = -Math.floorDiv(-(i + 1) * hIn, hOut);
            for (int j = 0; j < wOut; j++) {
                int c0 = Math.floorDiv(j * wIn, wOut);
                int c1 = -Math.floorDiv(-(j + 1) * wIn, wOut);
                double s = 0;
                for (int r = r0; r < r1; r++) {
                    for (int c = c0; c < c1; c++) {
                        s += in[r * wIn + c];
                    }
                }
                out[i * wOut + j] = s / ((r1 - r0) * (c1 - c0));
            }
        }
        return out;
    }

    /** v / max(||v||_2, 1e-12). */
    public static double[] l2Normalize(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        double norm = Math.max(Math.sqrt(s), NORM_EPS);
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / norm;
        }
        return out;
    }

    /** The value map of one sample's [C x H x W] feature map at the resolution hOut x wOut. */
    public static double[] valueMap(float[] map, int channels, int height, int width, int hOut, int wOut) {
        return l2Normalize(adaptiveAvgPool2d(channelMeanOfSquares(map, channels, height, width), height, width,
                hOut, wOut));
    }

    /** D = (1/(H W)) sum_j (v_s[j] - v_t[j])^2. */
    public static double distance(double[] vs, double[] vt) {
        if (vs.length != vt.length) {
            throw new IllegalArgumentException("value maps differ in size: " + vs.length + " vs " + vt.length);
        }
        double s = 0;
        for (int i = 0; i < vs.length; i++) {
            double e = vs[i] - vt[i];
            s += e * e;
        }
        return s / vs.length;
    }

    /** softmax(logits / sqrt(d)) over one (b, t) row of raw logits (positional term already added). */
    public static double[] attention(double[] rawLogits, int qkDim) {
        double scale = 1.0 / Math.sqrt(qkDim);
        double max = Double.NEGATIVE_INFINITY;
        for (double e : rawLogits) {
            max = Math.max(max, e * scale);
        }
        double[] a = new double[rawLogits.length];
        double z = 0;
        for (int i = 0; i < a.length; i++) {
            a[i] = Math.exp(rawLogits[i] * scale - max);
            z += a[i];
        }
        for (int i = 0; i < a.length; i++) {
            a[i] /= z;
        }
        return a;
    }

    /** L = sum_t (1/B) sum_b sum_s alpha[b][t][s] D[b][t][s]. */
    public static double loss(double[][][] alpha, double[][][] distance) {
        int batch = alpha.length;
        double l = 0;
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < alpha[b].length; t++) {
                for (int s = 0; s < alpha[b][t].length; s++) {
                    l += alpha[b][t][s] * distance[b][t][s];
                }
            }
        }
        return l / batch;
    }
}
