package dev.winnow.recsys.perf;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the crossover threshold comes from: the cache file, else a measurement that fills the cache. */
class DensityCrossoverTest {

    /** The build's own cache file (pom.xml), put back after each test so later tests never touch the user's. */
    private static final String BUILD_CACHE = System.getProperty(DensityCrossover.CACHE_PROPERTY);

    @BeforeEach
    @AfterEach
    void clear() {
        DensityCrossover.forgetMeasurements();
        if (BUILD_CACHE == null) {
            System.clearProperty(DensityCrossover.CACHE_PROPERTY);
        } else {
            System.setProperty(DensityCrossover.CACHE_PROPERTY, BUILD_CACHE);
        }
    }

    @Test
    void aCachedValueIsReadWithoutMeasuring(@TempDir Path dir) throws IOException {
        try (Backend be = new CpuBackend(3)) {
            Path cache = dir.resolve("crossover.properties");
            Files.writeString(cache, DensityCrossover.machineKey(be) + "=0.0625\n");
            System.setProperty(DensityCrossover.CACHE_PROPERTY, cache.toString());
            assertEquals(0.0625, DensityCrossover.threshold(be));
        }
    }

    @Test
    void aMissingCacheIsFilledByAMeasurementInRange(@TempDir Path dir) throws IOException {
        try (Backend be = new CpuBackend(1)) {
            Path cache = dir.resolve("sub").resolve("crossover.properties");
            System.setProperty(DensityCrossover.CACHE_PROPERTY, cache.toString());
            double t = DensityCrossover.threshold(be);
            assertTrue(t >= 0 && t <= 1, "threshold " + t);
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(cache)) {
                p.load(in);
            }
            assertEquals(t, Double.parseDouble(p.getProperty(DensityCrossover.machineKey(be))), 0,
                    "a measured threshold is the value later runs read from the cache");
            try (var files = Files.list(cache.getParent())) {
                assertEquals(1, files.count(), "no temporary file may remain beside the cache");
            }
            if (Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null) {
                Path reference = Files.createFile(cache.resolveSibling("reference"));
                assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(cache),
                        "the cache gets the permissions the umask gives any new file");
            }
        }
    }

    @Test
    void aValueCachedForOtherKernelsIsMeasuredAgainAndReplaced(@TempDir Path dir) throws IOException {
        try (Backend be = new CpuBackend(1)) {
            String key = DensityCrossover.machineKey(be);
            assertTrue(key.endsWith("|kernels" + DensityCrossover.KERNEL_GENERATION), key);
            String machine = key.substring(0, key.lastIndexOf('|'));
            String older = machine + "|kernels" + (DensityCrossover.KERNEL_GENERATION - 1);
            String elsewhere = "cpu-vector(256-bit)(1_thread)|Some_other_CPU|64cores|kernels1";
            Path cache = dir.resolve("crossover.properties");
            Files.writeString(cache, machine + "=0.0625\n" + older + "=0.0625\n" + elsewhere + "=0.75\n");
            System.setProperty(DensityCrossover.CACHE_PROPERTY, cache.toString());
            double t = DensityCrossover.threshold(be);
            assertTrue(t >= 0 && t <= 1 && t != 0.0625, "threshold " + t + " was measured, not read from a stale entry");
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(cache)) {
                p.load(in);
            }
            assertEquals(t, Double.parseDouble(p.getProperty(key)), 0);
            assertEquals(null, p.getProperty(machine), "the unversioned entry is dropped");
            assertEquals(null, p.getProperty(older), "the older generation's entry is dropped");
            assertEquals("0.75", p.getProperty(elsewhere), "another machine's entry is kept");
        }
    }

    @Test
    void aValueCachedAtAnotherVectorWidthOrOnAnotherCpuModelIsNotUsed(@TempDir Path dir) throws IOException {
        try (Backend be = new CpuBackend(1)) {
            String key = DensityCrossover.machineKey(be);
            String[] parts = key.split("\\|");
            assertTrue(parts.length == 4 && parts[0].startsWith("cpu-"), key);
            String here = parts[0].contains("256-bit") ? "256-bit" : parts[0].contains("512-bit") ? "512-bit" : null;
            String otherWidth = here == null ? null : key.replace(here, here.equals("256-bit") ? "512-bit" : "256-bit");
            // Same model name, another family: what a VM that calls Zen 3 and Zen 5 both "AMD EPYC" looks like.
            String otherCpu = parts[0] + "|" + parts[1] + "_family_99|" + parts[2] + "|" + parts[3];
            Path cache = dir.resolve("crossover.properties");
            Files.writeString(cache, (otherWidth == null ? "" : otherWidth + "=0.0625\n") + otherCpu + "=0.0625\n");
            System.setProperty(DensityCrossover.CACHE_PROPERTY, cache.toString());
            double t = DensityCrossover.threshold(be);
            assertTrue(t != 0.0625, "threshold " + t + " was read from another width's or CPU's entry");
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(cache)) {
                p.load(in);
            }
            assertEquals(t, Double.parseDouble(p.getProperty(key)), 0);
            assertEquals("0.0625", p.getProperty(otherCpu), "another CPU's entry is kept");
            if (otherWidth != null) {
                assertEquals("0.0625", p.getProperty(otherWidth), "another width's entry is kept");
            }
        }
    }

    @Test
    void theCpuIsNamedByModelNameFamilyModelAndStepping() {
        List<String> zen3 = List.of("processor\t: 0", "vendor_id\t: AuthenticAMD", "cpu family\t: 25", "model\t\t: 1",
                "model name\t: AMD EPYC", "stepping\t: 1", "flags\t\t: fpu avx2", "", "processor\t: 1",
                "cpu family\t: 25", "model\t\t: 1", "model name\t: AMD EPYC", "stepping\t: 1");
        List<String> zen5 = List.of("processor\t: 0", "cpu family\t: 26", "model\t\t: 2", "model name\t: AMD EPYC",
                "stepping\t: 1");
        assertEquals("AMD EPYC family 25 model 1 stepping 1", DensityCrossover.describeCpu(zen3));
        assertEquals("AMD EPYC family 26 model 2 stepping 1", DensityCrossover.describeCpu(zen5));
        assertEquals(System.getProperty("os.arch"), DensityCrossover.describeCpu(List.of("nothing here")));
        assertEquals(System.getProperty("os.arch") + " part 0xd0c",
                DensityCrossover.describeCpu(List.of("CPU part\t: 0xd0c")));
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(0.4, DensityCrossover.median(new double[] {0.9, 0.4, 0.1}), 0);
        assertEquals(0.45, DensityCrossover.median(new double[] {0.5, 1.0, 0.4, 0.2}), 1e-15);
    }

    @Test
    void crossingInterpolatesTheLineThroughTwoCsrTimings() {
        // CSR takes 1 at density 0.1 and 4 at 0.4 (slope 10); dense takes 3 -> crossover at 0.3.
        assertEquals(0.3, DensityCrossover.crossing(0.1, 1, 0.4, 4, 3), 1e-12);
        assertEquals(1.0, DensityCrossover.crossing(0.1, 1, 0.4, 4, 100), 1e-12);
        assertEquals(0.0, DensityCrossover.crossing(0.1, 5, 0.4, 8, 1), 1e-12);
    }
}
