package dev.winnow.engine.optim;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.loss.Loss;
import dev.winnow.engine.nn.Linear;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import static dev.winnow.engine.tensor.RandomTensors.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pruned weight is exactly 0.0 after every kind of step and its optimiser state stays exactly 0, on both update
 * paths: the dense masked sweep and the indexed update over the survivors.
 */
class MaskedOptimizerTest {
    private static final int ROWS = 4;
    private static final int COLS = 5;
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    /** One optimiser under test and how to read its state tensors for parameter 0. */
    private record Case(String name, Function<List<Parameter>, Optimizer> make,
                        Function<Optimizer, List<Tensor>> state) {
    }

    private static List<Case> cases(Optimizer.MaskedUpdate path) {
        List<Case> out = new ArrayList<>();
        for (Case c : cases()) {
            out.add(new Case(c.name() + " [" + path + "]", ps -> {
                Optimizer o = c.make().apply(ps);
                o.setMaskedUpdate(path);
                return o;
            }, c.state()));
        }
        return out;
    }

    private static List<Case> cases() {
        Function<Optimizer, List<Tensor>> sgdState = o -> List.of(((Sgd) o).momentumBuffer(0));
        Function<Optimizer, List<Tensor>> adamState = o -> List.of(((Adam) o).firstMoment(0),
                ((Adam) o).secondMoment(0));
        return List.of(
                new Case("SGD + momentum + weight decay", ps -> new Sgd(ps, 0.1f, 0.9f, 0f, 0.05f, false), sgdState),
                new Case("SGD + momentum + dampening", ps -> new Sgd(ps, 0.1f, 0.9f, 0.3f, 0.05f, false), sgdState),
                new Case("SGD Nesterov + weight decay", ps -> new Sgd(ps, 0.1f, 0.9f, 0f, 0.05f, true), sgdState),
                new Case("Adam + L2", ps -> new Adam(ps, 0.05f, 0.9f, 0.999f, 1e-8f, 0.05f, false), adamState),
                new Case("AdamW", ps -> new Adam(ps, 0.05f, 0.9f, 0.999f, 1e-8f, 0.05f, true), adamState));
    }

    private static float[] mask() {
        float[] m = new float[ROWS * COLS];
        for (int i = 0; i < m.length; i++) {
            m[i] = i % 3 == 1 ? 0f : 1f;
        }
        return m;
    }

    private static Parameter maskedParameter(long seed) {
        Parameter p = new Parameter("w", Tensor.of(backend, ROWS, COLS, uniform(ROWS * COLS, -1, 1, seed), true),
                true);
        p.setMask(mask());
        return p;
    }

