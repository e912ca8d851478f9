package dev.winnow.engine.runtime;

/**
 * The two inner loops of the runtime. {@link #detect()} returns the Vector API version only when the incubator module
 * is in the boot layer, and loads that class by name so that a JVM without the module never links it.
 */
interface Kernels {

    /** sum_i a[aOff + i] * b[bOff + i] for i < n. */
    float dot(float[] a, int aOff, float[] b, int bOff, int n);

    /** y[yOff + i] += alpha * x[xOff + i] for i < n. */
    void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n);

    String name();

    static Kernels detect() {
        if (!Boolean.getBoolean("winnow.runtime.scalar")
                && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            try {
                return (Kernels) Class.forName("dev.winnow.engine.runtime.VectorKernels")
                        .getDeclaredConstructor().newInstance();
            } catch (ReflectiveOperationException | LinkageError e) {
                return ScalarKernels.INSTANCE;
            }
        }
        return ScalarKernels.INSTANCE;
    }
}
