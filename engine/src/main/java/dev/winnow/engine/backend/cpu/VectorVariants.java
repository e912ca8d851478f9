package dev.winnow.engine.backend.cpu;

import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Picks a kernel family's implementation: its nested {@code Vectorized} class (Vector API) when asked for and
 * {@code jdk.incubator.vector} is present, else the plain-Java one. The vector class is loaded by name, so a JVM
 * without the module never links it.
 */
final class VectorVariants {
    private static final Logger LOG = Logger.getLogger(VectorVariants.class.getName());

    private VectorVariants() {
    }

    static <T> T choose(Class<T> family, boolean vectorized, Supplier<? extends T> plain) {
        if (!vectorized || !CpuBackend.GemmChoice.vectorModulePresent()) {
            return plain.get();
        }
        try {
            return family.cast(Class.forName(family.getName() + "$Vectorized").getDeclaredConstructor().newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
            LOG.warning("cannot load the vectorised " + family.getSimpleName() + ", using plain Java: " + e);
            return plain.get();
        }
    }
}
