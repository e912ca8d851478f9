package dev.winnow.engine.sparse;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of the host formats, each checked on 500 random matrices (shapes 0..40 on each side, densities 0..1,
 * including exact zeros inside the mask): dense -> CSR -> dense and mask -> CSR -> mask are identities, transposing
 * twice is the identity, and the transpose's permutation and dense index address the right values.
 */
class HostCsrTest {
    private static final int TRIES = 500;

    private static float[] randomDense(SplittableRandom rng, int rows, int cols, double density) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) {
            if (rng.nextDouble() < density) {
                d[i] = rng.nextInt(5) == 0 ? -0.0f : (float) (rng.nextDouble() * 2 - 1);
            }
        }
        return d;
    }

    @Test
    void denseToCsrToDenseIsTheIdentityForRandomMatrices() {
        SplittableRandom rng = new SplittableRandom(1);
        for (int t = 0; t < TRIES; t++) {
            int rows = rng.nextInt(41);
            int cols = rng.nextInt(41);
            float[] d = randomDense(rng, rows, cols, rng.nextDouble());
            HostCsr csr = HostCsr.fromDense(d, rows, cols);
            float[] back = csr.toDense();
            for (int i = 0; i < d.length; i++) {
                // -0.0 is a zero: it is not stored and comes back as +0.0.
                assertEquals(d[i] == 0f ? 0f : d[i], back[i], 0f, "try " + t + " element " + i);
            }
            int nonzeros = 0;
            for (float v : d) {
                nonzeros += v != 0f ? 1 : 0;
            }
            assertEquals(nonzeros, csr.nnz(), "try " + t);
        }
    }

    @Test
    void maskToCsrKeepsEveryMaskedPositionEvenWhereTheWeightIsZero() {
        SplittableRandom rng = new SplittableRandom(2);
        for (int t = 0; t < TRIES; t++) {
            int rows = rng.nextInt(41);
            int cols = rng.nextInt(41);
            float[] mask = new float[rows * cols];
            double density = rng.nextDouble();
            for (int i = 0; i < mask.length; i++) {
                mask[i] = rng.nextDouble() < density ? 1f : 0f;
            }
            float[] w = randomDense(rng, rows, cols, 0.7);
            HostCsr csr = HostCsr.fromMask(mask, w, rows, cols);
            assertArrayEquals(mask, csr.toMask(), "try " + t);
            float[] back = csr.toDense();
            for (int i = 0; i < w.length; i++) {
                assertEquals(mask[i] != 0f ? w[i] : 0f, back[i], 0f, "try " + t + " element " + i);
            }
        }
    }

    @Test
    void transposingTwiceGivesTheSameMatrixAndThePermutationMapsValues() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int t = 0; t < TRIES; t++) {
            int rows = rng.nextInt(41);
            int cols = rng.nextInt(41);
            float[] d = randomDense(rng, rows, cols, rng.nextDouble());
            HostCsr csr = HostCsr.fromDense(d, rows, cols);
            HostCsr.Transposed tr = csr.transpose();
            HostCsr tt = tr.matrix().transpose().matrix();
            assertEquals(csr, tt, "try " + t);
            float[] dense = csr.toDense();
            float[] denseT = tr.matrix().toDense();
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    assertEquals(dense[r * cols + c], denseT[c * rows + r], 0f, "try " + t);
                }
            }
            for (int q = 0; q < tr.permutation().length; q++) {
                assertEquals(csr.values[tr.permutation()[q]], tr.matrix().values[q], 0f, "try " + t + " entry " + q);
            }
            int[] idx = csr.denseIndex();
            for (int p = 0; p < idx.length; p++) {
                assertEquals(dense[idx[p]], csr.values[p], 0f, "try " + t + " dense index of entry " + p);
            }
        }
    }

    @Test
    void malformedCsrIsRejectedWithTheOffendingRow() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HostCsr(2, 3, new int[] {0, 2, 3}, new int[] {2, 1, 0}, new float[3]));
        assertTrue(e.getMessage().contains("row 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new HostCsr(2, 3, new int[] {0, 1, 2}, new int[] {0, 3}, new float[2]));
        assertThrows(IllegalArgumentException.class, () -> HostCsr.fromDense(new float[5], 2, 3));
    }
}
