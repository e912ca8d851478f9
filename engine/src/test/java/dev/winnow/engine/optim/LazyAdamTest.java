package dev.winnow.engine.optim;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Embedding;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.IndexTensor;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lazy (row-sparse) Adam against a float transcription of the update its class comment documents: touched rows get
 * Adam's step with the global step count, untouched rows keep weights and moments bit for bit, everything else gets
 * dense Adam's step bit for bit.
 */
class LazyAdamTest {
    private static final float LR = 0.01f;
    private static final float B1 = 0.9f;
    private static final float B2 = 0.999f;
    private static final float EPS = 1e-8f;
    private static final float WD = 0.01f;
    private static final int ROWS = 6;
    private static final int DIM = 3;
    // the batches' ids: repeats (row 2 twice in step 1), a row left out for steps and then back (row 0), rows never
    // looked up (4, 5)
    private static final int[][] IDS = {{2, 0, 2}, {1, 3, 1}, {3, 3, 3}, {0, 2, 1}};
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    /** A table, a plain (non-table) parameter, and the upstream weights that make each lookup's gradient. */
    private static final class Tiny {
        final Embedding emb = new Embedding(backend, "user", ROWS, DIM, 0.5, new SplittableRandom(7));
        final Parameter other = new Parameter("mlp.0.bias", Tensor.of(backend, 1, DIM, new float[] {0.3f, -0.2f, 0.1f},
                true), false);

        /** zeroGrad, the lookup's forward and backward, and a fixed gradient on {@code other}; then the step. */
        void step(Optimizer opt, int s, float[] upstream) {
            opt.zeroGrad();
            int[] ids = IDS[s];
            IndexTensor idx = IndexTensor.of(backend, ids);
            Tensor c = Tensor.of(backend, ids.length, DIM, upstream, false);
            Ops.sum(Ops.mul(emb.forward(idx), c)).backward();
            backend.upload(new float[] {0.1f * (s + 1), -0.2f, 0.05f * s}, 0, other.value().gradOrZeros(), 0, DIM);
            opt.step();
        }
    }

    /** The upstream gradient of step s; in step 2 row 3's three lookups cancel, so its summed gradient is exactly 0. */
    private static float[] upstream(int s) {
        float[] c = new float[IDS[s].length * DIM];
        for (int i = 0; i < c.length; i++) {
            c[i] = (float) Math.sin(1.7 * i + s) * 0.8f;
        }
        if (s == 2) {
            for (int j = 0; j < DIM; j++) {
                c[DIM + j] = 0.25f;
                c[j] = -0.5f;
                c[2 * DIM + j] = 0.25f;
            }
        }
        return c;
    }

    private static Adam lazy(List<Parameter> ps) {
        return Adam.lazy(ps, LR, B1, B2, EPS, WD, false);
    }

    @Test
    void touchedRowsFollowTheDocumentedUpdateWithTheGlobalStepCount() {
        Tiny t = new Tiny();
        Adam opt = lazy(List.of(t.emb.table(), t.other));
        assertTrue(opt.isLazy());
        float[] w = t.emb.table().value().toArray();
        float[] m = new float[w.length];
        float[] v = new float[w.length];
        for (int s = 0; s < IDS.length; s++) {
            t.step(opt, s, upstream(s));
            float[] g = t.emb.table().value().gradToArray();
            boolean[] touched = new boolean[ROWS];
            for (int id : IDS[s]) {
                touched[id] = true;
            }
            int step = s + 1;
            float stepSize = LR / (float) (1.0 - Math.pow(B1, step));
            float bc2Sqrt = (float) Math.sqrt(1.0 - Math.pow(B2, step));
            for (int r = 0; r < ROWS; r++) {
                if (!touched[r]) {
                    continue;
                }
                for (int j = r * DIM; j < (r + 1) * DIM; j++) {
                    float d = g[j] + WD * w[j];
                    m[j] = B1 * m[j] + (1f - B1) * d;
                    v[j] = B2 * v[j] + (1f - B2) * d * d;
                    w[j] -= stepSize * m[j] / ((float) Math.sqrt(v[j]) / bc2Sqrt + EPS);
                }
            }
            assertBits(w, t.emb.table().value().toArray(), "weights after step " + step);
            assertBits(m, opt.firstMoment(0).toArray(), "m after step " + step);
            assertBits(v, opt.secondMoment(0).toArray(), "v after step " + step);
        }
    }

