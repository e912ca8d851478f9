package dev.winnow.engine.io;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Activation;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.runtime.RecommenderModel;
import dev.winnow.engine.runtime.TensorInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RuntimeMatchesEngineTest {
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static RecommenderModel exportAndLoad(TestModels m, StorageChoice s) throws Exception {
        byte[] bytes = ModelExporter.encode(m.export(1f, 5f), s, 1.0).bytes();
        return RecommenderModel.load(new ByteArrayInputStream(bytes));
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int k = 0; k < a.length; k++) {
            d = Math.max(d, Math.abs((double) a[k] - b[k]));
        }
        return d;
    }

    private static float[] runtimeScores(RecommenderModel r, int[][] p, boolean batched) {
        float[] out = new float[p[0].length];
        if (batched) {
            r.scoreBatch(p[0], p[1], out.length, out);
        } else {
            for (int k = 0; k < out.length; k++) {
                out[k] = r.score(p[0][k], p[1][k]);
            }
        }
        return out;
    }

    @Test
    void fp32StoragesMatchTheEngineWithin1e6OnAwkwardShapes() throws Exception {
        for (Activation act : new Activation[] {Activation.RELU, Activation.LEAKY_RELU, Activation.TANH,
                Activation.SIGMOID}) {
            TestModels m = new TestModels(backend, 13, 29, 5, new int[] {7, 3}, act, 11);
            m.pruneByMagnitude(0.37);
            int[][] p = TestModels.pairs(13, 29, 500, 3);
            float[] ref = m.forward(p[0], p[1]);
            for (StorageChoice s : new StorageChoice[] {StorageChoice.DENSE, StorageChoice.CSR}) {
                RecommenderModel r = exportAndLoad(m, s);
                assertTrue(maxDiff(ref, runtimeScores(r, p, false)) <= 1e-6, act + " " + s + " single");
                assertTrue(maxDiff(ref, runtimeScores(r, p, true)) <= 1e-6, act + " " + s + " batch");
            }
        }
    }

    @Test
    void fp16StorageMatchesTheEngineWithin1e2() throws Exception {
        TestModels m = new TestModels(backend, 31, 17, 8, new int[] {16, 9}, Activation.RELU, 5);
        m.pruneByMagnitude(0.5);
        int[][] p = TestModels.pairs(31, 17, 1000, 4);
        double d = maxDiff(m.forward(p[0], p[1]), runtimeScores(exportAndLoad(m, StorageChoice.CSR_FP16), p, true));
        assertTrue(d <= 1e-2, "fp16 error " + d);
        assertTrue(d > 0, "fp16 rounding should be visible, else the test does not exercise it");
    }

    /**
     * int8 keeps per row r the values q * s_r with s_r = max|W[r,:]| / 127, so each weight moves by at most s_r / 2.
     * With x the exact input of a layer and e its error bound, |y^ - y|_o <= sum_c (|W_oc| + s_o/2) e_c +
     * (s_o/2) sum_c |x_c|; ReLU does not enlarge it. The runtime must stay inside this bound (+ fp32 slack).
     */
    @Test
    void int8StorageStaysWithinThePropagatedQuantisationBound() throws Exception {
        TestModels m = new TestModels(backend, 23, 41, 6, new int[] {12, 5}, Activation.RELU, 9);
        m.pruneByMagnitude(0.6);
        RecommenderModel r = exportAndLoad(m, StorageChoice.INT8);
        int[][] p = TestModels.pairs(23, 41, 400, 8);
        float[] ref = m.forward(p[0], p[1]);
        float[] got = runtimeScores(r, p, false);
        double worstRatio = 0;
        for (int k = 0; k < ref.length; k++) {
            double bound = int8Bound(m, p[0][k], p[1][k]) + 1e-5;
            double err = Math.abs(ref[k] - got[k]);
            assertTrue(err <= bound, "pair " + k + ": int8 error " + err + " above the bound " + bound);
            worstRatio = Math.max(worstRatio, err / bound);
        }
        assertTrue(worstRatio > 0, "int8 rounding should be visible");
    }

    static double int8Bound(TestModels m, int user, int item) {
        int d = m.users.dim();
        float[] ut = m.users.table().value().toArray();
        float[] it = m.items.table().value().toArray();
        double[] x = new double[2 * d];
        double[] e = new double[2 * d];
        double su = rowMaxAbs(ut, user, d) / 127;
        double si = rowMaxAbs(it, item, d) / 127;
        for (int c = 0; c < d; c++) {
            x[c] = ut[user * d + c];
            x[d + c] = it[item * d + c];
            e[c] = su / 2;
            e[d + c] = si / 2;
        }
        for (int li = 0; li < m.mlp.layers().size(); li++) {
            Linear l = m.mlp.layers().get(li);
            float[] w = l.weight().value().toArray();
            float[] b = l.bias().value().toArray();
            double[] y = new double[l.out()];
            double[] ey = new double[l.out()];
            for (int o = 0; o < l.out(); o++) {
                double s = rowMaxAbs(w, o, l.in()) / 127;
                double sum = b[o];
                double err = 0;
                double l1 = 0;
                for (int c = 0; c < l.in(); c++) {
                    sum += w[o * l.in() + c] * x[c];
                    err += (Math.abs(w[o * l.in() + c]) + s / 2) * e[c];
                    l1 += Math.abs(x[c]);
                }
                boolean last = li == m.mlp.layers().size() - 1;
                y[o] = last ? sum : Math.max(0, sum);
                ey[o] = err + s / 2 * l1;
            }
            x = y;
            e = ey;
        }
        return e[0];
    }

    private static double rowMaxAbs(float[] w, int r, int cols) {
        double m = 0;
        for (int c = 0; c < cols; c++) {
            m = Math.max(m, Math.abs(w[r * cols + c]));
        }
        return m;
    }

    @Test
    void predictClipsToTheRatingRangeLikeTheTrainer() throws Exception {
        TestModels m = new TestModels(backend, 5, 6, 4, new int[] {8}, Activation.RELU, 2);
        RecommenderModel r = exportAndLoad(m, StorageChoice.DENSE);
        for (int u = 0; u < 5; u++) {
            for (int i = 0; i < 6; i++) {
                float raw = r.score(u, i);
                assertEquals(Math.max(1f, Math.min(5f, raw)), r.predict(u, i));
            }
        }
    }

    @Test
    void autoPicksTheSmallestEncodingWithinTheToleranceAndSaysWhichItPicked(@TempDir Path dir) throws Exception {
        TestModels m = new TestModels(backend, 200, 300, 16, new int[] {32, 16}, Activation.RELU, 21);
        m.pruneByMagnitude(0.1);
        NcfExport e = m.export(1f, 5f);
        ModelExporter.Report auto = ModelExporter.export(e, StorageChoice.AUTO, 1e-2, dir.resolve("auto.wnw"));
        assertTrue(auto.maxAbsError() <= 1e-2, auto.choice() + " error " + auto.maxAbsError());
        long smallest = Long.MAX_VALUE;
        for (StorageChoice s : new StorageChoice[] {StorageChoice.DENSE, StorageChoice.CSR, StorageChoice.CSR_FP16,
                StorageChoice.INT8}) {
            ModelExporter.Encoded enc = ModelExporter.encode(e, s, 1e-2);
            if (enc.error() <= 1e-2) {
                smallest = Math.min(smallest, enc.bytes().length);
            }
        }
        assertTrue(auto.fileBytes() <= smallest, "auto " + auto.fileBytes() + " vs best uniform " + smallest);
        assertEquals(auto.fileBytes(), Files.size(dir.resolve("auto.wnw")));
        // the tolerance is honoured: with a tolerance of 0 only an exact (fp32) encoding qualifies
        ModelExporter.Report exact = ModelExporter.export(e, StorageChoice.AUTO, 0.0, dir.resolve("exact.wnw"));
        assertEquals(0.0, exact.maxAbsError());
        for (TensorInfo t : exact.tensors()) {
            assertTrue(t.storage() <= 1, t.name() + " stored " + t.storageName());
        }
    }

    @Test
    void exportLeavesNoTemporaryFileAndReplacesAnOldFile(@TempDir Path dir) throws Exception {
        TestModels m = new TestModels(backend, 5, 6, 4, new int[] {8}, Activation.RELU, 2);
        Path out = dir.resolve("m.wnw");
        Files.write(out, new byte[] {1, 2, 3});
        ModelExporter.export(m.export(1f, 5f), StorageChoice.CSR, 1e-2, out);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
        assertEquals(5, RecommenderModel.load(out).userCount());
    }
}
