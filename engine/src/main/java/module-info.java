/**
 * The Winnow engine: tensors with autograd, layers, losses, optimisers, pruning, distillation, model files, the edge
 * runtime, and the backend SPI with its CPU implementation.
 *
 * <p>Exported: the API packages. Not exported: {@code backend.host} (the optimiser arithmetic the backends share).
 * The CPU kernels ({@code SparseKernels}, {@code Parallel}, the GEMMs, the storages) are package-private inside
 * {@code backend.cpu}, whose one public class is {@code CpuBackend}. On the class path (how the CLI's shaded jar and
 * the benchmarks run) a module descriptor hides nothing; on the module path these are the only packages a user sees.
 *
 * <p>The edge runtime ({@code dev.winnow.engine.runtime}) needs java.base alone and ships as its own jar without this
 * descriptor; the Vector API is optional ({@code requires static}): without {@code --add-modules
 * jdk.incubator.vector} the CPU backend runs its plain-Java kernels.
 */
module dev.winnow.engine {
    requires java.logging;
    requires static jdk.incubator.vector;
    // EJML's jars carry no module name: these are the names Java derives from their file names
    requires ejml.core;
    requires ejml.fdense;

    exports dev.winnow.engine.backend;
    exports dev.winnow.engine.backend.cpu;
    exports dev.winnow.engine.distill;
    exports dev.winnow.engine.io;
    exports dev.winnow.engine.loss;
    exports dev.winnow.engine.nn;
    exports dev.winnow.engine.optim;
    exports dev.winnow.engine.prune;
    exports dev.winnow.engine.runtime;
    exports dev.winnow.engine.sparse;
    exports dev.winnow.engine.tensor;
}
