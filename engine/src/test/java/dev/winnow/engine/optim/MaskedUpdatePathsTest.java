package dev.winnow.engine.optim;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The indexed update (survivors only) and the dense masked sweep give bitwise the same weights and optimiser state,
 * for every optimiser configuration, awkward shapes, densities from 0 to 1, any thread count, and on a backend that
 * only has the SPI's host-copy defaults; and the indexed path really skips the pruned positions.
 */
class MaskedUpdatePathsTest {
    private static final int[] SIZES = {1, 3, 17, 64, 257};
    private static final double[] DENSITIES = {0, 0.01, 0.1, 0.5, 0.9, 1};
    private static final int STEPS = 5;
    private static Backend one;
    private static Backend two;
    private static Backend defaultsOnly;

    @BeforeAll
    static void setUp() {
        one = new CpuBackend(1);
        two = new CpuBackend(2);
        defaultsOnly = withSpiDefaults(new CpuBackend(1));
    }

    @AfterAll
    static void tearDown() {
        one.close();
        two.close();
        defaultsOnly.close();
    }

    /**
     * A backend that delegates everything to {@code cpu} except the indexed updates and
     * {@code prefersIndexedUpdates}, which run the interface's default bodies: what a device backend without its own
     * indexed kernel (OpenCL, CUDA) gets.
     */
    private static Backend withSpiDefaults(CpuBackend cpu) {
        InvocationHandler h = (proxy, method, args) -> {
            String n = method.getName();
            if (n.equals("sgdStepIndexed") || n.equals("adamStepIndexed") || n.equals("prefersIndexedUpdates")) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            try {
                return method.invoke(cpu, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
    }

    private record Config(String name, BiFunction<List<Parameter>, Float, Optimizer> make) {
    }

    private static List<Config> configs() {
        return List.of(
                new Config("SGD plain", (ps, lr) -> new Sgd(ps, lr, 0f, 0f, 0f, false)),
                new Config("SGD + weight decay", (ps, lr) -> new Sgd(ps, lr, 0f, 0f, 0.01f, false)),
                new Config("SGD + momentum + weight decay", (ps, lr) -> new Sgd(ps, lr, 0.9f, 0f, 0.01f, false)),
                new Config("SGD + momentum + dampening", (ps, lr) -> new Sgd(ps, lr, 0.9f, 0.3f, 0.01f, false)),
                new Config("SGD Nesterov + weight decay", (ps, lr) -> new Sgd(ps, lr, 0.9f, 0f, 0.01f, true)),
                new Config("Adam", (ps, lr) -> new Adam(ps, lr)),
                new Config("Adam + L2", (ps, lr) -> new Adam(ps, lr, 0.9f, 0.999f, 1e-8f, 0.01f, false)),
                new Config("AdamW", (ps, lr) -> new Adam(ps, lr, 0.9f, 0.99f, 1e-6f, 0.05f, true)));
    }

    private static float[] randomMask(int n, double density, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] m = new float[n];
        for (int i = 0; i < n; i++) {
            m[i] = r.nextDouble() < density ? 1f : 0f;
        }
        return m;
    }

    private static float[] random(int n, SplittableRandom r) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return v;
    }

    /** The weights and every state slot after STEPS steps of one configuration on one path. */
    private static Map<String, float[]> train(Backend be, Config c, Optimizer.MaskedUpdate path, int rows, int cols,
                                              double density, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Parameter p = new Parameter("w", Tensor.of(be, rows, cols, random(rows * cols, r), true), true);
        p.setMask(randomMask(rows * cols, density, seed + 1));
        // An unmasked neighbour: the masked-update choice must not disturb it.
        Parameter b = new Parameter("b", Tensor.vector(be, random(cols, r), true), false);
        Optimizer opt = c.make().apply(List.of(p, b), 0.05f);
        opt.setMaskedUpdate(path);
        for (int s = 0; s < STEPS; s++) {
            opt.zeroGrad();
            float[] g = random(rows * cols, r); // non-zero under the mask too
            be.upload(g, 0, p.value().gradOrZeros(), 0, g.length);
            float[] gb = random(cols, r);
            be.upload(gb, 0, b.value().gradOrZeros(), 0, gb.length);
            opt.step();
        }
        Map<String, float[]> out = opt.exportState();
        out.put("w", p.value().toArray());
        out.put("b", b.value().toArray());
        return out;
    }

    private static void assertBitwiseEqual(Map<String, float[]> expected, Map<String, float[]> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what + ": state slots");
        for (Map.Entry<String, float[]> e : expected.entrySet()) {
            float[] a = actual.get(e.getKey());
            float[] x = e.getValue();
            assertEquals(x.length, a.length, what + " " + e.getKey());
            for (int i = 0; i < x.length; i++) {
                if (Float.floatToRawIntBits(x[i]) != Float.floatToRawIntBits(a[i])) {
                    throw new AssertionError(what + " " + e.getKey() + "[" + i + "]: dense sweep " + x[i]
                            + ", indexed " + a[i]);
                }
            }
        }
    }

