package dev.winnow.engine.distill;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.loss.Loss;
import dev.winnow.engine.nn.Mlp;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.optim.Sgd;
import dev.winnow.engine.prune.IterativePruning;
import dev.winnow.engine.prune.LthConfig;
import dev.winnow.engine.prune.PrunableSet;
import dev.winnow.engine.prune.SparsityReport;
import dev.winnow.engine.tensor.GradMode;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The distiller trained next to a pruned student, as the paper's methods use it. */
class DistillationTrainingTest {
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    @Test
    void sadLossFallsWhileTheDistillerTrainsAndIsNeverPrunedOrCounted() {
        Mlp teacher = Mlp.builder(6).hidden(16, 12).build(backend, "teacher", 1, new SplittableRandom(1));
        teacher.train(false);
        Mlp student = Mlp.builder(6).hidden(8, 6).build(backend, "student", 1, new SplittableRandom(2));
        AttentionDistiller sad = new AttentionDistiller(backend, "sad", SadLayout.forMlp(new int[] {16, 12},
                new int[] {8, 6}, 8), new SplittableRandom(3));
        List<Parameter> trainable = new ArrayList<>(student.parameters());
        trainable.addAll(sad.parameters());
        Sgd opt = new Sgd(trainable, 0.05f, 0.9f, 5e-4f);
        PrunableSet set = PrunableSet.forMlp(student, false);
        IterativePruning lth = IterativePruning.of(student, set, LthConfig.lthSad(), null);
        float[] distillerBefore = sad.bilinear().weight().value().toArray();

        SplittableRandom r = new SplittableRandom(4);
        float[] xs = new float[16 * 6];
        float[] ys = new float[16];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) (r.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < ys.length; i++) {
            ys[i] = (float) r.nextDouble();
        }
        Tensor x = Tensor.of(backend, 16, 6, xs, false);
        Tensor y = Tensor.of(backend, 16, 1, ys, false);
        float first = 0;
        float last = 0;
        for (int step = 0; step < 60; step++) {
            List<Tensor> tTaps = new ArrayList<>();
            Tensor tOut;
            try (GradMode g = GradMode.disabled()) {
                tOut = teacher.forward(x, tTaps);
            }
            List<Tensor> sTaps = new ArrayList<>();
            Tensor sOut = student.forward(x, sTaps);
            Tensor sadLoss = sad.loss(sTaps, tTaps);
            Tensor loss = dev.winnow.engine.tensor.Ops.add(
                    dev.winnow.engine.tensor.Ops.add(Loss.mse(sOut, y), KdLoss.regression(sOut, tOut)),
                    dev.winnow.engine.tensor.Ops.scale(sadLoss, 50f));
            if (step == 0) {
                first = sadLoss.item();
            }
            last = sadLoss.item();
            opt.zeroGrad();
            loss.backward();
            opt.step();
            lth.afterStep(step + 1);
            if (step == 30) {
                lth.prune(opt);
            }
        }
        assertTrue(last < 0.7f * first, "SAD loss should fall with training: " + first + " -> " + last);
        float[] distillerAfter = sad.bilinear().weight().value().toArray();
        boolean moved = false;
        for (int i = 0; i < distillerAfter.length; i++) {
            moved |= distillerAfter[i] != distillerBefore[i];
        }
        assertTrue(moved, "the distiller must be trained by the same optimiser");
        for (Parameter p : sad.parameters()) {
            assertNull(p.mask(), p.name() + " belongs to the distiller and must never be masked");
        }
        Set<String> studentNames = new HashSet<>();
        for (Parameter p : student.parameters()) {
            studentNames.add(p.name());
        }
        SparsityReport report = SparsityReport.of(set);
        long weights = 0;
        for (SparsityReport.Layer l : report.layers()) {
            assertTrue(studentNames.contains(l.name()), l.name() + " is not a student tensor");
            weights += l.size();
        }
        assertEquals(6 * 8 + 8 * 6, weights);
        assertTrue(set.density() < 1.0);
    }

    @Test
    void regressionDistillationIsTheSquaredErrorToTheDetachedTeacher() {
        Tensor s = Tensor.of(backend, 4, 1, new float[] {1f, 2f, 3f, 4f}, true);
        Tensor t = Tensor.of(backend, 4, 1, new float[] {1.5f, 2f, 2f, 5f}, true);
        Tensor kd = KdLoss.regression(s, t);
        assertEquals((0.25 + 0 + 1 + 1) / 4, kd.item(), 1e-7);
        kd.backward();
        float[] g = s.gradToArray();
        float[] expected = {2 * -0.5f / 4, 0f, 2 * 1f / 4, 2 * -1f / 4};
        for (int i = 0; i < 4; i++) {
            assertEquals(expected[i], g[i], 1e-7f);
        }
        assertNull(t.grad(), "the teacher's prediction must get no gradient");
    }

    @Test
    void squaredProjectionVariantIsFiniteAndPositiveAndMatchesItsDefinition() {
        int[] teacher = {5, 6};
        int[] student = {4};
        AttentionDistiller a = new AttentionDistiller(backend, "sad",
                new SadLayout(teacher, student, 4, FeatureMatch.PROJECTION_SQUARED, true), new SplittableRandom(5));
        List<Tensor> hs = List.of(signed(4, 4, 1));
        List<Tensor> ht = List.of(signed(4, 5, 2), signed(4, 6, 3));
        AttentionDistiller.Outcome o = a.forward(hs, ht);
        // S = 1, so alpha = 1 and D[b,t,0] = ||normalise((P h_s)^2) - normalise(h_t^2)||^2 / C_t.
        double[][] hsRows = SadSpecChecksTest.rows(hs.get(0));
        for (int t = 0; t < 2; t++) {
            double[][] proj = SadSpecChecksTest.linear(hsRows, a.projection(0, t));
            double[][] htRows = SadSpecChecksTest.rows(ht.get(t));
            float[] dt = o.distance().get(t).toArray();
            for (int b = 0; b < 4; b++) {
                double[] vs = squareNormalise(proj[b]);
                double[] vt = squareNormalise(htRows[b]);
                assertEquals(AfdValueMaps.distance(vs, vt), dt[b], 1e-6);
            }
        }
        assertTrue(o.loss().item() > 0f);
    }

    private static Tensor signed(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Tensor.of(backend, rows, cols, v, false);
    }

    private static double[] squareNormalise(double[] v) {
        double[] sq = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            sq[i] = v[i] * v[i];
        }
        return AfdValueMaps.l2Normalize(sq);
    }
}