    @Test
    void untouchedRowsKeepWeightsAndMomentsBitForBit() {
        Tiny t = new Tiny();
        Adam opt = lazy(List.of(t.emb.table(), t.other));
        float[] w0 = t.emb.table().value().toArray();
        t.step(opt, 0, upstream(0));
        float[] w1 = t.emb.table().value().toArray();
        float[] m1 = opt.firstMoment(0).toArray();
        float[] v1 = opt.secondMoment(0).toArray();
        t.step(opt, 1, upstream(1)); // rows 1 and 3 only
        t.step(opt, 2, upstream(2)); // row 3 only
        float[] w3 = t.emb.table().value().toArray();
        float[] m3 = opt.firstMoment(0).toArray();
        float[] v3 = opt.secondMoment(0).toArray();
        for (int r : new int[] {0, 2}) {
            for (int j = r * DIM; j < (r + 1) * DIM; j++) {
                assertEquals(Float.floatToRawIntBits(w1[j]), Float.floatToRawIntBits(w3[j]), "row " + r + " weight");
                assertEquals(Float.floatToRawIntBits(m1[j]), Float.floatToRawIntBits(m3[j]), "row " + r + " m");
                assertEquals(Float.floatToRawIntBits(v1[j]), Float.floatToRawIntBits(v3[j]), "row " + r + " v");
            }
        }
        for (int r : new int[] {4, 5}) {
            for (int j = r * DIM; j < (r + 1) * DIM; j++) {
                assertEquals(Float.floatToRawIntBits(w0[j]), Float.floatToRawIntBits(w3[j]), "row " + r + " weight");
                assertEquals(0, Float.floatToRawIntBits(m3[j]), "row " + r + " m");
                assertEquals(0, Float.floatToRawIntBits(v3[j]), "row " + r + " v");
            }
        }
    }

    @Test
    void aRepeatedIdIsUpdatedOnceWithItsSummedGradientEvenWhenTheSumIsZero() {
        Tiny t = new Tiny();
        Adam opt = lazy(List.of(t.emb.table()));
        t.step(opt, 1, upstream(1)); // row 3 gets m = (1 - b1) * (g + wd * w)
        float[] w1 = t.emb.table().value().toArray();
        float[] m1 = opt.firstMoment(0).toArray();
        float[] v1 = opt.secondMoment(0).toArray();
        t.step(opt, 2, upstream(2)); // ids {3, 3, 3}, upstream -0.5 + 0.25 + 0.25: row 3's gradient is exactly 0
        float[] g = t.emb.table().value().gradToArray();
        float[] m2 = opt.firstMoment(0).toArray();
        float[] v2 = opt.secondMoment(0).toArray();
        for (int j = 3 * DIM; j < 4 * DIM; j++) {
            assertEquals(0f, g[j], "row 3's summed gradient");
            // one update with d = wd * w, not three, and not none
            float d = WD * w1[j];
            assertEquals(Float.floatToRawIntBits(B1 * m1[j] + (1f - B1) * d), Float.floatToRawIntBits(m2[j]), "m");
            assertEquals(Float.floatToRawIntBits(B2 * v1[j] + (1f - B2) * d * d), Float.floatToRawIntBits(v2[j]),
                    "v");
        }
    }

