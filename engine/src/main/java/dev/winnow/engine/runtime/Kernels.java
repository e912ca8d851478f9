package dev.winnow.engine.runtime;

/**
 * The two inner loops of the runtime. {@link #detect()} returns the Vector API version only when the incubator module
 * is in the boot layer, and loads that class by name so that a JVM without the module never links it.
 */
interface Kernels {

    /** y[yOff + i] += alpha * x[xOff + i] for i < n. */
    void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * One output row over a feature-major block: y[yOff + b] = init + sum_{k in [from, to)} val[k] *
     * x[(col[k] - shift) * lanes + b] for b < n, then max(y, 0) as the engine's ReLU (x > 0 ? x : 0) when
     * {@code relu}. The accumulators stay in registers across the whole row.
     */
    void csrRowBlock(float[] val, int[] col, int from, int to, int shift, float[] x, int lanes, float init,
                     float[] y, int yOff, int n, boolean relu);

    /** The same for a dense row: y[yOff + b] = init + sum_{c in [from, to)} w[wOff + c] * x[(c - shift) * lanes + b]. */
    void denseRowBlock(float[] w, int wOff, int from, int to, int shift, float[] x, int lanes, float init,
                       float[] y, int yOff, int n, boolean relu);

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
