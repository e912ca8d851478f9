package dev.winnow.engine.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Same bits at every vector width: the CPU kernels' summation order is a fixed logical layout, not the register
 * width. Checked two ways: against a scalar model of the GEMM's order (which has no width in it), and by running
 * {@link WidthProbe} in JVMs forced to 128-, 256- and 512-bit vectors (a width the machine lacks runs emulated) and
 * holding every kernel family's digest equal to this JVM's and to the plain-Java kernels'.
 */
class VectorWidthTest {

    @Test
    void everyKernelGivesTheSameBitsAt128And256And512BitsAndInPlainJava() throws Exception {
        assumeTrue(CpuBackend.GemmChoice.vectorModulePresent(), "needs jdk.incubator.vector");
        Map<String, String> here = WidthProbe.digests(true);
        assertEquals(here.get("sparse"), here.get("sparse-scalar"), "plain-Java sparse kernels vs the vector ones");
        assertEquals(here.get("elementwise"), here.get("elementwise-scalar"), "plain-Java element-wise loops");
        assertEquals(here.get("blocks"), here.get("blocks-scalar"), "plain-Java block products");
        assertEquals(here.get("runtime"), here.get("runtime-scalar"), "the runtime's plain-Java kernels");
        for (String bits : new String[] {"128", "256", "512"}) {
            assertEquals(here, probe(bits), "kernel digests at " + bits + " bits vs this JVM ("
                    + VectorLanes.S.vectorBitSize() + " bits)");
        }
    }

    @Test
    void theGemmSumsEveryElementInKOrderFromItsScaledValueWhateverTheTile() {
        assumeTrue(CpuBackend.GemmChoice.vectorModulePresent(), "needs jdk.incubator.vector");
        VectorGemm g = new VectorGemm();
        SplittableRandom rng = new SplittableRandom(5);
        // Ragged columns at every width (tiles are 8, 16 or 32 wide), k across the 256-deep block, rows below a tile.
        // One or two columns (a one-output layer) take the element-by-element path, with rows past a multiple of 8.
        int[][] shapes = {{6, 17, 5}, {7, 33, 300}, {13, 40, 257}, {20, 9, 520}, {1, 30, 17}, {4, 50, 70}, {5, 3, 9},
            {21, 1, 520}, {256, 1, 64}, {6, 2, 3}, {19, 2, 257}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                float[] a = WidthProbe.randoms(m * k, rng);
                float[] b = WidthProbe.randoms(k * n, rng);
                for (float beta : new float[] {0f, 1f, -0.5f}) {
                    float[] c = WidthProbe.randoms(m * n, rng);
                    float[] want = model(ta, tb, m, n, k, a, b, beta, c);
                    for (Parallel par : new Parallel[] {TestPools.ONE, TestPools.THREE}) {
                        float[] got = c.clone();
                        g.gemm(ta, tb, m, n, k, 1f, a, ta ? m : k, b, tb ? k : n, beta, got, n, par);
                        for (int i = 0; i < want.length; i++) {
                            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                                fail(g.name() + " " + m + "x" + n + "x" + k + " transA " + ta + " transB " + tb
                                        + " beta " + beta + " threads " + par.threads() + ": C[" + i + "] = "
                                        + got[i] + ", the model gives " + want[i]);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * The GEMM's order for alpha 1, written without any width. C starts at beta * C (0 for beta 0). With 6 rows or more:
     * an element inside the logical 6 x 16 grid (not in the last m mod 6 rows nor the last n mod 16 columns) takes one
     * fused multiply-add per k in order; any other element sums each 256-deep k block from zero and adds that sum (the
     * first block of a beta-0 product is copied, not added). Fewer than 6 rows: B transposed and A not, {@link
     * VectorGemm#dot8}'s 8 lanes; both transposed, a plain sum; otherwise row by row, fused below the last multiple of 8
     * columns and multiply-then-add after it.
     */
    private static float[] model(boolean ta, boolean tb, int m, int n, int k, float[] a, float[] b, float beta,
                                 float[] c0) {
        float[] c = c0.clone();
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float v = beta == 0f ? 0f : beta == 1f ? c[i * n + j] : c[i * n + j] * beta;
                if (m < VectorGemm.MR && tb && !ta) {
                    float[] lane = new float[8];
                    int bound = k & ~7;
                    for (int p = 0; p < bound; p++) {
                        lane[p & 7] = Math.fma(a[i * k + p], b[j * k + p], lane[p & 7]);
                    }
                    float sum = 0f;
                    for (float l : lane) {
                        sum += l;
                    }
                    for (int p = bound; p < k; p++) {
                        sum += a[i * k + p] * b[j * k + p];
                    }
                    v += sum;
                } else if (m < VectorGemm.MR && tb) {
                    float sum = 0f;
                    for (int p = 0; p < k; p++) {
                        sum += a[p * m + i] * b[j * k + p];
                    }
                    v += sum;
                } else if (m < VectorGemm.MR) {
                    for (int p = 0; p < k; p++) {
                        float av = ta ? a[p * m + i] : a[i * k + p];
                        float bv = b[p * n + j];
                        v = j < (n & ~7) ? Math.fma(av, bv, v) : v + av * bv;
                    }
                } else {
                    boolean inside = i < m - m % VectorGemm.MR && j < n - n % VectorGemm.LOGICAL_NR;
                    for (int p0 = 0; p0 < k; p0 += 256) {
                        float s = inside ? v : 0f;
                        for (int p = p0; p < Math.min(k, p0 + 256); p++) {
                            float av = ta ? a[p * m + i] : a[i * k + p];
                            float bv = tb ? b[j * k + p] : b[p * n + j];
                            s = Math.fma(av, bv, s);
                        }
                        v = inside || (p0 == 0 && beta == 0f) ? s : v + s;
                    }
                }
                c[i * n + j] = v;
            }
        }
        return c;
    }

    /** The probe's digests in a fresh JVM forced to {@code bits}-bit vectors. */
    private static Map<String, String> probe(String bits) throws IOException, InterruptedException {
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-Dwinnow.vectorBits="
                + bits, "-cp", System.getProperty("java.class.path"), WidthProbe.class.getName());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the " + bits + "-bit probe timed out");
        assertEquals(0, p.exitValue(), "the " + bits + "-bit probe failed: " + out);
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] kv = line.strip().split(" ");
            m.put(kv[0], kv[1]);
        }
        return m;
    }
}
