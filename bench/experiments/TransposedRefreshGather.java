import java.util.*;
public class TransposedRefreshGather {
    static void gather(float[] src, int[] idx, int n, float[] dst) { for (int i = 0; i < n; i++) dst[i] = src[idx[i]]; }
    static long cpu() { return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(); }
    public static void main(String[] a) {
        int rows = 1024, cols = 1024; double d = Double.parseDouble(a[0]);
        Random rnd = new Random(1);
        float[] dense = new float[rows * cols]; for (int i = 0; i < dense.length; i++) dense[i] = rnd.nextFloat();
        int[] fidx = new int[rows * cols]; int n = 0;
        int[] rOf = new int[rows*cols], cOf = new int[rows*cols];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) if (rnd.nextDouble() < d) { rOf[n] = r; cOf[n] = c; fidx[n++] = r * cols + c; }
        fidx = Arrays.copyOf(fidx, n);
        // transposed order: by column then row
        Integer[] ord = new Integer[n]; for (int i = 0; i < n; i++) ord[i] = i;
        final int[] rr = rOf, cc = cOf;
        Arrays.sort(ord, (x, y) -> cc[x] != cc[y] ? Integer.compare(cc[x], cc[y]) : Integer.compare(rr[x], rr[y]));
        int[] tidx = new int[n], perm = new int[n];
        for (int q = 0; q < n; q++) { tidx[q] = fidx[ord[q]]; perm[q] = ord[q]; }
        float[] fv = new float[n], tv = new float[n];
        long[][] t = new long[3][31];
        for (int w = 0; w < 200; w++) { gather(dense, fidx, n, fv); gather(dense, tidx, n, tv); gather(fv, perm, n, tv); }
        for (int k = 0; k < 31; k++) {
            long t0 = cpu(); gather(dense, fidx, n, fv); t[0][k] = cpu() - t0;
            t0 = cpu(); gather(dense, tidx, n, tv); t[1][k] = cpu() - t0;
            t0 = cpu(); gather(fv, perm, n, tv); t[2][k] = cpu() - t0;
        }
        String[] nm = {"W from dense", "W^T from dense (old)", "W^T from W (new)"};
        for (int i = 0; i < 3; i++) { Arrays.sort(t[i]); System.out.printf("density %s %-22s %.3f ms%n", a[0], nm[i], t[i][15] / 1e6); }
    }
}