    @Test
    void indexedUpdateEqualsTheDenseMaskedSweepBitwiseForEveryOptimizerShapeAndDensity() {
        long seed = 11;
        for (Config c : configs()) {
            for (int rows : SIZES) {
                for (int cols : new int[] {1, 17, 257}) {
                    for (double d : DENSITIES) {
                        seed++;
                        String what = c.name() + " " + rows + "x" + cols + " density " + d;
                        Map<String, float[]> dense = train(one, c, Optimizer.MaskedUpdate.DENSE_SWEEP, rows, cols, d,
                                seed);
                        assertBitwiseEqual(dense, train(one, c, Optimizer.MaskedUpdate.INDEXED, rows, cols, d, seed),
                                what + " (1 thread)");
                        assertBitwiseEqual(dense, train(two, c, Optimizer.MaskedUpdate.INDEXED, rows, cols, d, seed),
                                what + " (2 threads)");
                    }
                }
            }
        }
    }

    @Test
    void indexedUpdateOnLargeLayersSplitAcrossThreadsEqualsTheSingleThreadedDenseSweep() {
        // 300 x 257 at density 0.9 has ~69k survivors: above the CPU backend's threshold for splitting the loop.
        long seed = 5000;
        for (Config c : configs()) {
            for (double d : new double[] {0.3, 0.9, 1}) {
                seed++;
                Map<String, float[]> dense = train(one, c, Optimizer.MaskedUpdate.DENSE_SWEEP, 300, 257, d, seed);
                assertBitwiseEqual(dense, train(two, c, Optimizer.MaskedUpdate.INDEXED, 300, 257, d, seed),
                        c.name() + " 300x257 density " + d + " (2 threads)");
            }
        }
    }

    @Test
    void theSpiDefaultIndexedUpdatesGiveTheSameBitsAsTheCpuKernels() {
        long seed = 9000;
        for (Config c : configs()) {
            for (double d : new double[] {0, 0.1, 0.5, 1}) {
                seed++;
                Map<String, float[]> dense = train(one, c, Optimizer.MaskedUpdate.DENSE_SWEEP, 17, 64, d, seed);
                assertBitwiseEqual(dense, train(defaultsOnly, c, Optimizer.MaskedUpdate.INDEXED, 17, 64, d, seed),
                        c.name() + " 17x64 density " + d + " (SPI defaults)");
            }
        }
    }

    /** A value written under the mask behind the tensor's back (not through copyFrom): a probe for which path ran. */
    private static void plantUnderMask(Backend be, Parameter p, float[] mask, float value) {
        float[] w = p.value().toArray();
        for (int i = 0; i < w.length; i++) {
            if (mask[i] == 0f) {
                w[i] = value;
            }
        }
        be.upload(w, 0, p.value().data(), 0, w.length);
    }

    private static int countUnderMask(Parameter p, float[] mask, float value) {
        float[] w = p.value().toArray();
        int n = 0;
        for (int i = 0; i < w.length; i++) {
            if (mask[i] == 0f && w[i] == value) {
                n++;
            }
        }
        return n;
    }

    private static void stepWithRandomGradient(Backend be, Optimizer opt, Parameter p, SplittableRandom r) {
        opt.zeroGrad();
        float[] g = random(p.value().size(), r);
        be.upload(g, 0, p.value().gradOrZeros(), 0, g.length);
        opt.step();
    }

