package dev.winnow.engine;

import dev.winnow.engine.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a user of the engine on the module path sees: the API packages, and the CPU kernels' internals not. */
class ModuleDescriptorTest {

    /** The engine's main classes folder (the tests run on the class path, beside other modules' descriptors). */
    private static Path classes() throws Exception {
        return Path.of(CpuBackend.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static ModuleDescriptor descriptor() throws Exception {
        try (InputStream in = Files.newInputStream(classes().resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void theEngineExportsItsApiPackagesOnly() throws Exception {
        ModuleDescriptor d = descriptor();
        assertEquals("dev.winnow.engine", d.name());
        Set<String> exported = d.exports().stream().map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> expected = new TreeSet<>();
        for (String p : new String[] {"backend", "backend.cpu", "distill", "io", "loss", "nn", "optim", "prune",
            "runtime", "sparse", "tensor"}) {
            expected.add("dev.winnow.engine." + p);
        }
        assertEquals(expected, exported);
        assertTrue(d.exports().stream().noneMatch(ModuleDescriptor.Exports::isQualified), "no qualified exports");
        // every package of the engine is either exported or deliberately internal
        Path root = classes();
        Set<String> internal = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".class") && !f.getParent().equals(root))
                    .forEach(f -> internal.add(root.relativize(f.getParent()).toString().replace('/', '.')));
        }
        internal.removeAll(exported);
        assertEquals(Set.of("dev.winnow.engine.backend.host"), internal);
        ModuleDescriptor.Requires vector = d.requires().stream().filter(r -> r.name().equals("jdk.incubator.vector"))
                .findFirst().orElseThrow();
        assertTrue(vector.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC),
                "the Vector API is optional: the plain-Java kernels run without it");
    }

    @Test
    void theCpuBackendsPackageHasOnePublicClassAndTheKernelsAreNotPublic() throws Exception {
        Path dir = classes().resolve("dev/winnow/engine/backend/cpu");
        Set<String> publicTypes = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String n = f.getFileName().toString();
                if (!n.endsWith(".class") || n.contains("$")) {
                    continue;
                }
                // loaded, not initialised: the Vector API kernels must not need jdk.incubator.vector here
                Class<?> c = Class.forName("dev.winnow.engine.backend.cpu." + n.substring(0, n.length() - 6), false,
                        ModuleDescriptorTest.class.getClassLoader());
                if (Modifier.isPublic(c.getModifiers())) {
                    publicTypes.add(c.getSimpleName());
                }
            }
        }
        assertEquals(Set.of("CpuBackend"), publicTypes);
        for (String hidden : new String[] {"SparseKernels", "Parallel", "DenseGemm", "CpuStorage"}) {
            assertFalse(Modifier.isPublic(Class.forName("dev.winnow.engine.backend.cpu." + hidden, false,
                    ModuleDescriptorTest.class.getClassLoader()).getModifiers()),
                    hidden);
        }
    }
}