    private static void randomGradient(Parameter p, Optimizer opt, SplittableRandom rng) {
        opt.zeroGrad();
        float[] g = new float[p.value().size()];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) (rng.nextDouble() * 2 - 1); // non-zero at masked positions too
        }
        backend.upload(g, 0, p.value().gradOrZeros(), 0, g.length);
    }

    @ParameterizedTest
    @EnumSource(value = Optimizer.MaskedUpdate.class, names = {"DENSE_SWEEP", "INDEXED"})
    void prunedWeightStaysExactlyZeroAndItsStateZeroAfterEveryKindOfStep(Optimizer.MaskedUpdate path) {
        float[] m = mask();
        for (Case c : cases(path)) {
            Parameter p = maskedParameter(1);
            // a weight that drifted under its mask (e.g. restored values): the next step must zero it again
            float[] drifted = p.value().toArray();
            for (int i = 0; i < drifted.length; i++) {
                if (m[i] == 0f) {
                    drifted[i] = 0.75f;
                }
            }
            p.value().copyFrom(drifted);
            float[] before = p.value().toArray();
            Optimizer opt = c.make().apply(List.of(p));
            SplittableRandom rng = new SplittableRandom(2);
            for (int step = 1; step <= 4; step++) {
                if (step == 3) {
                    // drift again between steps, when the indexed path would otherwise skip the pruned positions
                    float[] again = p.value().toArray();
                    for (int i = 0; i < again.length; i++) {
                        if (m[i] == 0f) {
                            again[i] = -0.5f;
                        }
                    }
                    p.value().copyFrom(again);
                }
                randomGradient(p, opt, rng);
                opt.step();
                float[] w = p.value().toArray();
                for (int i = 0; i < w.length; i++) {
                    if (m[i] == 0f) {
                        assertEquals(0, Float.floatToRawIntBits(w[i]), c.name() + ": pruned weight " + i
                                + " after step " + step + " is " + w[i]);
                    }
                }
                for (Tensor s : c.state().apply(opt)) {
                    float[] sv = s.toArray();
                    for (int i = 0; i < sv.length; i++) {
                        if (m[i] == 0f) {
                            assertEquals(0, Float.floatToRawIntBits(sv[i]), c.name() + ": state of pruned weight "
                                    + i + " after step " + step + " is " + sv[i]);
                        }
                    }
                }
            }
            float[] after = p.value().toArray();
            int changed = 0;
            for (int i = 0; i < after.length; i++) {
                if (m[i] != 0f && after[i] != before[i]) {
                    changed++;
                }
            }
            assertTrue(changed > 0, c.name() + ": no unmasked weight changed");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Optimizer.MaskedUpdate.class, names = {"DENSE_SWEEP", "INDEXED"})
    void prunedWeightOfAMaskedLinearStaysZeroThroughBackwardAndAdamSteps(Optimizer.MaskedUpdate path) {
        Linear layer = new Linear(backend, "fc", COLS, ROWS, true, new SplittableRandom(3));
        layer.weight().setMask(mask());
        Adam adam = new Adam(layer.parameters(), 0.05f);
        adam.setMaskedUpdate(path);
        Tensor x = Tensor.of(backend, 6, COLS, uniform(6 * COLS, -1, 1, 4), false);
        Tensor y = Tensor.of(backend, 6, ROWS, uniform(6 * ROWS, -1, 1, 5), false);
        float[] first = null;
        for (int step = 0; step < 5; step++) {
            adam.zeroGrad();
            Loss.mse(layer.forward(x), y).backward();
            adam.step();
            float[] w = layer.weight().value().toArray();
            first = first == null ? w : first;
            float[] m = mask();
            for (int i = 0; i < w.length; i++) {
                if (m[i] == 0f) {
                    assertEquals(0f, w[i], 0f, "pruned weight " + i + " after step " + step);
                    assertEquals(0f, adam.firstMoment(0).toArray()[i], 0f);
                    assertEquals(0f, adam.secondMoment(0).toArray()[i], 0f);
                }
            }
        }
        assertNotEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(layer.weight().value().toArray()),
                "training must move the surviving weights");
    }

    @ParameterizedTest
    @EnumSource(value = Optimizer.MaskedUpdate.class, names = {"DENSE_SWEEP", "INDEXED"})
    void zeroStateWhereMaskedClearsOnlyThePrunedPositions(Optimizer.MaskedUpdate path) {
        for (Case c : cases(path)) {
            Parameter p = new Parameter("w", Tensor.of(backend, ROWS, COLS, uniform(ROWS * COLS, -1, 1, 6), true),
                    true);
            Optimizer opt = c.make().apply(List.of(p));
            SplittableRandom rng = new SplittableRandom(7);
            for (int step = 0; step < 2; step++) {
                randomGradient(p, opt, rng);
                opt.step();
            }
            List<float[]> before = new ArrayList<>();
            for (Tensor s : c.state().apply(opt)) {
                before.add(s.toArray());
            }
            float[] m = mask();
            p.setMask(m);
            opt.zeroStateWhereMasked();
            List<Tensor> after = c.state().apply(opt);
            for (int k = 0; k < after.size(); k++) {
                float[] sv = after.get(k).toArray();
                for (int i = 0; i < sv.length; i++) {
                    if (m[i] == 0f) {
                        assertEquals(0f, sv[i], 0f, c.name() + ": state " + k + " of pruned position " + i);
                    } else {
                        assertNotEquals(0f, before.get(k)[i], "the state must have been non-zero to begin with");
                        assertEquals(Float.floatToIntBits(before.get(k)[i]), Float.floatToIntBits(sv[i]),
                                c.name() + ": state " + k + " of surviving position " + i + " changed");
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Optimizer.MaskedUpdate.class, names = {"DENSE_SWEEP", "INDEXED"})
    void resetStateMakesTheNextStepIdenticalToAFreshOptimizersFirstStep(Optimizer.MaskedUpdate path) {
        for (Case c : cases(path)) {
            Parameter p = maskedParameter(8);
            Optimizer used = c.make().apply(List.of(p));
            SplittableRandom rng = new SplittableRandom(9);
            for (int step = 0; step < 3; step++) {
                randomGradient(p, used, rng);
                used.step();
            }
            used.resetState();
            for (Tensor s : c.state().apply(used)) {
                for (float v : s.toArray()) {
                    assertEquals(0f, v, 0f, c.name() + ": state after resetState");
                }
            }
            float[] start = p.value().toArray();
            Parameter twin = new Parameter("w", Tensor.of(backend, ROWS, COLS, start, true), true);
            twin.setMask(mask());
            Optimizer fresh = c.make().apply(List.of(twin));
            SplittableRandom g1 = new SplittableRandom(10);
            SplittableRandom g2 = new SplittableRandom(10);
            for (int step = 0; step < 2; step++) {
                randomGradient(p, used, g1);
                used.step();
                randomGradient(twin, fresh, g2);
                fresh.step();
                assertArrayEquals(twin.value().toArray(), p.value().toArray(), 0f,
                        c.name() + ": step " + (step + 1) + " after resetState differs from a fresh optimiser's");
            }
        }
    }
}