    @Test
    void theIndexedPathTouchesOnlySurvivorsAndAnOutsideWriteMakesTheNextStepADenseReMask() {
        float[] mask = randomMask(40 * 30, 0.1, 3);
        int pruned = 0;
        for (float v : mask) {
            pruned += v == 0f ? 1 : 0;
        }
        SplittableRandom r = new SplittableRandom(4);
        Parameter p = new Parameter("w", Tensor.of(one, 40, 30, random(1200, r), true), true);
        p.setMask(mask);
        Adam adam = new Adam(List.of(p), 0.01f);
        adam.setMaskedUpdate(Optimizer.MaskedUpdate.INDEXED);
        stepWithRandomGradient(one, adam, p, r); // first step: dense (no clean state yet)
        plantUnderMask(one, p, mask, 0.25f);
        stepWithRandomGradient(one, adam, p, r);
        assertEquals(pruned, countUnderMask(p, mask, 0.25f),
                "an indexed step must not read or write pruned positions (the planted values must survive it)");
        // The same planted values declared through markWritten (or any copyFrom) are re-zeroed by the next step.
        p.value().markWritten();
        stepWithRandomGradient(one, adam, p, r);
        assertEquals(0, countUnderMask(p, mask, 0.25f), "after markWritten the next step must re-mask densely");
        for (float v : adam.firstMoment(0).toArray()) {
            assertTrue(Float.isFinite(v));
        }

        // The dense sweep re-zeroes planted values at every step, written behind the tensor's back or not.
        Adam sweep = new Adam(List.of(p), 0.01f);
        sweep.setMaskedUpdate(Optimizer.MaskedUpdate.DENSE_SWEEP);
        stepWithRandomGradient(one, sweep, p, r);
        plantUnderMask(one, p, mask, 0.25f);
        stepWithRandomGradient(one, sweep, p, r);
        assertEquals(0, countUnderMask(p, mask, 0.25f), "the dense masked sweep re-zeroes every pruned position");
    }

    @Test
    void byDensityUsesTheIndexedPathOnlyAtOrBelowTheThreshold() {
        float[] sparse = randomMask(50 * 20, 0.1, 5);
        float[] dense = randomMask(50 * 20, 0.8, 6);
        for (float[] mask : List.of(sparse, dense)) {
            SplittableRandom r = new SplittableRandom(7);
            Parameter p = new Parameter("w", Tensor.of(one, 50, 20, random(1000, r), true), true);
            p.setMask(mask);
            Sgd sgd = new Sgd(List.of(p), 0.01f, 0.9f, 0f);
            sgd.setIndexedDensityThreshold(0.5);
            stepWithRandomGradient(one, sgd, p, r);
            plantUnderMask(one, p, mask, 0.5f);
            stepWithRandomGradient(one, sgd, p, r);
            int kept = countUnderMask(p, mask, 0.5f);
            if (mask == sparse) {
                assertTrue(kept > 0, "density 0.1 <= 0.5: the indexed path must have run");
            } else {
                assertEquals(0, kept, "density 0.8 > 0.5: the dense masked sweep must have run");
            }
        }
    }

    @Test
    void importedStateWithValuesUnderTheMaskIsZeroedByTheNextIndexedModeStep() {
        float[] mask = randomMask(9 * 13, 0.3, 8);
        SplittableRandom r = new SplittableRandom(9);
        Parameter p = new Parameter("w", Tensor.of(one, 9, 13, random(117, r), true), true);
        p.setMask(mask);
        Sgd sgd = new Sgd(List.of(p), 0.01f, 0.9f, 0f, 0f, false);
        sgd.setMaskedUpdate(Optimizer.MaskedUpdate.INDEXED);
        stepWithRandomGradient(one, sgd, p, r);
        stepWithRandomGradient(one, sgd, p, r);
        Map<String, float[]> state = sgd.exportState();
        float[] momentum = state.get("w#momentum");
        for (int i = 0; i < momentum.length; i++) {
            if (mask[i] == 0f) {
                momentum[i] = 3f; // a checkpoint written by an older version without masking
            }
        }
        sgd.importState(state);
        stepWithRandomGradient(one, sgd, p, r);
        float[] after = sgd.momentumBuffer(0).toArray();
        float[] w = p.value().toArray();
        List<Integer> bad = new ArrayList<>();
        for (int i = 0; i < after.length; i++) {
            if (mask[i] == 0f && (Float.floatToRawIntBits(after[i]) != 0 || Float.floatToRawIntBits(w[i]) != 0)) {
                bad.add(i);
            }
        }
        assertTrue(bad.isEmpty(), "pruned positions with non-zero weight or momentum after an import: " + bad);
    }

    @Test
    void survivorsAreTheMaskOnesAscendingAndFollowANewMask() {
        Parameter p = new Parameter("w", Tensor.of(one, 3, 4, new float[12], true), true);
        p.setMask(new float[] {0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0, 1});
        int[] got = new int[p.aliveCount()];
        one.downloadInts(p.survivors(), 0, got, 0, got.length);
        assertEquals(List.of(1, 2, 6, 8, 11), java.util.Arrays.stream(got).boxed().toList());
        p.setMask(new float[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        got = new int[p.aliveCount()];
        one.downloadInts(p.survivors(), 0, got, 0, got.length);
        assertEquals(List.of(0, 11), java.util.Arrays.stream(got).boxed().toList());
        // A write to the mask tensor itself (not through setMask) is noticed too.
        p.mask().copyFrom(new float[] {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0});
        assertEquals(1, p.aliveCount());
    }
}
