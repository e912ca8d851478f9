package dev.winnow.engine.backend.cpu;
import java.util.*;
public class RowTileAB {
    static long cpu() { return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(); }
    public static void main(String[] a) {
        int rows = Integer.parseInt(a[0]), cols = Integer.parseInt(a[1]), batch = Integer.parseInt(a[2]); double d = Double.parseDouble(a[3]);
        Random rnd = new Random(1);
        int[] rp = new int[rows + 1]; int[] ci0 = new int[rows * cols]; int n = 0;
        for (int r = 0; r < rows; r++) { for (int c = 0; c < cols; c++) if (rnd.nextDouble() < d) ci0[n++] = c; rp[r + 1] = n; }
        int[] ci = Arrays.copyOf(ci0, n); float[] v = new float[n]; for (int i = 0; i < n; i++) v[i] = rnd.nextFloat() - 0.5f;
        float[] x = new float[batch * cols]; for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() - 0.5f;
        float[] y1 = new float[batch * rows], y2 = new float[batch * rows];
        SparseKernels tiled = SparseKernels.create(true), untiled = SparseKernels.create(true);
        untiled.rowTile(Integer.MAX_VALUE);
        Parallel one = new Parallel(1);
        for (int w = 0; w < 40; w++) { tiled.spmmNT(rows, cols, rp, ci, v, x, batch, 0f, y1, one); untiled.spmmNT(rows, cols, rp, ci, v, x, batch, 0f, y2, one); }
        if (!Arrays.equals(y1, y2)) throw new AssertionError("bits differ");
        int R = Integer.parseInt(a[4]); long[] t1 = new long[R], t2 = new long[R];
        for (int k = 0; k < R; k++) {
            long t0 = cpu(); untiled.spmmNT(rows, cols, rp, ci, v, x, batch, 0f, y2, one); t2[k] = cpu() - t0;
            t0 = cpu(); tiled.spmmNT(rows, cols, rp, ci, v, x, batch, 0f, y1, one); t1[k] = cpu() - t0;
        }
        Arrays.sort(t1); Arrays.sort(t2);
        double f = 2.0 * batch * n;
        System.out.printf("%dx%d batch %d density %s: untiled %.3f ms (%.1f GF/s), tiled %.3f ms (%.1f GF/s), min %.3f / %.3f%n", rows, cols, batch, a[3], t2[R/2]/1e6, f/t2[R/2], t1[R/2]/1e6, f/t1[R/2], t2[0]/1e6, t1[0]/1e6);
        one.close();
    }
}
