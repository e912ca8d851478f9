package dev.winnow.engine.backend.cpu;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import dev.winnow.engine.runtime.RuntimeKernelProbe;
import dev.winnow.engine.sparse.HostBlocks;
import dev.winnow.engine.sparse.HostCsr;

/**
 * Runs the CPU backend's kernels on fixed random inputs of awkward shapes and prints one SHA-256 of every output bit
 * per kernel family, a line each ({@code family digest}). {@link VectorWidthTest} runs it in JVMs forced to 128-,
 * 256- and 512-bit vectors ({@code -Dwinnow.vectorBits}) and in its own JVM, and holds the digests equal. Shapes are
 * kept small because a width the hardware lacks runs emulated.
 */
public final class WidthProbe {
    private WidthProbe() {
    }

    public static void main(String[] args) {
        digests(true).forEach((k, v) -> System.out.println(k + " " + v));
    }

    /**
     * Family name to digest. With {@code vector}: the Vector API GEMM, sparse kernels (as "sparse"), element-wise
     * loops and block products; always: the plain-Java sparse, element-wise and block kernels ("sparse-scalar",
     * "elementwise-scalar", "blocks-scalar", which
     * must equal their vector twins) and the runtime's kernels ("runtime": those this JVM detects; "runtime-scalar").
     */
    static Map<String, String> digests(boolean vector) {
        Map<String, String> out = new LinkedHashMap<>();
        if (vector) {
            out.put("gemm", gemm(new VectorGemm()));
            out.put("sparse", sparse(SparseKernels.create(true)));
            out.put("elementwise", elementwise(ElementwiseKernels.create(true)));
            out.put("blocks", blocks(BlockKernels.create(true)));
        }
        out.put("sparse-scalar", sparse(SparseKernels.create(false)));
        out.put("blocks-scalar", blocks(BlockKernels.create(false)));
        out.put("elementwise-scalar", elementwise(ElementwiseKernels.create(false)));
        out.put("runtime", RuntimeKernelProbe.detected());
        out.put("runtime-scalar", RuntimeKernelProbe.scalar());
        return out;
    }

