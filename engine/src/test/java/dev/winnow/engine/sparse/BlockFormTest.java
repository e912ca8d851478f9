package dev.winnow.engine.sparse;

import dev.winnow.engine.backend.BlockMatrix;
import dev.winnow.engine.backend.Storage;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.tensor.GradMode;
import dev.winnow.engine.tensor.GradientCheck;
import dev.winnow.engine.tensor.Ops;
import dev.winnow.engine.tensor.SparseOps;
import dev.winnow.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A pruned weight whose mask is made of whole 16x1 blocks runs in block form on the CPU: the form is chosen by the
 * pattern, follows the dense weight through refreshes, the layer's outputs are the CSR form's bit for bit (with and
 * without gradients), and its gradients are the CSR form's to float accuracy (they sum in another order) and match
 * finite differences.
 */
class BlockFormTest {
    private static CpuBackend backend;

    @BeforeAll
    static void open() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void close() {
        backend.close();
    }

    /** Whole blocks of rows 16g.. of one column, each kept with probability {@code density}. */
    private static float[] blockMask(int out, int in, double density, SplittableRandom rng) {
        float[] m = new float[out * in];
        for (int r0 = 0; r0 < out; r0 += BlockMatrix.HEIGHT) {
            for (int c = 0; c < in; c++) {
                float keep = rng.nextDouble() < density ? 1f : 0f;
                for (int r = r0; r < Math.min(out, r0 + BlockMatrix.HEIGHT); r++) {
                    m[r * in + c] = keep;
                }
            }
        }
        return m;
    }

    private static float[] maskedWeights(float[] mask, SplittableRandom rng) {
        float[] w = new float[mask.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = mask[i] == 0f ? 0f : (float) rng.nextGaussian();
        }
        return w;
    }

    @Test
    void theBlockFormIsTakenForWellFilledBlocksOnly() {
        SplittableRandom rng = new SplittableRandom(1);
        float[] blocks = blockMask(40, 33, 0.3, rng);
        float[] single = new float[40 * 33];
        for (int i = 0; i < single.length; i++) {
            single[i] = rng.nextDouble() < 0.1 ? 1f : 0f; // a 16-row block holds an entry with p 0.81, fill ~0.12
        }
        try (CsrWeight a = CsrWeight.fromMask(backend, blocks, maskedWeights(blocks, rng), 40, 33);
             CsrWeight b = CsrWeight.fromMask(backend, single, maskedWeights(single, rng), 40, 33);
             CsrWeight c = CsrWeight.fromMask(backend, blocks, maskedWeights(blocks, rng), 40, 33, false)) {
            assertNotNull(a.block(), "whole blocks");
            assertNull(b.block(), "unstructured at density 0.1");
            assertNull(c.block(), "block form turned off");
        }
        // one weight missing from one block: padding inside the matrix, so CSR
        float[] almost = blocks.clone();
        for (int i = 0; i < almost.length; i++) {
            if (almost[i] != 0f) {
                almost[i] = 0f;
                break;
            }
        }
        try (CsrWeight d = CsrWeight.fromMask(backend, almost, maskedWeights(almost, rng), 40, 33)) {
            assertNull(d.block(), "a block with a pruned weight in it");
        }
    }

    @Test
    void theBlocksFollowTheDenseWeightThroughRefreshes() {
        SplittableRandom rng = new SplittableRandom(2);
        int out = 37;
        int in = 21;
        float[] mask = blockMask(out, in, 0.4, rng);
        float[] dense = maskedWeights(mask, rng);
        try (CsrWeight csr = CsrWeight.fromMask(backend, mask, dense, out, in)) {
            Storage weight = backend.allocate(dense.length);
            for (int round = 0; round < 3; round++) {
                dense = maskedWeights(mask, rng);
                backend.upload(dense, 0, weight, 0, dense.length);
                csr.refresh(weight);
                BlockMatrix bm = csr.block();
                int[] gp = new int[BlockMatrix.groups(out) + 1];
                int[] bc = new int[bm.blocks];
                float[] v = new float[bm.blocks * BlockMatrix.HEIGHT];
                backend.downloadInts(bm.groupPtr, 0, gp, 0, gp.length);
                backend.downloadInts(bm.blockCol, 0, bc, 0, bc.length);
                backend.download(bm.values, 0, v, 0, v.length);
                int seen = 0;
                for (int g = 0; g + 1 < gp.length; g++) {
                    for (int k = gp[g]; k < gp[g + 1]; k++) {
                        for (int i = 0; i < BlockMatrix.HEIGHT && g * BlockMatrix.HEIGHT + i < out; i++) {
                            int pos = (g * BlockMatrix.HEIGHT + i) * in + bc[k];
                            assertEquals(dense[pos], v[k * BlockMatrix.HEIGHT + i], 0f, "round " + round);
                            seen++;
                        }
                    }
                }
                int kept = 0;
                for (float m : mask) {
                    kept += m != 0f ? 1 : 0;
                }
                assertEquals(kept, seen, "every kept weight in one lane");
                // the backward's copy, row by row over each group's kept columns, follows only when asked for
                BlockMatrix bb = csr.blockForBackward();
                int[] pp = new int[gp.length];
                backend.downloadInts(bb.padPtr, 0, pp, 0, pp.length);
                int[] pc = new int[pp[pp.length - 1]];
                backend.downloadInts(bb.padCol, 0, pc, 0, pc.length);
                float[] vt = new float[pc.length * BlockMatrix.HEIGHT];
                backend.download(bb.valuesT, 0, vt, 0, vt.length);
                int seenT = 0;
                for (int g = 0; g + 1 < pp.length; g++) {
                    int width = pp[g + 1] - pp[g];
                    assertEquals(0, width % BlockMatrix.HEIGHT, "padded to 16");
                    for (int j = 0; j < gp[g + 1] - gp[g]; j++) {
                        assertEquals(bc[gp[g] + j], pc[pp[g] + j], "group " + g + " column " + j);
                        for (int i = 0; i < BlockMatrix.HEIGHT && g * BlockMatrix.HEIGHT + i < out; i++) {
                            int pos = (g * BlockMatrix.HEIGHT + i) * in + pc[pp[g] + j];
                            assertEquals(dense[pos], vt[BlockMatrix.HEIGHT * pp[g] + i * width + j], 0f,
                                    "round " + round + " backward copy");
                            seenT++;
                        }
                    }
                }
                assertEquals(kept, seenT, "every kept weight in the backward's copy");
            }
            backend.free(weight);
        }
    }

