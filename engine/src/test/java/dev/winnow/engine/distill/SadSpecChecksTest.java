package dev.winnow.engine.distill;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.loss.Loss;
import dev.winnow.engine.nn.BatchNorm1d;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.GradientCheck;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checks 1-12 of sad_lth_spec.md §6 (the SAD core and the KD term), one test each, plus a reference comparison. */
class SadSpecChecksTest {
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    static Tensor features(int rows, int cols, long seed, boolean nonNegative, boolean requiresGrad) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            double x = r.nextDouble() * 2 - 1;
            v[i] = (float) (nonNegative ? Math.abs(x) + 0.05 : x);
        }
        return Tensor.of(backend, rows, cols, v, requiresGrad);
    }

    static List<Tensor> featureList(int batch, int[] widths, long seed, boolean requiresGrad) {
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < widths.length; i++) {
            out.add(features(batch, widths[i], seed + 31L * i, true, requiresGrad));
        }
        return out;
    }

    static AttentionDistiller distiller(int[] teacher, int[] student, int d, FeatureMatch match, boolean projBias,
                                        long seed) {
        return new AttentionDistiller(backend, "sad", new SadLayout(teacher, student, d, match, projBias),
                new SplittableRandom(seed));
    }

    /** Moves BN affine parameters away from (1, 0) so that tests see them act. */
    static void randomiseNorms(AttentionDistiller a, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Parameter> norms = new ArrayList<>();
        for (int t = 0; t < a.layout().teachers(); t++) {
            norms.add(a.queryNorm(t).gamma());
            norms.add(a.queryNorm(t).beta());
        }
        for (int s = 0; s < a.layout().students(); s++) {
            norms.add(a.keyNorm(s).gamma());
            norms.add(a.keyNorm(s).beta());
        }
        norms.add(a.bilinearNorm().gamma());
        norms.add(a.bilinearNorm().beta());
        for (Parameter p : norms) {
            float[] v = p.value().toArray();
            boolean gamma = p.name().endsWith(".weight");
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (gamma ? 0.6 + 0.8 * r.nextDouble() : 0.5 * (r.nextDouble() * 2 - 1));
            }
            p.value().copyFrom(v);
        }
    }

    // ---- check 1 ------------------------------------------------------------------------------------------------

    @Test
    void check01AttentionRowsSumToOneWithEntriesInOpenUnitInterval() {
        int[] teacher = {6, 5, 6};
        int[] student = {4, 3};
        AttentionDistiller a = distiller(teacher, student, 8, FeatureMatch.PROJECTION, true, 1);
        AttentionDistiller.Outcome o = a.forward(featureList(5, student, 10, true), featureList(5, teacher, 20, false));
        assertEquals(teacher.length, o.attention().size());
        for (Tensor alpha : o.attention()) {
            assertEquals(5, alpha.rows());
            assertEquals(2, alpha.cols());
            float[] v = alpha.toArray();
            for (int b = 0; b < 5; b++) {
                double sum = 0;
                for (int s = 0; s < 2; s++) {
                    float x = v[b * 2 + s];
                    assertTrue(x > 0f && x < 1f, "alpha entry " + x + " is outside (0, 1)");
                    sum += x;
                }
                assertEquals(1.0, sum, 1e-6, "attention row " + b + " must sum to 1");
            }
        }
        // One student layer: the softmax over a single logit is exactly 1 for every sample and teacher layer.
        AttentionDistiller single = distiller(teacher, new int[] {4}, 8, FeatureMatch.PROJECTION, true, 2);
        AttentionDistiller.Outcome o1 = single.forward(featureList(5, new int[] {4}, 11, true),
                featureList(5, teacher, 21, false));
        for (Tensor alpha : o1.attention()) {
            for (float x : alpha.toArray()) {
                assertEquals(1f, x, 0f);
            }
        }
    }

    // ---- check 2 ------------------------------------------------------------------------------------------------

    @Test
    void check02AttentionLogitArithmetic() {
        double[] expected = {0.66524, 0.24473, 0.09003};
        Tensor raw = Tensor.of(backend, 1, 3, new float[] {2f, 0f, -2f}, false);
        float[] alpha = AttentionDistiller.attentionWeights(raw, (float) (1 / Math.sqrt(4))).toArray();
        double[] ref = AfdValueMaps.attention(new double[] {2, 0, -2}, 4);
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], alpha[i], 1e-5, "engine softmax of (2,0,-2)/sqrt(4), entry " + i);
            assertEquals(expected[i], ref[i], 1e-5, "reference softmax of (2,0,-2)/sqrt(4), entry " + i);
        }
    }

    @Test
    void distillerMatchesADoublePrecisionReferenceOfSection13() {
        int[] teacher = {6, 5, 6};
        int[] student = {4, 3};
        int d = 4;
        int batch = 5;
        AttentionDistiller a = distiller(teacher, student, d, FeatureMatch.PROJECTION, true, 3);
        randomiseNorms(a, 4);
        List<Tensor> hs = featureList(batch, student, 40, true);
        List<Tensor> ht = featureList(batch, teacher, 50, false);
        AttentionDistiller.Outcome o = a.forward(hs, ht);

        int tn = teacher.length;
        int sn = student.length;
        double[][][] q = new double[tn][][];
        for (int t = 0; t < tn; t++) {
            q[t] = batchNorm(linear(ht.get(t), a.query(t)), List.of(), a.queryNorm(t));
        }
        List<double[][]> z = new ArrayList<>();
        for (int s = 0; s < sn; s++) {
            double[][] k = batchNorm(linear(hs.get(s), a.key(s)), List.of(), a.keyNorm(s));
            for (double[] row : k) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = Math.max(0, row[j]);
                }
            }
            z.add(linear(k, a.bilinear()));
        }
        List<double[][]> u = pooledNorm(z, a.bilinearNorm());
        float[] pt = a.teacherPositions().value().toArray();
        float[] ps = a.studentPositions().value().toArray();
        double[][][] alpha = new double[batch][tn][sn];
        double[][][] dist = new double[batch][tn][sn];
        int[] distinct = a.layout().distinctTeacherWidths();
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < tn; t++) {
                double[] logits = new double[sn];
                for (int s = 0; s < sn; s++) {
                    double e = 0;
                    for (int j = 0; j < d; j++) {
                        e += u.get(s)[b][t * d + j] * q[t][b][j] + (double) pt[t * d + j] * ps[s * d + j];
                    }
                    logits[s] = e;
                    int w = a.layout().widthIndex(t);
                    double[] vs = normalise(linear(hs.get(s), a.projection(s, w))[b]);
                    double[] vt = normalise(rows(ht.get(t))[b]);
                    assertEquals(distinct[w], vt.length);
                    double sq = 0;
                    for (int j = 0; j < vt.length; j++) {
                        sq += (vs[j] - vt[j]) * (vs[j] - vt[j]);
                    }
                    dist[b][t][s] = sq / teacher[t];
                }
                alpha[b][t] = AfdValueMaps.attention(logits, d);
            }
        }
        double expectedLoss = AfdValueMaps.loss(alpha, dist);
        for (int t = 0; t < tn; t++) {
            float[] at = o.attention().get(t).toArray();
            float[] dt = o.distance().get(t).toArray();
            for (int b = 0; b < batch; b++) {
                for (int s = 0; s < sn; s++) {
                    assertEquals(alpha[b][t][s], at[b * sn + s], 2e-5, "alpha[" + b + "," + t + "," + s + "]");
                    assertEquals(dist[b][t][s], dt[b * sn + s], 2e-6, "D[" + b + "," + t + "," + s + "]");
                }
            }
        }
        assertEquals(expectedLoss, o.loss().item(), 1e-5 * Math.max(1, expectedLoss));
    }

    static double[][] rows(Tensor x) {
        float[] v = x.toArray();
        double[][] out = new double[x.rows()][x.cols()];
        for (int i = 0; i < x.rows(); i++) {
            for (int j = 0; j < x.cols(); j++) {
                out[i][j] = v[i * x.cols() + j];
            }
        }
        return out;
    }

    static double[][] linear(Tensor x, Linear l) {
        return linear(rows(x), l);
    }

    static double[][] linear(double[][] x, Linear l) {
        float[] w = l.weight().value().toArray();
        float[] b = l.bias() == null ? new float[l.out()] : l.bias().value().toArray();
        double[][] y = new double[x.length][l.out()];
        for (int i = 0; i < x.length; i++) {
            for (int o = 0; o < l.out(); o++) {
                double s = b[o];
                for (int k = 0; k < l.in(); k++) {
                    s += x[i][k] * w[o * l.in() + k];
                }
                y[i][o] = s;
            }
        }
        return y;
    }

    static double[][] batchNorm(double[][] x, List<double[][]> unused, BatchNorm1d bn) {
        List<double[][]> one = new ArrayList<>();
        one.add(x);
        return normalise(one, bn.gamma().value().toArray(), bn.beta().value().toArray()).get(0);
    }

    static List<double[][]> pooledNorm(List<double[][]> blocks, PooledBatchNorm bn) {
        return normalise(blocks, bn.gamma().value().toArray(), bn.beta().value().toArray());
    }

    /** BN with statistics over every row of every block (biased variance, eps 1e-5). */
    static List<double[][]> normalise(List<double[][]> blocks, float[] gamma, float[] beta) {
        int n = gamma.length;
        double[] mean = new double[n];
        double[] var = new double[n];
        int count = 0;
        for (double[][] blk : blocks) {
            for (double[] row : blk) {
                for (int j = 0; j < n; j++) {
                    mean[j] += row[j];
                }
                count++;
            }
        }
        for (int j = 0; j < n; j++) {
            mean[j] /= count;
        }
        for (double[][] blk : blocks) {
            for (double[] row : blk) {
                for (int j = 0; j < n; j++) {
                    var[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
                }
            }
        }
        List<double[][]> out = new ArrayList<>();
        for (double[][] blk : blocks) {
            double[][] y = new double[blk.length][n];
            for (int i = 0; i < blk.length; i++) {
                for (int j = 0; j < n; j++) {
                    y[i][j] = (blk[i][j] - mean[j]) / Math.sqrt(var[j] / count + 1e-5) * gamma[j] + beta[j];
                }
            }
            out.add(y);
        }
        return out;
    }

    static double[] normalise(double[] v) {
        return AfdValueMaps.l2Normalize(v);
    }

    // ---- checks 3-5: the official value maps ---------------------------------------------------------------------

    @Test
    void check03ValueMapExample() {
        double[] vt = AfdValueMaps.valueMap(new float[] {1, 2, 3, 4}, 1, 2, 2, 2, 2);
        assertArrayEquals(new double[] {0.053149, 0.212598, 0.478345, 0.850390}, vt, 1e-6);
        double[] vs = AfdValueMaps.valueMap(new float[] {5}, 1, 1, 1, 2, 2);
        assertArrayEquals(new double[] {0.5, 0.5, 0.5, 0.5}, vs, 1e-12);
        assertEquals(0.1013795, AfdValueMaps.distance(vs, vt), 1e-7);
    }

    @Test
    void check04ChannelMeanOfSquaresAndNormalisation() {
        float[] map = {1, 0, 0, 1, 0, 2, 0, 0};
        double[] m = AfdValueMaps.channelMeanOfSquares(map, 2, 2, 2);
        assertArrayEquals(new double[] {0.5, 2, 0, 0.5}, m, 1e-12);
        assertArrayEquals(new double[] {0.235702, 0.942809, 0, 0.235702}, AfdValueMaps.l2Normalize(m), 1e-6);
    }

    @Test
    void check05AdaptiveAveragePooling() {
        double[] x = new double[16];
        for (int i = 0; i < 16; i++) {
            x[i] = i;
        }
        assertArrayEquals(new double[] {2.5, 4.5, 10.5, 12.5}, AfdValueMaps.adaptiveAvgPool2d(x, 4, 4, 2, 2), 1e-12);
        assertArrayEquals(x, AfdValueMaps.adaptiveAvgPool2d(x, 4, 4, 4, 4), 0.0);
        assertArrayEquals(new double[] {7, 7, 7, 7}, AfdValueMaps.adaptiveAvgPool2d(new double[] {7}, 1, 1, 2, 2),
                0.0);
        // A non-integer ratio uses overlapping windows [floor(i n/m), ceil((i+1) n/m)): 5 -> 3 gives [0,2) [1,4) [3,5).
        assertArrayEquals(new double[] {0.5, 2, 3.5},
                AfdValueMaps.adaptiveAvgPool2d(new double[] {0, 1, 2, 3, 4}, 1, 5, 1, 3), 1e-12);
        // Enlarging 2 -> 4 copies each value twice (nearest neighbour).
        assertArrayEquals(new double[] {1, 1, 2, 2},
                AfdValueMaps.adaptiveAvgPool2d(new double[] {1, 2}, 1, 2, 1, 4), 0.0);
    }

    // ---- check 6 ------------------------------------------------------------------------------------------------

    @Test
    void check06IdenticalFeaturesGiveZeroDistanceAndZeroLoss() {
        SplittableRandom r = new SplittableRandom(6);
        float[] map = new float[3 * 4 * 4];
        for (int i = 0; i < map.length; i++) {
            map[i] = (float) r.nextDouble();
        }
        double[] v = AfdValueMaps.valueMap(map, 3, 4, 4, 4, 4);
        assertEquals(0.0, AfdValueMaps.distance(v, AfdValueMaps.valueMap(map.clone(), 3, 4, 4, 4, 4)), 0.0);
        double[][][] alpha = {{{0.2, 0.8}, {0.7, 0.3}}};
        double[][][] zero = {{{0, 0}, {0, 0}}};
        assertEquals(0.0, AfdValueMaps.loss(alpha, zero), 0.0);

        // The MLP distiller: identity projections and the teacher's own features as the student's give D[t,t] = 0...
        int[] widths = {5, 6};
        AttentionDistiller a = distiller(widths, widths, 4, FeatureMatch.PROJECTION, true, 7);
        for (int s = 0; s < 2; s++) {
            for (int w = 0; w < 2; w++) {
                Linear p = a.projection(s, w);
                float[] eye = new float[p.out() * p.in()];
                for (int i = 0; i < Math.min(p.out(), p.in()); i++) {
                    eye[i * p.in() + i] = 1f;
                }
                p.weight().value().copyFrom(eye);
                p.bias().value().copyFrom(new float[p.out()]);
            }
        }
        List<Tensor> h = featureList(4, widths, 60, false);
        AttentionDistiller.Outcome o = a.forward(h, h);
        for (int t = 0; t < 2; t++) {
            float[] dt = o.distance().get(t).toArray();
            for (int b = 0; b < 4; b++) {
                assertEquals(0f, dt[b * 2 + t], 0f, "D[" + b + "," + t + "," + t + "]");
            }
        }
        // ...and when every map is the same, the loss is 0 whatever the attention.
        Tensor same = features(4, 5, 61, true, false);
        AttentionDistiller b = distiller(new int[] {5, 5}, new int[] {5, 5, 5}, 4, FeatureMatch.PROJECTION, false, 8);
        for (int s = 0; s < 3; s++) {
            float[] eye = new float[25];
            for (int i = 0; i < 5; i++) {
                eye[i * 5 + i] = 1f;
            }
            b.projection(s, 0).weight().value().copyFrom(eye);
        }
        assertEquals(0f, b.loss(List.of(same, same, same), List.of(same, same)).item(), 0f);
    }

    // ---- check 7 ------------------------------------------------------------------------------------------------

    @Test
    void check07PositiveScalingLeavesValueMapsAndDistanceUnchanged() {
        SplittableRandom r = new SplittableRandom(7);
        float[] s = new float[2 * 2 * 2];
        float[] t = new float[3 * 4 * 4];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (r.nextDouble() * 2 - 1);
        }
        for (int i = 0; i < t.length; i++) {
            t[i] = (float) (r.nextDouble() * 2 - 1);
        }
        double base = AfdValueMaps.distance(AfdValueMaps.valueMap(s, 2, 2, 2, 4, 4),
                AfdValueMaps.valueMap(t, 3, 4, 4, 4, 4));
        float[] s2 = s.clone();
        for (int i = 0; i < s2.length; i++) {
            s2[i] *= 3.5f;
        }
        float[] t2 = t.clone();
        for (int i = 0; i < t2.length; i++) {
            t2[i] *= 0.25f;
        }
        // 3.5f * s rounds to float, so equality holds to float precision, not bitwise.
        assertArrayEquals(AfdValueMaps.valueMap(s, 2, 2, 2, 4, 4), AfdValueMaps.valueMap(s2, 2, 2, 2, 4, 4), 1e-7);
        assertEquals(base, AfdValueMaps.distance(AfdValueMaps.valueMap(s2, 2, 2, 2, 4, 4),
                AfdValueMaps.valueMap(t2, 3, 4, 4, 4, 4)), 1e-7 * base);

        // MLP distiller without projection bias: v_s = normalise(P h_s) and v_t = normalise(h_t) are scale-free too.
        int[] teacher = {6, 5};
        int[] student = {4, 3};
        AttentionDistiller a = distiller(teacher, student, 4, FeatureMatch.PROJECTION, false, 9);
        List<Tensor> hs = featureList(4, student, 70, false);
        List<Tensor> ht = featureList(4, teacher, 80, false);
        List<Tensor> base2 = a.forward(hs, ht).distance();
        List<Tensor> scaled = a.forward(scale(hs, 2.5f), scale(ht, 0.3f)).distance();
        for (int i = 0; i < base2.size(); i++) {
            float[] x = base2.get(i).toArray();
            float[] y = scaled.get(i).toArray();
            for (int j = 0; j < x.length; j++) {
                assertEquals(x[j], y[j], 1e-5f * x[j] + 1e-9f, "D entry " + j + " changed under scaling");
            }
        }
    }

    static List<Tensor> scale(List<Tensor> xs, float c) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor x : xs) {
            float[] v = x.toArray();
            for (int i = 0; i < v.length; i++) {
                v[i] *= c;
            }
            out.add(Tensor.of(backend, x.rows(), x.cols(), v, false));
        }
        return out;
    }

    // ---- check 8 ------------------------------------------------------------------------------------------------

    @Test
    void check08DistanceBounds() {
        SplittableRandom r = new SplittableRandom(8);
        double worst = 0;
        for (int trial = 0; trial < 200; trial++) {
            float[] s = new float[2 * 3 * 3];
            float[] t = new float[2 * 3 * 3];
            for (int i = 0; i < s.length; i++) {
                s[i] = (float) (r.nextDouble() * 2 - 1);
                t[i] = (float) (r.nextDouble() * 2 - 1);
            }
            double dd = AfdValueMaps.distance(AfdValueMaps.valueMap(s, 2, 3, 3, 3, 3),
                    AfdValueMaps.valueMap(t, 2, 3, 3, 3, 3));
            assertTrue(dd >= 0 && dd <= 2.0 / 9 + 1e-12, "non-negative maps: D = " + dd + " > 2/(HW)");
            worst = Math.max(worst, dd);
        }
        // Disjoint supports reach the 2/(HW) bound exactly.
        double[] a = AfdValueMaps.l2Normalize(new double[] {1, 0, 0, 0});
        double[] b = AfdValueMaps.l2Normalize(new double[] {0, 1, 0, 0});
        assertEquals(2.0 / 4, AfdValueMaps.distance(a, b), 1e-12);
        // Signed (projected) features: 0 <= D <= 4 / C_t, reached by opposite vectors.
        assertEquals(4.0 / 2, AfdValueMaps.distance(new double[] {1, 0}, new double[] {-1, 0}), 1e-12);
        int[] teacher = {6, 5};
        int[] student = {4, 3};
        AttentionDistiller dist = distiller(teacher, student, 4, FeatureMatch.PROJECTION, true, 10);
        List<Tensor> ds = dist.forward(featureList(6, student, 90, false), featureList(6, teacher, 95, false))
                .distance();
        for (int t = 0; t < teacher.length; t++) {
            for (float v : ds.get(t).toArray()) {
                assertTrue(v >= 0f && v <= 4f / teacher[t] + 1e-6f, "D = " + v + " outside [0, 4/C_t]");
            }
        }
        assertTrue(worst > 0, "the random maps should not all coincide");
    }

    // ---- check 9 ------------------------------------------------------------------------------------------------

    @Test
    void check09NaiveOneByOneAdaptationIsDegenerateAndTheGuardCatchesIt() {
        // The official value map of a C-channel 1x1 map is one number, normalised to exactly 1.
        double[] v1 = AfdValueMaps.valueMap(new float[] {0.3f, 1.7f, 0.2f}, 3, 1, 1, 1, 1);
        double[] v2 = AfdValueMaps.valueMap(new float[] {5f, 0.1f}, 2, 1, 1, 1, 1);
        assertArrayEquals(new double[] {1.0}, v1, 0.0);
        assertEquals(0.0, AfdValueMaps.distance(v1, v2), 0.0);

        int[] teacher = {6, 5};
        int[] student = {4, 3};
        List<Tensor> hs = featureList(4, student, 100, false);
        List<Tensor> ht = featureList(4, teacher, 110, false);
        AttentionDistiller naive = distiller(teacher, student, 4, FeatureMatch.NAIVE_VALUE_MAP, false, 11);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> naive.forward(hs, ht));
        assertTrue(e.getMessage().contains("identically 0"), e.getMessage());

        for (FeatureMatch m : new FeatureMatch[] {FeatureMatch.PROJECTION, FeatureMatch.SIMILARITY}) {
            AttentionDistiller ok = distiller(teacher, student, 4, m, true, 12);
            float loss = ok.loss(hs, ht).item();
            assertTrue(loss > 0f, m + ": loss must be > 0 for random unequal features, got " + loss);
        }
    }

    // ---- check 10 -----------------------------------------------------------------------------------------------

    /**
     * The spec asks for relative error < 1e-4 in double precision; the engine computes in float32, where the loss
     * carries rounding noise of a few ulps, so smaller steps make the finite differences worse, not better (1e-4 gives
     * ~5% error from noise alone). The check therefore uses central differences with a step of 5e-3 (relative to each
     * value) and a 3% relative / 1e-3 absolute tolerance on a loss scaled by beta = 100 (SP-SAD's weight), which
     * keeps the gradients of order 0.01-1. Every group must also have a gradient well above the absolute tolerance,
     * so the check cannot pass on zeros.
     */
    @Test
    void check10GradientsOfTheSadLossMatchFiniteDifferences() {
        int[] teacher = {5, 6};
        int[] student = {4, 3};
        int batch = 4;
        for (FeatureMatch match : new FeatureMatch[] {FeatureMatch.PROJECTION, FeatureMatch.SIMILARITY}) {
            AttentionDistiller a = distiller(teacher, student, 3, match, true, 13);
            randomiseNorms(a, 14);
            List<Tensor> hs = featureList(batch, student, 120, true);
            List<Tensor> ht = featureList(batch, teacher, 130, true);
            Map<String, List<Tensor>> groups = new LinkedHashMap<>();
            groups.put("student features", hs);
            groups.put("query W^Q", tensors(a.query(0).parameters(), a.query(1).parameters()));
            groups.put("query BN", tensors(a.queryNorm(0).parameters(), a.queryNorm(1).parameters()));
            groups.put("key W^K", tensors(a.key(0).parameters(), a.key(1).parameters()));
            groups.put("key BN", tensors(a.keyNorm(0).parameters(), a.keyNorm(1).parameters()));
            groups.put("bilinear W^B", tensors(a.bilinear().parameters()));
            groups.put("bilinear BN", tensors(a.bilinearNorm().parameters()));
            groups.put("p_T", List.of(a.teacherPositions().value()));
            groups.put("p_S", List.of(a.studentPositions().value()));
            if (match == FeatureMatch.PROJECTION) {
                List<Parameter> proj = new ArrayList<>();
                for (int s = 0; s < student.length; s++) {
                    for (int w = 0; w < a.layout().distinctTeacherWidths().length; w++) {
                        proj.addAll(a.projection(s, w).parameters());
                    }
                }
                groups.put("projections P", tensors(proj));
            }
            GradientCheck check = new GradientCheck(5e-3, 3e-2, 1e-3);
            for (Map.Entry<String, List<Tensor>> g : groups.entrySet()) {
                GradientCheck.Result r = check.check(in -> Ops.scale(a.loss(hs, ht), 100f), g.getValue());
                assertTrue(r.passed(), match + " / " + g.getKey() + ": " + r.describe());
                double biggest = 0;
                for (Tensor t : g.getValue()) {
                    for (float x : t.gradToArray()) {
                        biggest = Math.max(biggest, Math.abs(x));
                    }
                }
                assertTrue(biggest > 1e-2, match + " / " + g.getKey() + ": gradient too small to test (" + biggest
                        + ")");
            }
            for (Tensor t : ht) {
                assertNull(t.grad(), "the teacher's features must get no gradient");
            }
        }
    }

    @SafeVarargs
    static List<Tensor> tensors(List<Parameter>... lists) {
        List<Tensor> out = new ArrayList<>();
        for (List<Parameter> l : lists) {
            for (Parameter p : l) {
                out.add(p.value());
            }
        }
        return out;
    }

    // ---- check 11 -----------------------------------------------------------------------------------------------

    @Test
    void check11DistillerParameterCountForWrn40x2ToWrn16x2() {
        int[] teacher = new int[18];
        for (int i = 0; i < 18; i++) {
            teacher[i] = 32 << (i / 6);
        }
        int[] student = {32, 32, 64, 64, 128, 128};
        SadLayout wrn = new SadLayout(teacher, student, 128, FeatureMatch.NAIVE_VALUE_MAP, false);
        long query = 0;
        long key = 0;
        long bilinear = 0;
        for (SadLayout.LayerSpec s : wrn.layers()) {
            switch (s.role()) {
                case QUERY: query += s.parameterCount(); break;
                case KEY: key += s.parameterCount(); break;
                case BILINEAR: bilinear += s.parameterCount(); break;
                default: throw new AssertionError("the official layout has no projections");
            }
        }
        assertEquals(178_944, query);
        assertEquals(59_648, key);
        assertEquals(301_824, bilinear);
        assertEquals(543_488, wrn.parameterCount());
        // The distiller built from that layout really has that many learnable scalars.
        AttentionDistiller built = new AttentionDistiller(backend, "afd", wrn, new SplittableRandom(15));
        assertEquals(543_488, built.parameterCount());
        assertEquals(2_304, built.teacherPositions().value().size());
        assertEquals(768, built.studentPositions().value().size());
        // The MLP layout adds one projection per (student layer, distinct teacher width), counted the same way.
        SadLayout mlp = SadLayout.forMlp(new int[] {64, 32, 64}, new int[] {16, 8}, 8);
        AttentionDistiller m = new AttentionDistiller(backend, "sad", mlp, new SplittableRandom(16));
        assertEquals(mlp.parameterCount(), m.parameterCount());
        long projections = (16 * 64 + 64) + (16 * 32 + 32) + (8 * 64 + 64) + (8 * 32 + 32);
        SadLayout noProj = new SadLayout(new int[] {64, 32, 64}, new int[] {16, 8}, 8, FeatureMatch.SIMILARITY, true);
        assertEquals(noProj.parameterCount() + projections, mlp.parameterCount());
        for (Parameter p : m.parameters()) {
            assertTrue(!p.prunable(), p.name() + " belongs to the distiller and must not be prunable");
        }
    }

    // ---- check 12 -----------------------------------------------------------------------------------------------

    /** Hinton's term: the engine's tempered KL against the detached teacher (no Winnow head is a classifier). */
    private static Tensor hinton(Tensor studentLogits, Tensor teacherLogits, float temperature) {
        return Loss.klDivTempered(studentLogits, AttentionDistiller.detach(teacherLogits), temperature);
    }

    @Test
    void check12HintonKdTerm() {
        Tensor zs = Tensor.of(backend, 1, 3, new float[] {1, 0, 0}, true);
        Tensor zt = Tensor.of(backend, 1, 3, new float[] {0, 1, 0}, false);
        assertEquals(0.345948, hinton(zs, zt, 4f).item(), 1e-5);
        assertEquals(0f, hinton(zt, Tensor.of(backend, 1, 3, new float[] {0, 1, 0}, false), 4f).item(), 1e-7f);

        int batch = 3;
        float temp = 4f;
        Tensor s = features(batch, 5, 140, false, true);
        Tensor t = features(batch, 5, 150, false, true);
        Tensor kl = hinton(s, t, temp);
        assertTrue(kl.item() >= 0f);
        kl.backward();
        float[] grad = s.gradToArray();
        float[] sv = s.toArray();
        float[] tv = t.toArray();
        for (int b = 0; b < batch; b++) {
            double[] ps = softmax(sv, b, 5, temp);
            double[] pt = softmax(tv, b, 5, temp);
            for (int c = 0; c < 5; c++) {
                assertEquals(temp * (ps[c] - pt[c]) / batch, grad[b * 5 + c], 1e-6, "dKL/dz_S[" + b + "," + c + "]");
            }
        }
        assertNull(t.grad(), "the teacher's logits must get no gradient");
        SplittableRandom r = new SplittableRandom(17);
        for (int trial = 0; trial < 20; trial++) {
            Tensor a = features(4, 6, r.nextLong(), false, false);
            Tensor b = features(4, 6, r.nextLong(), false, false);
            assertTrue(hinton(a, b, 1f + trial).item() >= 0f, "KL must never be negative");
        }
    }

    static double[] softmax(float[] z, int row, int cols, float temp) {
        double[] p = new double[cols];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < cols; c++) {
            max = Math.max(max, z[row * cols + c] / temp);
        }
        double sum = 0;
        for (int c = 0; c < cols; c++) {
            p[c] = Math.exp(z[row * cols + c] / temp - max);
            sum += p[c];
        }
        for (int c = 0; c < cols; c++) {
            p[c] /= sum;
        }
        return p;
    }
}
