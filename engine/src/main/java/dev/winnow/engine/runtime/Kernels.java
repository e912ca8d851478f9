package dev.winnow.engine.runtime;

/**
 * The two inner loops of the runtime, over a layer's weights in one {@link Layer.Form} (CSR rows, or 16x1 blocks). The
 * default methods are the plain loops, and the reference for the order: output o = (group g, row r in the group) starts
 * at its init value and takes one fused multiply-add x * w per entry k of its group, in k (column) order.
 * {@link #detect()} returns the Vector API version only when the incubator module is in the boot layer, and loads that
 * class by name so that a JVM without the module never links it.
 */
interface Kernels {

    /**
     * One input vector: y[o] = init[o] + sum_{k in [f.lo[g], hi[g])} x[f.col[k]] * f.val[k * group + r] for o < rows.
     * A block version may compute the padding rows of the last group too (y and init hold whole groups).
     */
    default void one(Layer.Form f, int rows, int[] hi, float[] x, float[] init, float[] y) {
        int group = f.group;
        for (int g = 0, o = 0; o < rows; g++, o += group) {
            if (group == 1) {
                // a CSR row: its chain in a register
                float s = init[o];
                for (int k = f.lo[g]; k < hi[g]; k++) {
                    s = Math.fma(x[f.col[k]], f.val[k], s);
                }
                y[o] = s;
                continue;
            }
            // a block's rows four at a time, their independent chains in registers (init and y hold whole blocks)
            for (int q = o; q < rows && q < o + group; q += 4) {
                float s0 = init[q];
                float s1 = init[q + 1];
                float s2 = init[q + 2];
                float s3 = init[q + 3];
                for (int k = f.lo[g]; k < hi[g]; k++) {
                    float xc = x[f.col[k]];
                    int w = k * group + q - o;
                    s0 = Math.fma(xc, f.val[w], s0);
                    s1 = Math.fma(xc, f.val[w + 1], s1);
                    s2 = Math.fma(xc, f.val[w + 2], s2);
                    s3 = Math.fma(xc, f.val[w + 3], s3);
                }
                y[q] = s0;
                y[q + 1] = s1;
                y[q + 2] = s2;
                y[q + 3] = s3;
            }
        }
    }

    /**
     * A feature-major block: x holds input c of example b at (c - shift) * lanes + b; for o < rows and b < n,
     * y[o * lanes + b] = init[o] + sum_{k in [lo[g], f.hi[g])} x[(f.col[k] - shift) * lanes + b] * f.val[k * group + r],
     * then max(y, 0) as the engine's ReLU (x > 0 ? x : 0) when {@code relu}. {@code lanes} is a multiple of 32; lanes
     * from n up to the next multiple of 32 and the padding rows of the last group may be written too.
     */
    default void many(Layer.Form f, int rows, int[] lo, int shift, float[] x, int lanes, int n, float[] init, float[] y,
                      boolean relu) {
        int group = f.group;
        for (int o = 0; o < rows; o++) {
            int g = o / group;
            int yo = o * lanes;
            java.util.Arrays.fill(y, yo, yo + n, init[o]);
            for (int k = lo[g]; k < f.hi[g]; k++) {
                float w = f.val[k * group + o - g * group];
                int xo = (f.col[k] - shift) * lanes;
                for (int b = 0; b < n; b++) {
                    y[yo + b] = Math.fma(x[xo + b], w, y[yo + b]);
                }
            }
            for (int b = yo; relu && b < yo + n; b++) {
                y[b] = y[b] > 0f ? y[b] : 0f;
            }
        }
    }

    String name();

    static Kernels detect() {
        if (!Boolean.getBoolean("winnow.runtime.scalar") && vectorModulePresent()) {
            try {
                return (Kernels) Class.forName("dev.winnow.engine.runtime.VectorKernels")
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return ScalarKernels.INSTANCE;
            }
        }
        return ScalarKernels.INSTANCE;
    }

    /** A plain loop over the boot layer: ModuleLayer.findModule goes through streams and lambdas (slow to link cold). */
    private static boolean vectorModulePresent() {
        for (Module m : ModuleLayer.boot().modules()) {
            if ("jdk.incubator.vector".equals(m.getName())) {
                return true;
            }
        }
        return false;
    }
}