    @Test
    void nonTableParametersGetDenseAdamsStepBitForBit() {
        Tiny lazyModel = new Tiny();
        Tiny denseModel = new Tiny();
        Adam lazyOpt = lazy(List.of(lazyModel.emb.table(), lazyModel.other));
        Adam denseOpt = new Adam(List.of(denseModel.emb.table(), denseModel.other), LR, B1, B2, EPS, WD, false);
        for (int s = 0; s < IDS.length; s++) {
            lazyModel.step(lazyOpt, s, upstream(s));
            denseModel.step(denseOpt, s, upstream(s));
            assertBits(denseModel.other.value().toArray(), lazyModel.other.value().toArray(), "step " + (s + 1));
            assertBits(denseOpt.firstMoment(1).toArray(), lazyOpt.firstMoment(1).toArray(), "m, step " + (s + 1));
        }
        // the tables did differ: dense Adam moved the rows no batch looked up
        assertFalse(java.util.Arrays.equals(denseModel.emb.table().value().toArray(),
                lazyModel.emb.table().value().toArray()));
    }

    @Test
    void aTableGradientWrittenOutsideALookupGetsTheDenseStep() {
        Tiny lazyModel = new Tiny();
        Tiny denseModel = new Tiny();
        Adam lazyOpt = lazy(List.of(lazyModel.emb.table()));
        Adam denseOpt = new Adam(List.of(denseModel.emb.table()), LR, B1, B2, EPS, WD, false);
        float[] g = new float[ROWS * DIM];
        for (int i = 0; i < g.length; i++) {
            g[i] = 0.01f * (i - 7);
        }
        for (Tiny t : List.of(lazyModel, denseModel)) {
            t.emb.table().value().zeroGrad();
            backend.upload(g, 0, t.emb.table().value().gradOrZeros(), 0, g.length);
            assertTrue(t.emb.table().value().touchedRows().all(), "a write through gradOrZeros may reach every row");
        }
        lazyOpt.step();
        denseOpt.step();
        assertBits(denseModel.emb.table().value().toArray(), lazyModel.emb.table().value().toArray(), "table");
        lazyOpt.zeroGrad();
        assertFalse(lazyModel.emb.table().value().touchedRows().all(), "zeroGrad forgets the touched rows");
        assertEquals(0, lazyModel.emb.table().value().touchedRows().count());
    }

    @Test
    void aTablesLazyStepAllocatesNothingAfterWarmUp() {
        // the table alone: the dense steps and fills split work over threads through a lambda, which allocates a
        // few bytes per call on any optimiser (what RatingTrainerTest bounds is backend buffers, not heap bytes);
        // 32 columns, as NCF's tables, so that the row kernel's vector loop runs (and would box if not compiled)
        Embedding table = new Embedding(backend, "item", 100, 32, 0.1, new SplittableRandom(5));
        Adam opt = lazy(List.of(table.table()));
        int[][] batches = {{3, 17, 3, 42, 99}, {0, 1, 2, 50, 51}, {98, 7, 7, 7, 64}};
        IndexTensor idx = IndexTensor.of(backend, batches[0]);
        float[] up = new float[5 * 32];
        for (int i = 0; i < up.length; i++) {
            up[i] = 0.01f * (i % 13 - 6);
        }
        Tensor c = Tensor.of(backend, 5, 32, up, false);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        // warm-up: the row buffers exist and the JIT has compiled the step
        for (int s = 0; s < 19_000; s++) {
            lazyStep(opt, table, idx, c, batches[s % batches.length], mx, tid);
        }
        // then windows of 1000 steps until one allocates nothing: a step that allocates shows in every window (at
        // least 16 bytes a step), a one-off JIT event (a recompilation or a deoptimisation that rebuilds
        // scalar-replaced objects, seen once at about 900 bytes without the Vector API) in one window only
        long allocated = Long.MAX_VALUE;
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (int round = 0; allocated != 0 && (round < 10 || System.nanoTime() < deadline) && round < 60; round++) {
            allocated = 0;
            for (int s = 0; s < 1000; s++) {
                allocated += lazyStep(opt, table, idx, c, batches[s % batches.length], mx, tid);
            }
        }
        assertEquals(0, allocated, "bytes allocated by 1000 lazy steps of a 100 x 32 table, in the last of the windows");
    }