    @Test
    void outputsAndGradientsAreTheCsrFormsBitForBit() {
        SplittableRandom rng = new SplittableRandom(3);
        int[][] shapes = {{17, 33, 1}, {40, 33, 7}, {16, 5, 67}, {130, 64, 9}, {1, 3, 4}};
        for (int[] s : shapes) {
            int out = s[0];
            int in = s[1];
            int batch = s[2];
            for (double density : new double[] {0.1, 0.5, 1}) {
                float[] mask = blockMask(out, in, density, rng);
                float[] wv = maskedWeights(mask, rng);
                float[] xv = new float[batch * in];
                for (int i = 0; i < xv.length; i++) {
                    xv[i] = (float) rng.nextGaussian();
                }
                float[] bv = new float[out];
                for (int i = 0; i < out; i++) {
                    bv[i] = (float) rng.nextGaussian();
                }
                String where = out + "x" + in + " batch " + batch + " density " + density + ": ";
                Run blocks = run(mask, wv, xv, bv, out, in, batch, true);
                Run csr = run(mask, wv, xv, bv, out, in, batch, false);
                same(where + "y", csr.y, blocks.y);
                same(where + "y without gradients", csr.yNoGrad, blocks.yNoGrad);
                close(where + "dX", csr.dx, blocks.dx);
                close(where + "dW", csr.dw, blocks.dw);
                same(where + "dB", csr.db, blocks.db);
                for (int i = 0; i < mask.length; i++) {
                    if (mask[i] == 0f && blocks.dw[i] != 0f) {
                        fail(where + "pruned weight " + i + " got a gradient " + blocks.dw[i]);
                    }
                }
                boolean any = false;
                for (float m : mask) {
                    any |= m != 0f;
                }
                assertTrue(blocks.hadBlocks == any && !csr.hadBlocks, where + "the two forms ran");
            }
        }
    }

    /** Pruned positions of the dense weight hold garbage here: they must still not enter the product. */
    @Test
    void theBlockLayerMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(4);
        float[] mask = blockMask(20, 6, 0.5, rng);
        float[] wv = gaussians(120, rng);
        Tensor x = Tensor.of(backend, 5, 6, gaussians(30, rng), true);
        Tensor w = Tensor.of(backend, 20, 6, wv, true);
        Tensor b = Tensor.vector(backend, gaussians(20, rng), true);
        CsrWeight csr = CsrWeight.fromMask(backend, mask, wv, 20, 6);
        assertNotNull(csr.block());
        GradientCheck.Result r = GradientCheck.standard().check(
                in -> Ops.sum(Ops.square(SparseOps.linear(in.get(0), in.get(1), in.get(2), csr))), List.of(x, w, b));
        assertTrue(r.passed(), r.describe());
        csr.close();
    }

    private static float[] gaussians(int n, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        return a;
    }

    private record Run(float[] y, float[] yNoGrad, float[] dx, float[] dw, float[] db, boolean hadBlocks) {
    }

    /** Forward, a sum-of-squares loss and its backward through SparseOps.linear; then a forward without gradients. */
    private static Run run(float[] mask, float[] wv, float[] xv, float[] bv, int out, int in, int batch,
                           boolean blockForm) {
        try (CsrWeight csr = CsrWeight.fromMask(backend, mask, wv, out, in, blockForm)) {
            Tensor x = Tensor.of(backend, batch, in, xv, true);
            Tensor w = Tensor.of(backend, out, in, wv, true);
            Tensor b = Tensor.vector(backend, bv, true);
            Tensor y = SparseOps.linear(x, w, b, csr);
            Ops.sum(Ops.square(y)).backward();
            float[] yNoGrad;
            try (GradMode g = GradMode.disabled()) {
                yNoGrad = SparseOps.linear(x, w, b, csr).toArray();
            }
            return new Run(y.toArray(), yNoGrad, x.gradToArray(), w.gradToArray(), b.gradToArray(),
                    csr.block() != null);
        }
    }

    private static void close(String what, float[] want, float[] got) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-4f * (1 + Math.abs(want[i])), what + "[" + i + "] in block vs CSR form");
        }
    }

    private static void same(String what, float[] want, float[] got) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                fail(what + "[" + i + "] = " + got[i] + " in block form, " + want[i] + " in CSR form");
            }
        }
    }
}
