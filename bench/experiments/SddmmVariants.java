import jdk.incubator.vector.*;
import java.util.*;
public class SddmmVariants {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    static final int L = 8, CHUNK = 64;
    static void rows(int rowFrom, int rowTo, int[] rp, int[] ci, float[] a, int aOff, int aChunk, float[] b, int bOff, int bChunk, int chunks, float[] out) {
        for (int c = 0; c < chunks; c++) {
            int aBase = aOff + c * aChunk, bBase = bOff + c * bChunk;
            for (int r = rowFrom; r < rowTo; r++) {
                int ao = aBase + r * CHUNK;
                FloatVector d0 = FloatVector.fromArray(S, a, ao), d1 = FloatVector.fromArray(S, a, ao + L), d2 = FloatVector.fromArray(S, a, ao + 2 * L), d3 = FloatVector.fromArray(S, a, ao + 3 * L);
                FloatVector d4 = FloatVector.fromArray(S, a, ao + 4 * L), d5 = FloatVector.fromArray(S, a, ao + 5 * L), d6 = FloatVector.fromArray(S, a, ao + 6 * L), d7 = FloatVector.fromArray(S, a, ao + 7 * L);
                for (int p = rp[r], end = rp[r + 1]; p < end; p++) {
                    int bo = bBase + ci[p] * CHUNK;
                    FloatVector s0 = FloatVector.fromArray(S, b, bo).mul(d0);
                    FloatVector s1 = FloatVector.fromArray(S, b, bo + L).mul(d1);
                    s0 = FloatVector.fromArray(S, b, bo + 2 * L).fma(d2, s0);
                    s1 = FloatVector.fromArray(S, b, bo + 3 * L).fma(d3, s1);
                    s0 = FloatVector.fromArray(S, b, bo + 4 * L).fma(d4, s0);
                    s1 = FloatVector.fromArray(S, b, bo + 5 * L).fma(d5, s1);
                    s0 = FloatVector.fromArray(S, b, bo + 6 * L).fma(d6, s0);
                    s1 = FloatVector.fromArray(S, b, bo + 7 * L).fma(d7, s1);
                    out[p] += s0.add(s1).reduceLanes(VectorOperators.ADD);
                }
            }
        }
    }
    // diagnostic: no horizontal reduction (wrong result), to see what the reduction costs
    static void rowsNoReduce(int rowFrom, int rowTo, int[] rp, int[] ci, float[] a, int aOff, int aChunk, float[] b, int bOff, int bChunk, int chunks, float[] out) {
        for (int c = 0; c < chunks; c++) {
            int aBase = aOff + c * aChunk, bBase = bOff + c * bChunk;
            for (int r = rowFrom; r < rowTo; r++) {
                int ao = aBase + r * CHUNK;
                FloatVector d0 = FloatVector.fromArray(S, a, ao), d1 = FloatVector.fromArray(S, a, ao + L), d2 = FloatVector.fromArray(S, a, ao + 2 * L), d3 = FloatVector.fromArray(S, a, ao + 3 * L);
                FloatVector d4 = FloatVector.fromArray(S, a, ao + 4 * L), d5 = FloatVector.fromArray(S, a, ao + 5 * L), d6 = FloatVector.fromArray(S, a, ao + 6 * L), d7 = FloatVector.fromArray(S, a, ao + 7 * L);
                for (int p = rp[r], end = rp[r + 1]; p < end; p++) {
                    int bo = bBase + ci[p] * CHUNK;
                    FloatVector s0 = FloatVector.fromArray(S, b, bo).mul(d0);
                    FloatVector s1 = FloatVector.fromArray(S, b, bo + L).mul(d1);
                    s0 = FloatVector.fromArray(S, b, bo + 2 * L).fma(d2, s0);
                    s1 = FloatVector.fromArray(S, b, bo + 3 * L).fma(d3, s1);
                    s0 = FloatVector.fromArray(S, b, bo + 4 * L).fma(d4, s0);
                    s1 = FloatVector.fromArray(S, b, bo + 5 * L).fma(d5, s1);
                    s0 = FloatVector.fromArray(S, b, bo + 6 * L).fma(d6, s0);
                    s1 = FloatVector.fromArray(S, b, bo + 7 * L).fma(d7, s1);
                    out[p] += s0.add(s1).lane(0);
                }
            }
        }
    }
    // column blocks: same per-p order
    static void rowsBlocked(int rows, int[] bs, int blocks, int[] ci, float[] a, int aOff, int aChunk, float[] b, int bOff, int bChunk, int chunks, float[] out) {
        for (int c = 0; c < chunks; c++) {
            int aBase = aOff + c * aChunk, bBase = bOff + c * bChunk;
            for (int j = 0; j < blocks; j++) {
            for (int r = 0; r < rows; r++) {
                int p = bs[j * rows + r], end = bs[(j + 1) * rows + r];
                if (p == end) continue;
                int ao = aBase + r * CHUNK;
                FloatVector d0 = FloatVector.fromArray(S, a, ao), d1 = FloatVector.fromArray(S, a, ao + L), d2 = FloatVector.fromArray(S, a, ao + 2 * L), d3 = FloatVector.fromArray(S, a, ao + 3 * L);
                FloatVector d4 = FloatVector.fromArray(S, a, ao + 4 * L), d5 = FloatVector.fromArray(S, a, ao + 5 * L), d6 = FloatVector.fromArray(S, a, ao + 6 * L), d7 = FloatVector.fromArray(S, a, ao + 7 * L);
                for (; p < end; p++) {
                    int bo = bBase + ci[p] * CHUNK;
                    FloatVector s0 = FloatVector.fromArray(S, b, bo).mul(d0);
                    FloatVector s1 = FloatVector.fromArray(S, b, bo + L).mul(d1);
                    s0 = FloatVector.fromArray(S, b, bo + 2 * L).fma(d2, s0);
                    s1 = FloatVector.fromArray(S, b, bo + 3 * L).fma(d3, s1);
                    s0 = FloatVector.fromArray(S, b, bo + 4 * L).fma(d4, s0);
                    s1 = FloatVector.fromArray(S, b, bo + 5 * L).fma(d5, s1);
                    s0 = FloatVector.fromArray(S, b, bo + 6 * L).fma(d6, s0);
                    s1 = FloatVector.fromArray(S, b, bo + 7 * L).fma(d7, s1);
                    out[p] += s0.add(s1).reduceLanes(VectorOperators.ADD);
                }
            }
            }
        }
    }
    static long cpu() { return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(); }
    public static void main(String[] args) {
        int rows = 1024, cols = 1024, batch = Integer.parseInt(args[0]); double dens = Double.parseDouble(args[1]);
        int width = Integer.parseInt(args[2]);
        Random rnd = new Random(1);
        int[] rp = new int[rows + 1]; int[] ciAll = new int[rows * cols]; int n = 0;
        for (int r = 0; r < rows; r++) { for (int c = 0; c < cols; c++) if (rnd.nextDouble() < dens) ciAll[n++] = c; rp[r + 1] = n; }
        int[] ci = Arrays.copyOf(ciAll, n);
        int chunks = batch / 64, aChunk = rows * 64, bChunk = cols * 64;
        float[] a = new float[chunks * aChunk + 16], b = new float[chunks * bChunk + 16];
        for (int i = 0; i < a.length; i++) a[i] = rnd.nextFloat() - 0.5f;
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextFloat() - 0.5f;
        int blocks = (cols + width - 1) / width;
        int[] bs = new int[(blocks + 1) * rows];
        for (int r = 0; r < rows; r++) { int p = rp[r]; for (int j = 0; j < blocks; j++) { bs[j * rows + r] = p; while (p < rp[r + 1] && ci[p] < (j + 1) * width) p++; } bs[blocks * rows + r] = rp[r + 1]; }
        float[] o1 = new float[n], o2 = new float[n], o3 = new float[n];
        for (int w = 0; w < 30; w++) { rows(0, rows, rp, ci, a, 0, aChunk, b, 0, bChunk, chunks, o1); rowsNoReduce(0, rows, rp, ci, a, 0, aChunk, b, 0, bChunk, chunks, o2); rowsBlocked(rows, bs, blocks, ci, a, 0, aChunk, b, 0, bChunk, chunks, o3); }
        long[][] t = new long[3][15];
        for (int k = 0; k < 15; k++) {
            Arrays.fill(o1, 0); Arrays.fill(o3, 0);
            long t0 = cpu(); rows(0, rows, rp, ci, a, 0, aChunk, b, 0, bChunk, chunks, o1); t[0][k] = cpu() - t0;
            t0 = cpu(); rowsNoReduce(0, rows, rp, ci, a, 0, aChunk, b, 0, bChunk, chunks, o2); t[1][k] = cpu() - t0;
            t0 = cpu(); rowsBlocked(rows, bs, blocks, ci, a, 0, aChunk, b, 0, bChunk, chunks, o3); t[2][k] = cpu() - t0;
            if (!Arrays.equals(o1, o3)) throw new AssertionError("blocked differs");
        }
        String[] nm = {"current", "no-reduce", "blocked" + width};
        for (int i = 0; i < 3; i++) { Arrays.sort(t[i]); System.out.printf("%-12s %.2f ms  %.1f GFLOP/s%n", nm[i], t[i][7] / 1e6, 2.0 * batch * n / t[i][7]); }
    }
}
