package dev.winnow.engine.tensor;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpsGradientTest {
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    static Tensor random(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Tensor.of(backend, rows, cols, v, true);
    }

    @Test
    void matmulWithEveryTransposeMatchesFiniteDifferences() {
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Tensor a = ta ? random(4, 3, 1) : random(3, 4, 1);
                Tensor b = tb ? random(5, 4, 2) : random(4, 5, 2);
                GradientCheck.Result r = GradientCheck.standard().check(
                        in -> Ops.sum(Ops.square(Ops.matmul(in.get(0), in.get(1), ta, tb))), List.of(a, b));
                assertTrue(r.passed(), "transA=" + ta + " transB=" + tb + ": " + r.describe());
            }
        }
    }

    @Test
    void checkerCatchesADeliberatelyWrongGradient() {
        Tensor a = random(3, 3, 7);
        // A "square" whose backward claims d/dx = x instead of 2x: the checker must reject it.
        GradientCheck.Result r = GradientCheck.standard().check(in -> {
            Tensor x = in.get(0);
            Tensor y = Tensor.result(backend, x.rows(), x.cols(), 2, "wrongSquare", x);
            backend.unary(dev.winnow.engine.backend.UnaryOp.SQUARE, 0f, x.data(), y.data(), x.size());
            y.setBackward(() -> backend.axpy(1f, backend == null ? null : multiply(y.grad(), x), x.gradOrZeros(),
                    x.size()));
            return Ops.sum(y);
        }, List.of(a));
        assertFalse(r.passed(), r.describe());
    }

    private static dev.winnow.engine.backend.Storage multiply(dev.winnow.engine.backend.Storage g, Tensor x) {
        dev.winnow.engine.backend.Storage out = backend.allocate(x.size());
        backend.binary(dev.winnow.engine.backend.BinaryOp.MUL, g, x.data(),
                dev.winnow.engine.backend.Broadcast.FULL, x.rows(), x.cols(), out);
        return out;
    }
}
