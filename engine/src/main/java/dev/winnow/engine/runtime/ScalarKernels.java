package dev.winnow.engine.runtime;

/**
 * Plain loops (the interface's default methods): what the runtime uses when the Vector API module is absent. The same
 * IEEE operations in the same order as {@link VectorKernels} (one fused multiply-add chain per output), so the same
 * bits.
 */
final class ScalarKernels implements Kernels {
    static final ScalarKernels INSTANCE = new ScalarKernels();

    @Override
    public String name() {
        return "scalar";
    }
}