    /** All transposes, beta 0 / 1 / 0.5, alpha 1 and 0.75, rows below and above one tile, k across a 256 block. */
    static String gemm(DenseGemm g) {
        Digest d = new Digest();
        SplittableRandom rng = new SplittableRandom(41);
        int[][] shapes = {{1, 1, 1}, {2, 19, 7}, {5, 33, 9}, {6, 16, 8}, {7, 37, 300}, {13, 70, 33}, {31, 5, 257},
            {64, 48, 64}, {3, 100, 520}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                float[] a = randoms(m * k, rng);
                float[] b = randoms(k * n, rng);
                for (float beta : new float[] {0f, 1f, 0.5f}) {
                    float alpha = beta == 0.5f ? 0.75f : 1f;
                    float[] c = randoms(m * n, rng);
                    g.gemm(ta, tb, m, n, k, alpha, a, ta ? m : k, b, tb ? k : n, beta, c, n, TestPools.ONE);
                    d.add(c);
                    float[] c2 = c.clone();
                    g.gemm(ta, tb, m, n, k, alpha, a, ta ? m : k, b, tb ? k : n, beta, c2, n, TestPools.TWO);
                    d.add(c2);
                }
            }
        }
        return d.hex();
    }

    /** Every public sparse kernel, with empty rows, one-entry rows, ragged batches and a column-blocked density. */
    static String sparse(SparseKernels k) {
        Digest d = new Digest();
        SplittableRandom rng = new SplittableRandom(43);
        int[][] shapes = {{1, 3, 1}, {5, 9, 2}, {17, 70, 65}, {40, 1000, 130}, {33, 260, 64}};
        for (int[] s : shapes) {
            int rows = s[0], cols = s[1], batch = s[2];
            for (double density : new double[] {0.05, 0.1, 0.4, 1.0}) {
                int[][] pc = pattern(rows, cols, density, rng);
                int[] rp = pc[0], ci = pc[1];
                int nnz = ci.length;
                float[] v = randoms(nnz, rng);
                float[] x = randoms(batch * cols, rng);
                float[] dy = randoms(batch * rows, rng);
                float[] y = randoms(batch * rows, rng);
                k.spmmNT(rows, cols, rp, ci, v, x, batch, 0.5f, y, TestPools.TWO);
                d.add(y);
                float[] bias = randoms(rows, rng);
                float[] y2 = new float[batch * rows];
                SparseKernels.Packed keep = new SparseKernels.Packed();
                long token = k.linearForward(rows, cols, rp, ci, v, x, batch, bias, y2, keep, TestPools.ONE);
                d.add(y2);
                HostCsr t = new HostCsr(rows, cols, rp, ci, v).transpose().matrix();
                float[] dx = randoms(batch * cols, rng);
                float[] grad = new float[nnz];
                k.linearBackward(new SparseKernels.LayerWeight(rows, cols, rp, ci, t.rowPtr, t.colIdx, t.values), dy,
                        x, batch, dx, grad, keep, token, TestPools.TWO);
                d.add(dx);
                d.add(grad);
                float[] out = randoms(nnz, rng);
                k.sddmm(rows, cols, rp, ci, dy, x, batch, 0.5f, out, TestPools.ONE);
                d.add(out);
                float[] dx2 = randoms(batch * cols, rng);
                k.spmmNN(rows, cols, rp, ci, v, dy, batch, 1f, dx2, TestPools.TWO);
                d.add(dx2);
            }
        }
        return d.hex();
    }

    /**
     * The 16x1 block product and its backward on block-pruned and unstructured patterns, ragged groups, ragged row
     * tiles, and inputs wide enough ({@link BlockKernels#PANEL_MIN_COLS}) that narrower registers pack X's tiles
     * into panels where 512-bit ones read them in place.
     */
    static String blocks(BlockKernels k) {
        Digest d = new Digest();
        SplittableRandom rng = new SplittableRandom(53);
        int[][] shapes = {{1, 3, 1}, {17, 9, 13}, {40, 70, 67}, {130, 33, 5}, {35, BlockKernels.PANEL_MIN_COLS + 7, 21}};
        for (int[] s : shapes) {
            int rows = s[0], cols = s[1], batch = s[2];
            for (double density : new double[] {0.1, 0.5, 1.0}) {
                for (HostCsr w : new HostCsr[] {BlockKernelsTest.blockPattern(rows, cols, density, rng),
                    BlockKernelsTest.unstructured(rows, cols, density, rng)}) {
                    HostBlocks b = HostBlocks.of(w);
                    float[] x = randoms(batch * cols, rng);
                    float[] y = new float[batch * rows];
                    k.forward(rows, cols, b.groupPtr, b.blockCol, b.values(w.values), x, batch, randoms(rows, rng), y,
                            TestPools.TWO);
                    d.add(y);
                    float[] dx = randoms(batch * cols, rng);
                    float[] g = randoms(rows * cols, rng);
                    HostBlocks.Transposed tr = b.transposed();
                    k.backward(rows, cols, b.groupPtr, b.blockCol, tr.padPtr(), tr.padCol(),
                            BlockKernelsTest.transposedValues(w, tr), randoms(batch * rows, rng), x, batch, dx, g,
                            TestPools.TWO);
                    d.add(dx);
                    d.add(g);
                }
            }
        }
        return d.hex();
    }

    static String elementwise(ElementwiseKernels e) {
        Digest d = new Digest();
        SplittableRandom rng = new SplittableRandom(47);
        for (int n : new int[] {1, 7, 16, 33, 130}) {
            float[] x = randoms(n, rng);
            float[] y = randoms(n, rng);
            float[] z = new float[n];
            e.relu(x, z, 0, n);
            d.add(z);
            float[] dx = randoms(n, rng);
            e.reluBackward(x, y, dx, 0, n);
            d.add(dx);
            for (int op = 0; op < 3; op++) {
                e.binaryRow(op, x, 0, y, 0, z, 0, n);
                d.add(z);
            }
            float[] acc = y.clone();
            e.axpy(0.3f, x, acc, 0, n);
            e.addRow(x, 0, acc, 0, n);
            e.addScaledRow(x, 0, acc, 0, n, 0.7f);
            d.add(acc);
        }
        return d.hex();
    }

    /** Row-major CSR of a random pattern with empty rows (1 and 5) and a row whose entries are all at the end. */
    static int[][] pattern(int rows, int cols, double density, SplittableRandom rng) {
        int[] rp = new int[rows + 1];
        int[] ci = new int[rows * cols];
        int n = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                boolean keep = r == 2 ? c >= cols - 7 : r != 1 && r != 5 && rng.nextDouble() < density;
                if (keep) {
                    ci[n++] = c;
                }
            }
            rp[r + 1] = n;
        }
        return new int[][] {rp, Arrays.copyOf(ci, n)};
    }

    static float[] randoms(int n, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return a;
    }

    /** SHA-256 over the raw bits of every float added. */
    static final class Digest {
        private final MessageDigest md;

        Digest() {
            try {
                md = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        void add(float[] a) {
            ByteBuffer bb = ByteBuffer.allocate(4 * a.length);
            for (float f : a) {
                bb.putInt(Float.floatToRawIntBits(f));
            }
            md.update(bb.array());
        }

        String hex() {
            return HexFormat.of().formatHex(md.digest(), 0, 12);
        }
    }
}