    /** One lazy step of the table on a batch of ids; returns the bytes that opt.step() alone allocated. */
    private static long lazyStep(Adam opt, Embedding table, IndexTensor idx, Tensor c, int[] batch,
                                 com.sun.management.ThreadMXBean mx, long tid) {
        opt.zeroGrad();
        idx.set(batch, 0, 5);
        Ops.sum(Ops.mul(table.forward(idx), c)).backward();
        long before = mx.getThreadAllocatedBytes(tid);
        opt.step();
        return mx.getThreadAllocatedBytes(tid) - before;
    }

    @Test
    void theCpuRowKernelAndTheSpisDefaultGiveTheDenseStepsBitsAtTheListedRowsOnly() {
        // 19 columns: whole vector registers and a scalar tail on any width; the default is what a device backend
        // without its own row kernel (OpenCL, CUDA) runs: rows expanded to adamStepIndexed
        Backend defaults = (Backend) java.lang.reflect.Proxy.newProxyInstance(Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class}, (proxy, method, args) -> {
                    String n = method.getName();
                    if (n.equals("adamStepRows") || n.equals("adamStepIndexed")) {
                        return java.lang.reflect.InvocationHandler.invokeDefault(proxy, method, args);
                    }
                    try {
                        return method.invoke(backend, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        int rows = 5;
        int cols = 19;
        int n = rows * cols;
        SplittableRandom rng = new SplittableRandom(3);
        float[][] start = new float[4][n]; // w, g, m, v
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < n; i++) {
                double x = rng.nextDouble(-1, 1);
                start[k][i] = (float) (k == 3 ? Math.abs(x) * 1e-3 : x);
            }
        }
        for (boolean decoupled : new boolean[] {false, true}) {
            dev.winnow.engine.backend.AdamHyper h = new dev.winnow.engine.backend.AdamHyper(B1, B2, EPS, WD, decoupled);
            float[][] dense = run(backend, start, n, h, be -> be.adamStep(s0, s1, s2, s3, null, n, LR, 5, h));
            for (Backend be : new Backend[] {backend, defaults}) {
                float[][] lazy = runRows(be, start, rows, cols, h);
                for (int r = 0; r < rows; r++) {
                    boolean listed = r == 1 || r == 4;
                    for (int k : new int[] {0, 2, 3}) {
                        for (int j = r * cols; j < (r + 1) * cols; j++) {
                            float want = listed ? dense[k][j] : start[k][j];
                            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(lazy[k][j]),
                                    (be == backend ? "cpu" : "default") + " decoupled " + decoupled + " array " + k
                                            + " row " + r + " at " + j);
                        }
                    }
                }
            }
        }
    }

    private static dev.winnow.engine.backend.Storage s0;
    private static dev.winnow.engine.backend.Storage s1;
    private static dev.winnow.engine.backend.Storage s2;
    private static dev.winnow.engine.backend.Storage s3;

    /** Uploads start to s0..s3 on be, runs the update, returns the four arrays. */
    private static float[][] run(Backend be, float[][] start, int n, dev.winnow.engine.backend.AdamHyper h,
                                 java.util.function.Consumer<Backend> update) {
        dev.winnow.engine.backend.Storage[] s = new dev.winnow.engine.backend.Storage[4];
        for (int k = 0; k < 4; k++) {
            s[k] = be.allocate(n);
            be.upload(start[k], 0, s[k], 0, n);
        }
        s0 = s[0];
        s1 = s[1];
        s2 = s[2];
        s3 = s[3];
        update.accept(be);
        float[][] out = new float[4][n];
        for (int k = 0; k < 4; k++) {
            be.download(s[k], 0, out[k], 0, n);
        }
        return out;
    }

    private static float[][] runRows(Backend be, float[][] start, int rows, int cols,
                                     dev.winnow.engine.backend.AdamHyper h) {
        dev.winnow.engine.backend.IntStorage listed = be.allocateInts(2);
        be.uploadInts(new int[] {1, 4}, 0, listed, 0, 2);
        return run(be, start, rows * cols, h, b -> b.adamStepRows(s0, s1, s2, s3, listed, 2, cols, rows * cols, LR, 5,
                h));
    }

    private static void assertBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    what + " at " + i + ": expected " + expected[i] + ", got " + actual[i]);
        }
    }
}
