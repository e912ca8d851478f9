import java.util.*;
public class TransposeVariants {
    static final int CHUNK = 64;
    // current
    static void unpack0(float[] q, int qo, int rows, int b0, int nb, float beta, float[] y) {
        final int rb = 64;
        for (int r0 = 0; r0 < rows; r0 += rb) {
            int r1 = Math.min(rows, r0 + rb);
            for (int i = 0; i < nb; i++) {
                int dst = (b0 + i) * rows;
                if (beta == 0f) { for (int r = r0; r < r1; r++) y[dst + r] = q[qo + r * CHUNK + i]; }
                else if (beta == 1f) { for (int r = r0; r < r1; r++) y[dst + r] += q[qo + r * CHUNK + i]; }
                else { for (int r = r0; r < r1; r++) y[dst + r] = q[qo + r * CHUNK + i] + beta * y[dst + r]; }
            }
        }
    }
    // 4 lanes per r
    static void unpack1(float[] q, int qo, int rows, int b0, int nb, float beta, float[] y) {
        int i = 0;
        for (; i + 4 <= nb; i += 4) {
            int d0 = (b0 + i) * rows, d1 = d0 + rows, d2 = d1 + rows, d3 = d2 + rows;
            if (beta == 0f) {
                for (int r = 0; r < rows; r++) { int o = qo + r * CHUNK + i; y[d0 + r] = q[o]; y[d1 + r] = q[o + 1]; y[d2 + r] = q[o + 2]; y[d3 + r] = q[o + 3]; }
            } else if (beta == 1f) {
                for (int r = 0; r < rows; r++) { int o = qo + r * CHUNK + i; y[d0 + r] += q[o]; y[d1 + r] += q[o + 1]; y[d2 + r] += q[o + 2]; y[d3 + r] += q[o + 3]; }
            } else {
                for (int r = 0; r < rows; r++) { int o = qo + r * CHUNK + i; y[d0 + r] = q[o] + beta * y[d0 + r]; y[d1 + r] = q[o + 1] + beta * y[d1 + r]; y[d2 + r] = q[o + 2] + beta * y[d2 + r]; y[d3 + r] = q[o + 3] + beta * y[d3 + r]; }
            }
        }
        for (; i < nb; i++) { int dst = (b0 + i) * rows; for (int r = 0; r < rows; r++) y[dst + r] = (beta == 0f ? 0f : beta == 1f ? y[dst + r] : beta * y[dst + r]) + q[qo + r * CHUNK + i]; }
    }
    // 8 lanes per r
    static void unpack2(float[] q, int qo, int rows, int b0, int nb, float beta, float[] y) {
        int i = 0;
        for (; i + 8 <= nb; i += 8) {
            int d0 = (b0 + i) * rows;
            if (beta == 0f) {
                for (int r = 0; r < rows; r++) { int o = qo + r * CHUNK + i; int d = d0 + r;
                    y[d] = q[o]; y[d + rows] = q[o + 1]; y[d + 2 * rows] = q[o + 2]; y[d + 3 * rows] = q[o + 3];
                    y[d + 4 * rows] = q[o + 4]; y[d + 5 * rows] = q[o + 5]; y[d + 6 * rows] = q[o + 6]; y[d + 7 * rows] = q[o + 7]; }
            } else {
                for (int r = 0; r < rows; r++) { int o = qo + r * CHUNK + i; int d = d0 + r;
                    y[d] += q[o]; y[d + rows] += q[o + 1]; y[d + 2 * rows] += q[o + 2]; y[d + 3 * rows] += q[o + 3];
                    y[d + 4 * rows] += q[o + 4]; y[d + 5 * rows] += q[o + 5]; y[d + 6 * rows] += q[o + 6]; y[d + 7 * rows] += q[o + 7]; }
            }
        }
        for (; i < nb; i++) { int dst = (b0 + i) * rows; for (int r = 0; r < rows; r++) y[dst + r] = (beta == 0f ? 0f : y[dst + r]) + q[qo + r * CHUNK + i]; }
    }
    static void pack0(float[] x, int ld, int b0, int nb, int cols, float[] panel, int off) {
        final int kb = 64;
        for (int k0 = 0; k0 < cols; k0 += kb) {
            int k1 = Math.min(cols, k0 + kb);
            for (int i = 0; i < nb; i++) { int src = (b0 + i) * ld; for (int k = k0; k < k1; k++) panel[off + k * CHUNK + i] = x[src + k]; }
        }
        if (nb < CHUNK) for (int k = 0; k < cols; k++) Arrays.fill(panel, off + k * CHUNK + nb, off + (k + 1) * CHUNK, 0f);
    }
    static void pack1(float[] x, int ld, int b0, int nb, int cols, float[] panel, int off) {
        int i = 0;
        for (; i + 4 <= nb; i += 4) {
            int s0 = (b0 + i) * ld, s1 = s0 + ld, s2 = s1 + ld, s3 = s2 + ld;
            for (int k = 0; k < cols; k++) { int o = off + k * CHUNK + i; panel[o] = x[s0 + k]; panel[o + 1] = x[s1 + k]; panel[o + 2] = x[s2 + k]; panel[o + 3] = x[s3 + k]; }
        }
        for (; i < nb; i++) { int src = (b0 + i) * ld; for (int k = 0; k < cols; k++) panel[off + k * CHUNK + i] = x[src + k]; }
        if (nb < CHUNK) for (int k = 0; k < cols; k++) Arrays.fill(panel, off + k * CHUNK + nb, off + (k + 1) * CHUNK, 0f);
    }
    static void pack2(float[] x, int ld, int b0, int nb, int cols, float[] panel, int off) {
        int i = 0;
        for (; i + 8 <= nb; i += 8) {
            int s = (b0 + i) * ld;
            for (int k = 0; k < cols; k++) { int o = off + k * CHUNK + i; int sk = s + k;
                panel[o] = x[sk]; panel[o + 1] = x[sk + ld]; panel[o + 2] = x[sk + 2 * ld]; panel[o + 3] = x[sk + 3 * ld];
                panel[o + 4] = x[sk + 4 * ld]; panel[o + 5] = x[sk + 5 * ld]; panel[o + 6] = x[sk + 6 * ld]; panel[o + 7] = x[sk + 7 * ld]; }
        }
        for (; i < nb; i++) { int src = (b0 + i) * ld; for (int k = 0; k < cols; k++) panel[off + k * CHUNK + i] = x[src + k]; }
        if (nb < CHUNK) for (int k = 0; k < cols; k++) Arrays.fill(panel, off + k * CHUNK + nb, off + (k + 1) * CHUNK, 0f);
    }
    interface K { void run(); }
    static long cpu() { return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(); }
    public static void main(String[] a) {
        int batch = Integer.parseInt(a[0]);
        int[] dims = {64, 128, 1024};
        Random rnd = new Random(1);
        for (int rows : dims) {
            if (rows == 1024 && batch > 256) continue;
            float[] q = new float[rows * CHUNK + 16];
            float[] y = new float[batch * rows];
            float[] y2 = new float[batch * rows];
            float[] x = new float[batch * rows];
            for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat();
            for (int i = 0; i < q.length; i++) q[i] = rnd.nextFloat();
            float[] p = new float[rows * CHUNK + 16];
            float[] p2 = new float[rows * CHUNK + 16];
            int chunks = (batch + 63) / 64;
            K[] ks = {
                () -> { for (int c = 0; c < chunks; c++) unpack0(q, 0, rows, c * 64, Math.min(64, batch - c * 64), 0f, y); },
                () -> { for (int c = 0; c < chunks; c++) unpack1(q, 0, rows, c * 64, Math.min(64, batch - c * 64), 0f, y2); },
                () -> { for (int c = 0; c < chunks; c++) unpack2(q, 0, rows, c * 64, Math.min(64, batch - c * 64), 0f, y2); },
                () -> { for (int c = 0; c < chunks; c++) unpack0(q, 0, rows, c * 64, Math.min(64, batch - c * 64), 1f, y); },
                () -> { for (int c = 0; c < chunks; c++) unpack2(q, 0, rows, c * 64, Math.min(64, batch - c * 64), 1f, y2); },
                () -> { for (int c = 0; c < chunks; c++) pack0(x, rows, c * 64, Math.min(64, batch - c * 64), rows, p, 0); },
                () -> { for (int c = 0; c < chunks; c++) pack1(x, rows, c * 64, Math.min(64, batch - c * 64), rows, p2, 0); },
                () -> { for (int c = 0; c < chunks; c++) pack2(x, rows, c * 64, Math.min(64, batch - c * 64), rows, p2, 0); },
            };
            String[] names = {"unpack0 b0", "unpack1 b0", "unpack2 b0", "unpack0 b1", "unpack2 b1", "pack0", "pack1", "pack2"};
            long[][] t = new long[ks.length][41];
            for (int w = 0; w < 3000; w++) for (K k : ks) k.run();
            for (int round = 0; round < 41; round++) for (int j = 0; j < ks.length; j++) {
                long t0 = cpu(); for (int rep = 0; rep < 20; rep++) ks[j].run(); t[j][round] = (cpu() - t0) / 20;
            }
            for (int j = 0; j < ks.length; j++) { Arrays.sort(t[j]); System.out.printf("rows %4d batch %d %-11s %7.1f us  %.2f ns/float%n", rows, batch, names[j], t[j][20] / 1e3, t[j][20] / (double) (batch * rows)); }
            // check equality
            unpack0(q, 0, rows, 0, Math.min(64, batch), 0f, y); unpack2(q, 0, rows, 0, Math.min(64, batch), 0f, y2);
            for (int i = 0; i < Math.min(64, batch) * rows; i++) if (y[i] != y2[i]) throw new AssertionError("unpack " + i);
            pack0(x, rows, 0, 64, rows, p, 0); pack2(x, rows, 0, 64, rows, p2, 0);
            if (!Arrays.equals(p, p2)) throw new AssertionError("pack");
        }
    }
}
