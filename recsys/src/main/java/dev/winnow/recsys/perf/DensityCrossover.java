package dev.winnow.recsys.perf;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.io.AtomicFile;
import dev.winnow.engine.sparse.ExecutionPolicy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The density below which a pruned Linear runs faster in CSR form than as a masked dense GEMM on this machine: what
 * the CLI hands to a model as {@link ExecutionPolicy#byDensity}. It is measured here, by the CLI and the benchmarks,
 * never in a forward pass (the engine only ever sees the value).
 *
 * <p>Where it comes from, first match wins: the value read or measured earlier in this JVM for the same cache file
 * and key; the per-machine cache file ({@code winnow.sparse.cache}, default
 * {@code ~/.cache/winnow/sparse-crossover.properties}), keyed by backend name (which names the vector width), CPU
 * model (name, family, model number and stepping: a VM may call both a Zen 3 and a Zen 5 "AMD EPYC"), core count
 * and the generation of the kernels; else a measurement (1.5-3 s: one training-step shape, masked dense and CSR at two
 * densities, a straight line through the CSR times since they grow with nnz) whose result is written to that file.
 * {@code compare --sparse-threshold D} skips all of this.
 */
public final class DensityCrossover {
    private static final Logger LOG = Logger.getLogger(DensityCrossover.class.getName());
    public static final String CACHE_PROPERTY = "winnow.sparse.cache";

    /**
     * Which generation of the CPU's dense and sparse kernels a cached crossover was measured with. A cached value
     * only holds for the kernels that produced it, so bump this whenever a change makes either side faster or
     * slower; entries of other generations are then measured again and dropped from the file. Generation 2: the
     * session-3 CSR layer paths and thread hand-off (generation 1, the unversioned keys, measured 0.21 on the
     * development VM where generation 2 measures 0.4-0.55). Generation 3: width-independent summation order (the
     * 512-bit gather takes two rows at a time, the SDDMM reads its lanes one by one). Generation 4: the dense GEMM's
     * row-contiguous A panels and zero-start tiles (faster dense products at 512 bits, so CSR pays off lower there:
     * 0.24-0.25 on the Zen 4 host).
     */
    static final int KERNEL_GENERATION = 4;

    /** The shape measured for the policy: a mid-sized training step. */
    static final int BATCH = 256;
    static final int IN = 256;
    static final int OUT = 256;

    /** Values read or measured in this JVM, by cache file and machine key: one measurement per machine and JVM. */
    private static final Map<String, Double> KNOWN = new ConcurrentHashMap<>();

    private DensityCrossover() {
    }

    /** Forgets every value measured or read in this JVM (tests: the next call reads the cache file or measures). */
    static void forgetMeasurements() {
        KNOWN.clear();
    }

    /** The threshold for pruned layers on {@code backend} (see the class comment for where it comes from). */
    public static double threshold(Backend backend) {
        Path file = cacheFile();
        String key = machineKey(backend);
        return KNOWN.computeIfAbsent(file + "\n" + key, k -> cachedOrMeasure(backend, file, key));
    }

    private static double cachedOrMeasure(Backend backend, Path file, String key) {
        Properties p = load(file);
        String v = p.getProperty(key);
        if (v != null) {
            try {
                double d = Double.parseDouble(v);
                if (d >= 0 && d <= 1) {
                    return d;
                }
            } catch (NumberFormatException ignored) {
                // a damaged entry is measured again and overwritten
            }
            LOG.warning(file + ": entry '" + key + "' = '" + v + "' is not a density; measuring again");
        }
        long t0 = System.nanoTime();
        double d = measure(backend, BATCH, IN, OUT);
        LOG.info(String.format(Locale.ROOT, "sparse crossover on %s: CSR below density %.3f (measured in %.2f s, "
                + "cached in %s)", key, d, (System.nanoTime() - t0) / 1e9, file));
        dropOtherGenerations(p, backend);
        String rounded = String.format(Locale.ROOT, "%.4f", d);
        p.setProperty(key, rounded);
        store(file, p);
        // The value the cache will give every later run, so that the first run records the same threshold.
        return Double.parseDouble(rounded);
    }

    /** Warm-up before the first block counts: the JIT needs about this long to compile all three paths. */
    private static final long WARM_UP_NANOS = 1_000_000_000L;
    /** A block during which the JIT compiled for longer than this ran partly on old code and is not counted. */
    private static final long JIT_QUIET_MILLIS = 10;
    private static final int BLOCKS = 5;
    private static final int ROUNDS = 7;
    private static final long GIVE_UP_NANOS = 10_000_000_000L;

    /**
     * The density at which one training step's products (forward + both gradients) cost the same in CSR form as
     * masked dense, for one shape: masked dense and CSR at two densities, a line through the CSR points. The value
     * is cached for good, so it must not depend on a load spike or on which kernel the JIT compiled first. In a
     * fresh JVM the dense GEMM runs 2-4x slow for most of the first second, which put the crossover at 1.0 in three
     * of four cold measurements (bench/HISTORY.md). So all three paths warm up together for a second; then blocks
     * of 7 interleaved rounds each give one estimate from each path's fastest call. Blocks during which the JIT was
     * busy are dropped, and the median of 5 counted blocks is the answer (after 10 s, the median of those counted
     * so far, or of all blocks if none counted).
     */
    public static double measure(Backend backend, int batch, int in, int out) {
        double lo = 0.05;
        double hi = 0.4;
        try (KernelTimer m = new KernelTimer(backend, batch, in, out, 0.5, 1);
             KernelTimer a = new KernelTimer(backend, batch, in, out, lo, 2);
             KernelTimer b = new KernelTimer(backend, batch, in, out, hi, 3)) {
            Runnable masked = () -> {
                m.maskedForward();
                m.maskedBackward();
            };
            Runnable csrLo = () -> {
                a.csrForward();
                a.csrBackward();
            };
            Runnable csrHi = () -> {
                b.csrForward();
                b.csrBackward();
            };
            long start = System.nanoTime();
            while (System.nanoTime() - start < WARM_UP_NANOS) {
                masked.run();
                csrLo.run();
                csrHi.run();
            }
            CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
            boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
            double[] counted = new double[BLOCKS];
            int n = 0;
            List<Double> all = new ArrayList<>();
            while (n < BLOCKS) {
                long jit0 = jitTimed ? jit.getTotalCompilationTime() : 0;
                double dense = Double.MAX_VALUE;
                double tLo = Double.MAX_VALUE;
                double tHi = Double.MAX_VALUE;
                for (int round = 0; round < ROUNDS; round++) {
                    dense = Math.min(dense, once(backend, masked));
                    tLo = Math.min(tLo, once(backend, csrLo));
                    tHi = Math.min(tHi, once(backend, csrHi));
                }
                double estimate = crossing(lo, tLo, hi, tHi, dense);
                all.add(estimate);
                if (!jitTimed || jit.getTotalCompilationTime() - jit0 <= JIT_QUIET_MILLIS) {
                    counted[n++] = estimate;
                }
                if (n < BLOCKS && System.nanoTime() - start > GIVE_UP_NANOS) {
                    LOG.warning(String.format(Locale.ROOT, "sparse crossover: only %d of %d blocks ran without the "
                            + "JIT compiling in %.0f s; using what there is", n, BLOCKS, GIVE_UP_NANOS / 1e9));
                    return n > 0 ? median(Arrays.copyOf(counted, n))
                            : median(all.stream().mapToDouble(Double::doubleValue).toArray());
                }
            }
            return median(counted);
        }
    }

    /** The median of {@code v} (the mean of the middle two for an even count); v is not changed. */
    public static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int k = s.length / 2;
        return s.length % 2 == 1 ? s[k] : (s[k - 1] + s[k]) / 2;
    }

    private static double once(Backend backend, Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        backend.synchronize();
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Where the line through (d0, t0), (d1, t1) reaches {@code dense}, clamped to [0, 1]. */
    static double crossing(double d0, double t0, double d1, double t1, double dense) {
        double slope = (t1 - t0) / (d1 - d0);
        if (!(slope > 0)) {
            return t0 < dense ? 1.0 : 0.0;
        }
        double d = d0 + (dense - t0) / slope;
        return Math.max(0.0, Math.min(1.0, d));
    }

    /** The cache file: {@code -Dwinnow.sparse.cache=PATH}, else {@code ~/.cache/winnow/sparse-crossover.properties}. */
    public static Path cacheFile() {
        String p = System.getProperty(CACHE_PROPERTY);
        if (p != null && !p.isBlank()) {
            return Paths.get(p);
        }
        return Paths.get(System.getProperty("user.home"), ".cache", "winnow", "sparse-crossover.properties");
    }

    /**
     * Backend name (kernel kind and thread count), CPU model, core count and {@link #KERNEL_GENERATION}: what the
     * crossover depends on.
     */
    public static String machineKey(Backend backend) {
        return machinePart(backend) + "|" + GENERATION_PREFIX + KERNEL_GENERATION;
    }

    private static final String GENERATION_PREFIX = "kernels";

    private static String machinePart(Backend backend) {
        return (backend.name() + "|" + cpuModel() + "|" + Runtime.getRuntime().availableProcessors() + "cores")
                .replaceAll("[\\s=:]+", "_");
    }

    /** Drops the entries this machine's other kernel generations left (and unversioned ones), keeping others. */
    static void dropOtherGenerations(Properties p, Backend backend) {
        String machine = machinePart(backend);
        String current = machineKey(backend);
        p.stringPropertyNames().stream()
                .filter(k -> !k.equals(current)
                        && (k.equals(machine) || k.startsWith(machine + "|" + GENERATION_PREFIX)))
                .forEach(p::remove);
    }

    private static String cpuModel() {
        return CpuModel.NAME;
    }

    /** Read once per JVM. */
    private static final class CpuModel {
        static final String NAME = read();
    }

    private static String read() {
        try {
            return describeCpu(Files.readAllLines(Paths.get("/proc/cpuinfo")));
        } catch (IOException | RuntimeException ignored) {
            // not Linux: the architecture has to do
        }
        return System.getProperty("os.arch");
    }

    /**
     * The first processor's "model name" with its "cpu family", "model" and "stepping" numbers (x86) or "CPU part"
     * (Arm), as /proc/cpuinfo gives them; the architecture when there is none of those.
     */
    private static final Map<String, String> CPU_ID_FIELDS =
            Map.of("cpu family", "family", "model", "model", "stepping", "stepping", "CPU part", "part");

    static String describeCpu(List<String> cpuinfo) {
        String name = null;
        StringBuilder ids = new StringBuilder();
        for (String line : cpuinfo) {
            if (line.isBlank() && (name != null || ids.length() > 0)) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String field = line.substring(0, colon).trim();
            String value = line.substring(colon + 1).trim();
            String label = CPU_ID_FIELDS.get(field);
            if (field.equals("model name")) {
                name = value;
            } else if (label != null) {
                ids.append(' ').append(label).append(' ').append(value);
            }
        }
        if (name == null && ids.length() == 0) {
            return System.getProperty("os.arch");
        }
        return ((name == null ? System.getProperty("os.arch") : name) + ids).trim();
    }

    private static Properties load(Path file) {
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException | IllegalArgumentException e) {
                LOG.warning("cannot read the sparse crossover cache " + file + " (" + e.getMessage()
                        + "); measuring again");
            }
        }
        return p;
    }

    /** Written atomically (temp file + move) so that two JVMs never leave a half-written cache. */
    private static void store(Path file, Properties p) {
        try {
            AtomicFile.write(file, out ->
                    p.store(out, "winnow: density below which CSR beats masked dense, per machine (delete to re-measure)"));
        } catch (IOException | RuntimeException e) {
            LOG.warning("cannot write the sparse crossover cache " + file + " (" + e.getMessage()
                    + "); the value is kept for this run only");
        }
    }
}
