package dev.winnow.engine.runtime;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.io.StorageChoice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs in {@code verify} against the packaged runtime jar: loaded by a class loader that holds only that jar (parent:
 * the platform loader, so neither the engine, EJML nor anything else on the test class path is visible), it must load
 * a model and predict exactly what the runtime on the test class path predicts.
 */
class RuntimeJarIT {

    @Test
    void runtimeJarAloneLoadsAModelAndPredicts(@TempDir Path dir) throws Exception {
        Path jar = Path.of(System.getProperty("winnow.runtime.jar"));
        assertTrue(Files.isRegularFile(jar), "runtime jar missing: " + jar);
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (JarEntry e : java.util.Collections.list(jf.entries())) {
                assertTrue(e.getName().startsWith("META-INF/") || e.getName().startsWith("dev/winnow/engine/runtime/")
                        || e.isDirectory(), "runtime jar holds " + e.getName());
            }
        }
        byte[] model;
        try (Backend backend = new CpuBackend(1)) {
            model = ModelFiles.small(backend, StorageChoice.CSR_FP16, 5);
        }
        Path file = dir.resolve("m.wnw");
        Files.write(file, model);
        float expected = RecommenderModel.load(file).predict(3, 4);

        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> cls = loader.loadClass("dev.winnow.engine.runtime.RecommenderModel");
            assertSame(loader, cls.getClassLoader());
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass("dev.winnow.engine.tensor.Tensor"));
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass("org.ejml.data.FMatrixRMaj"));
            Object m = cls.getMethod("load", Path.class).invoke(null, file);
            float got = (float) cls.getMethod("predict", int.class, int.class).invoke(m, 3, 4);
            assertEquals(expected, got, 1e-6);
            String kernels = (String) cls.getMethod("kernels").invoke(m);
            boolean vectorModule = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
            assertEquals(vectorModule, kernels.startsWith("vector"), kernels);
            int[] top = (int[]) cls.getMethod("topK", int.class, int.class, int[].class).invoke(m, 3, 4, null);
            assertEquals(4, top.length);
            // a damaged file is refused with the jar's own ModelFormatException
            Files.write(file, java.util.Arrays.copyOf(model, model.length - 1));
            Throwable t = assertThrows(java.lang.reflect.InvocationTargetException.class,
                    () -> cls.getMethod("load", Path.class).invoke(null, file)).getCause();
            assertEquals("dev.winnow.engine.runtime.ModelFormatException", t.getClass().getName());
            assertSame(loader, t.getClass().getClassLoader());
            assertFalse(vectorModule && !kernels.startsWith("vector"));
        }
    }
}
