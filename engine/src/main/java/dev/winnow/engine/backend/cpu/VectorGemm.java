package dev.winnow.engine.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Packed GEMM on the JDK Vector API (Goto-style blocking): B is packed once per (k, n) block into NR-wide panels
 * shared by all threads, each thread packs its own MR-tall panels of A, and an MR x NR register tile of FMAs does the
 * work. Transposes are absorbed by the packing. Threads split the rows of C; every element of C is summed in the same
 * k order whatever the thread count, so results are bitwise reproducible.
 */
final class VectorGemm implements DenseGemm {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    static final int MR = 6;
    static final int NR = 2 * L;
    private static final int KC = 256;
    private static final int MC = 96;
    private static final int NC = 1024;

    /** Packed B shared by the threads; per-thread packed A and edge tiles. Grown on demand, never per call. */
    private float[] packedB = new float[0];
    private final ThreadLocal<float[]> packedA = ThreadLocal.withInitial(() -> new float[MC * KC]);
    private final ThreadLocal<float[]> edgeTile = ThreadLocal.withInitial(() -> new float[MR * NR]);

    @Override
    public String name() {
        return "vector(" + S.vectorBitSize() + "-bit)";
    }

    @Override
    public synchronized void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                  float[] a, int lda, float[] b, int ldb, float beta, float[] c, int ldc,
                                  Parallel parallel) {
        DenseGemm.scale(m, n, beta, c, ldc);
        if (m == 0 || n == 0 || k == 0 || alpha == 0f) {
            return;
        }
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            int nPanels = (nc + NR - 1) / NR;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                int need = nPanels * NR * kc;
                if (packedB.length < need) {
                    packedB = new float[Math.max(need, NC * KC)];
                }
                packB(transB, b, ldb, pc, kc, jc, nc, packedB);
                final float[] bp = packedB;
                final int fjc = jc;
                final int fkc = kc;
                final int fpc = pc;
                long work = (long) m * nc * kc;
                int minRows = work < 400_000 ? m : MR * 4;
                int rowBlocks = (m + MR - 1) / MR;
                int minBlocks = Math.max(1, (minRows + MR - 1) / MR);
                parallel.forRange(rowBlocks, minBlocks, (part, fromBlock, toBlock) -> {
                    int rowFrom = fromBlock * MR;
                    int rowTo = Math.min(m, toBlock * MR);
                    multiplyRows(transA, a, lda, rowFrom, rowTo, fpc, fkc, bp, fjc, nc, alpha, c, ldc);
                });
            }
        }
    }

    private void multiplyRows(boolean transA, float[] a, int lda, int rowFrom, int rowTo, int pc, int kc,
                              float[] bp, int jc, int nc, float alpha, float[] c, int ldc) {
        float[] ap = packedA.get();
        float[] tile = edgeTile.get();
        int nPanels = (nc + NR - 1) / NR;
        for (int ic = rowFrom; ic < rowTo; ic += MC) {
            int mc = Math.min(MC, rowTo - ic);
            packA(transA, a, lda, ic, mc, pc, kc, ap);
            int mPanels = (mc + MR - 1) / MR;
            for (int jp = 0; jp < nPanels; jp++) {
                int col = jc + jp * NR;
                int cols = Math.min(NR, jc + nc - col);
                int bOff = jp * NR * kc;
                for (int ip = 0; ip < mPanels; ip++) {
                    int row = ic + ip * MR;
                    int rows = Math.min(MR, ic + mc - row);
                    int aOff = ip * MR * kc;
                    if (rows == MR && cols == NR) {
                        kernel(kc, ap, aOff, bp, bOff, c, row * ldc + col, ldc, alpha);
                    } else {
                        java.util.Arrays.fill(tile, 0f);
                        kernel(kc, ap, aOff, bp, bOff, tile, 0, NR, alpha);
                        for (int r = 0; r < rows; r++) {
                            int co = (row + r) * ldc + col;
                            for (int j = 0; j < cols; j++) {
                                c[co + j] += tile[r * NR + j];
                            }
                        }
                    }
                }
            }
        }
    }

    /** Packs op(B)[pc:pc+kc, jc:jc+nc] into NR-wide panels, k-major inside a panel, zero-padded at the edge. */
    private static void packB(boolean transB, float[] b, int ldb, int pc, int kc, int jc, int nc, float[] out) {
        int nPanels = (nc + NR - 1) / NR;
        for (int jp = 0; jp < nPanels; jp++) {
            int col0 = jc + jp * NR;
            int cols = Math.min(NR, jc + nc - col0);
            int base = jp * NR * kc;
            for (int p = 0; p < kc; p++) {
                int o = base + p * NR;
                int kk = pc + p;
                if (!transB) {
                    System.arraycopy(b, kk * ldb + col0, out, o, cols);
                } else {
                    for (int j = 0; j < cols; j++) {
                        out[o + j] = b[(col0 + j) * ldb + kk];
                    }
                }
                for (int j = cols; j < NR; j++) {
                    out[o + j] = 0f;
                }
            }
        }
    }

    /** Packs op(A)[ic:ic+mc, pc:pc+kc] into MR-tall panels, k-major inside a panel, zero-padded at the edge. */
    private static void packA(boolean transA, float[] a, int lda, int ic, int mc, int pc, int kc, float[] out) {
        int mPanels = (mc + MR - 1) / MR;
        for (int ip = 0; ip < mPanels; ip++) {
            int row0 = ic + ip * MR;
            int rows = Math.min(MR, ic + mc - row0);
            int base = ip * MR * kc;
            if (!transA) {
                for (int r = 0; r < rows; r++) {
                    int src = (row0 + r) * lda + pc;
                    for (int p = 0; p < kc; p++) {
                        out[base + p * MR + r] = a[src + p];
                    }
                }
            } else {
                for (int p = 0; p < kc; p++) {
                    int src = (pc + p) * lda + row0;
                    int o = base + p * MR;
                    for (int r = 0; r < rows; r++) {
                        out[o + r] = a[src + r];
                    }
                }
            }
            if (rows < MR) {
                for (int p = 0; p < kc; p++) {
                    for (int r = rows; r < MR; r++) {
                        out[base + p * MR + r] = 0f;
                    }
                }
            }
        }
    }

    /** C[0:MR, 0:NR] += alpha * Apanel * Bpanel over kc steps. */
    private static void kernel(int kc, float[] ap, int aOff, float[] bp, int bOff, float[] c, int cOff, int ldc,
                               float alpha) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int ai = aOff;
        int bi = bOff;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, ap[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        FloatVector al = FloatVector.broadcast(S, alpha);
        c00.fma(al, FloatVector.fromArray(S, c, cOff)).intoArray(c, cOff);
        c01.fma(al, FloatVector.fromArray(S, c, cOff + L)).intoArray(c, cOff + L);
        c10.fma(al, FloatVector.fromArray(S, c, cOff + ldc)).intoArray(c, cOff + ldc);
        c11.fma(al, FloatVector.fromArray(S, c, cOff + ldc + L)).intoArray(c, cOff + ldc + L);
        c20.fma(al, FloatVector.fromArray(S, c, cOff + 2 * ldc)).intoArray(c, cOff + 2 * ldc);
        c21.fma(al, FloatVector.fromArray(S, c, cOff + 2 * ldc + L)).intoArray(c, cOff + 2 * ldc + L);
        c30.fma(al, FloatVector.fromArray(S, c, cOff + 3 * ldc)).intoArray(c, cOff + 3 * ldc);
        c31.fma(al, FloatVector.fromArray(S, c, cOff + 3 * ldc + L)).intoArray(c, cOff + 3 * ldc + L);
        c40.fma(al, FloatVector.fromArray(S, c, cOff + 4 * ldc)).intoArray(c, cOff + 4 * ldc);
        c41.fma(al, FloatVector.fromArray(S, c, cOff + 4 * ldc + L)).intoArray(c, cOff + 4 * ldc + L);
        c50.fma(al, FloatVector.fromArray(S, c, cOff + 5 * ldc)).intoArray(c, cOff + 5 * ldc);
        c51.fma(al, FloatVector.fromArray(S, c, cOff + 5 * ldc + L)).intoArray(c, cOff + 5 * ldc + L);
    }
}
