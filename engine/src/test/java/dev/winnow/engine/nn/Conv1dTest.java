package dev.winnow.engine.nn;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.tensor.ConvOps;
import dev.winnow.engine.tensor.GradientCheck;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Conv1dTest {
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static Tensor random(int rows, int cols, long seed, boolean grad) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return Tensor.of(backend, rows, cols, v, grad);
    }

    /** The textbook definition, channels-last, zero padding: the reference the im2col + GEMM path must match. */
    private static float[] naiveConv(float[] x, int batch, int length, int in, float[] w, float[] b, int out,
                                     int kernel, int pad) {
        int outLength = length + 2 * pad - kernel + 1;
        float[] y = new float[batch * outLength * out];
        for (int n = 0; n < batch; n++) {
            for (int t = 0; t < outLength; t++) {
                for (int o = 0; o < out; o++) {
                    double s = b[o];
                    for (int j = 0; j < kernel; j++) {
                        int pos = t + j - pad;
                        if (pos < 0 || pos >= length) {
                            continue;
                        }
                        for (int c = 0; c < in; c++) {
                            s += (double) w[o * kernel * in + j * in + c] * x[n * length * in + pos * in + c];
                        }
                    }
                    y[n * outLength * out + t * out + o] = (float) s;
                }
            }
        }
        return y;
    }

    @Test
    void forwardMatchesTheDirectConvolutionOnAwkwardShapes() {
        int[][] shapes = {{3, 7, 2, 5, 3, 1}, {1, 4, 1, 3, 3, 0}, {5, 11, 3, 4, 5, 2}, {2, 1, 1, 2, 3, 1}};
        for (int[] s : shapes) {
            int batch = s[0], length = s[1], in = s[2], out = s[3], kernel = s[4], pad = s[5];
            Conv1d conv = new Conv1d(backend, "c", in, out, kernel, pad, new SplittableRandom(11));
            Tensor x = random(batch, length * in, 5, false);
            float[] got = conv.forward(x, length).toArray();
            float[] want = naiveConv(x.toArray(), batch, length, in, conv.weight().value().toArray(),
                    conv.bias().value().toArray(), out, kernel, pad);
            assertEquals(want.length, got.length, "output size for shape " + java.util.Arrays.toString(s));
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-5, "element " + i + " for shape " + java.util.Arrays.toString(s));
            }
        }
    }

    @Test
    void gradientsOfInputWeightAndBiasMatchFiniteDifferences() {
        Conv1d conv = new Conv1d(backend, "c", 2, 3, 3, 1, new SplittableRandom(3));
        Tensor x = random(2, 5 * 2, 9, true);
        Tensor w = conv.weight().value();
        Tensor b = conv.bias().value();
        GradientCheck.Result r = GradientCheck.standard().check(
                in -> Ops.sum(Ops.square(conv.forward(in.get(0), 5))), List.of(x, w, b));
        assertTrue(r.passed(), r.describe());
    }

    @Test
    void stackedConvolutionsWithPoolingMatchFiniteDifferences() {
        Conv1d c1 = new Conv1d(backend, "c1", 1, 4, 3, 1, new SplittableRandom(1));
        Conv1d c2 = new Conv1d(backend, "c2", 4, 3, 3, 1, new SplittableRandom(2));
        Tensor x = random(3, 6, 4, true);
        GradientCheck.Result r = GradientCheck.standard().check(in -> {
            Tensor h = Ops.tanh(c1.forward(in.get(0), 6));
            Tensor g = ConvOps.meanOverPositions(Ops.tanh(c2.forward(h, 6)), 6, 3);
            return Ops.sum(Ops.square(g));
        }, List.of(x, c1.weight().value(), c2.weight().value(), c2.bias().value()));
        assertTrue(r.passed(), r.describe());
    }

    @Test
    void poolingAveragesEachChannelOverPositions() {
        // two positions, two channels, channels-last: [t0c0, t0c1, t1c0, t1c1]
        Tensor x = Tensor.of(backend, 1, 4, new float[] {1, 10, 3, 30}, false);
        float[] y = ConvOps.meanOverPositions(x, 2, 2).toArray();
        assertEquals(2f, y[0], 1e-6);
        assertEquals(20f, y[1], 1e-6);
    }

    @Test
    void maskedWeightsGetNoGradientAndTheWeightIsPrunableButNotTheBias() {
        Conv1d conv = new Conv1d(backend, "c", 2, 2, 3, 1, new SplittableRandom(8));
        assertTrue(conv.weight().prunable());
        assertFalse(conv.bias().prunable());
        float[] mask = new float[conv.weight().value().size()];
        for (int i = 0; i < mask.length; i += 2) {
            mask[i] = 1f;
        }
        conv.weight().setMask(mask);
        Tensor x = random(2, 4 * 2, 6, false);
        conv.weight().value().zeroGrad();
        Ops.sum(Ops.square(conv.forward(x, 4))).backward();
        float[] g = conv.weight().value().gradToArray();
        boolean anyAlive = false;
        for (int i = 0; i < g.length; i++) {
            if (mask[i] == 0f) {
                assertEquals(0f, g[i], 0f, "masked weight " + i + " received a gradient");
            } else {
                anyAlive |= g[i] != 0f;
            }
        }
        assertTrue(anyAlive, "surviving weights must still learn");
    }

    @Test
    void aSequenceShorterThanTheKernelIsRejectedWithItsSizes() {
        Conv1d conv = new Conv1d(backend, "c", 1, 2, 5, 0, new SplittableRandom(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> conv.forward(random(1, 3, 1, false), 3));
        assertTrue(e.getMessage().contains("3 positions"), e.getMessage());
    }
}
