package dev.winnow.engine.runtime;

import dev.winnow.engine.backend.cpu.VectorEmulation;
import dev.winnow.engine.io.ModelExporter;
import dev.winnow.engine.io.NcfExport;
import dev.winnow.engine.io.StorageChoice;
import dev.winnow.engine.io.TestModels;
import dev.winnow.engine.nn.Activation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The MLP layouts of the runtime (dense, csr, 16x1 blocks): the same bits on every path, width and layout. */
class LayerLayoutTest {

    @Test
    void everyLayoutGivesTheReferenceBitsOnEveryPathWithAndWithoutTheVectorApi() {
        List<String> bad = RuntimeKernelProbe.mismatches(Kernels.detect());
        assertEquals(List.of(), bad.subList(0, Math.min(10, bad.size())), Kernels.detect().name());
        bad = RuntimeKernelProbe.mismatches(ScalarKernels.INSTANCE);
        assertEquals(List.of(), bad.subList(0, Math.min(10, bad.size())), "scalar");
    }

    @Test
    void everyLayoutGivesTheReferenceBitsAt128And256And512Bits() throws Exception {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent(), "needs jdk.incubator.vector");
        for (String bits : new String[] {"128", "256", "512"}) {
            String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector",
                    "-Dwinnow.vectorBits=" + bits, "-cp", System.getProperty("java.class.path"),
                    RuntimeKernelProbe.class.getName());
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), bits + "-bit probe timed out");
            int lanes = Integer.parseInt(bits) / 32;
            assertTrue(out.startsWith("vector(" + lanes + " lanes) 0 "), bits + " bits: " + out);
        }
    }

    @Test
    void eachPathGetsTheLayoutThatDoesLessWorkWithTheKernelsAtHand() {
        SplittableRandom rng = new SplittableRandom(9);
        float[] blocks = RuntimeKernelProbe.weights(128, 64, "block", rng);
        float[] random = RuntimeKernelProbe.weights(128, 64, "unstructured", rng);
        float[] dense = RuntimeKernelProbe.weights(128, 64, "dense", rng);
        float[] output = RuntimeKernelProbe.weights(1, 64, "dense", rng);
        assertEquals("block", layer(blocks, 128, true).layout());
        assertEquals("dense", layer(dense, 128, true).layout());
        // ~30% of the weights at random fill nearly every block: blocks for one vector, CSR for 64 of them, and CSR
        // for both with plain loops (16 scalar FMAs per block)
        assertEquals("block/csr", layer(random, 128, true).layout());
        assertEquals("csr", layer(random, 128, false).layout());
        assertEquals("block", layer(blocks, 128, false).layout());
        // an output layer's blocks hold one weight each
        assertEquals("csr", layer(output, 1, true).layout());
    }

    private static Layer layer(float[] w, int out, boolean vector) {
        return new Layer(64, RuntimeKernelProbe.csr(w, out, 64), new float[out], WnwFormat.ACT_RELU, 0f, false, null,
                vector);
    }

    /** A student-shaped NCF model (32 + 32 -> 128 -> 64 -> 1, 60 users, 200 items), ~30% of its MLP blocks kept. */
    private static byte[] blockPruned(StorageChoice storage) {
        SplittableRandom rng = new SplittableRandom(3);
        int[] widths = {64, 128, 64, 1};
        List<NcfExport.LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l + 1 < widths.length; l++) {
            float[] w = RuntimeKernelProbe.weights(widths[l + 1], widths[l], "block", rng);
            float[] b = new float[widths[l + 1]];
            for (int o = 0; o < b.length; o++) {
                b[o] = (float) (rng.nextDouble() - 0.5);
            }
            layers.add(new NcfExport.LayerWeights(widths[l], widths[l + 1], w, b));
        }
        float[] users = new float[60 * 32];
        float[] items = new float[200 * 32];
        for (float[] t : new float[][] {users, items}) {
            for (int i = 0; i < t.length; i++) {
                t[i] = (float) (rng.nextDouble() - 0.5);
            }
        }
        NcfExport e = new NcfExport(60, 200, 32, users, items, layers, Activation.RELU, 1f, 5f, Map.of());
        return ModelExporter.encode(e, storage, 1.0).bytes();
    }

    private static RecommenderModel load(byte[] f, String layout) throws Exception {
        if (layout != null) {
            System.setProperty("winnow.layout", layout);
        }
        try {
            return RecommenderModel.parse(f, "block-pruned");
        } finally {
            System.clearProperty("winnow.layout");
        }
    }

    @Test
    void aBlockPrunedModelScoresAndRanksWithTheSameBitsInEveryLayoutAndStorage() throws Exception {
        int[][] p = TestModels.pairs(60, 200, 150, 8);
        RecommenderModel ref = load(blockPruned(StorageChoice.CSR), "csr");
        float[] want = new float[150];
        ref.scoreBatch(p[0], p[1], 150, want);
        for (StorageChoice storage : new StorageChoice[] {StorageChoice.CSR, StorageChoice.DENSE}) {
            for (String layout : new String[] {null, "dense", "csr", "block", "stored"}) {
                RecommenderModel m = load(blockPruned(storage), layout);
                String what = storage + " " + layout + " (" + m + ")";
                float[] got = new float[150];
                m.scoreBatch(p[0], p[1], 150, got);
                for (int k = 0; k < 150; k++) {
                    assertEquals(Float.floatToIntBits(want[k]), Float.floatToIntBits(got[k]), what + " batch " + k);
                    assertEquals(Float.floatToIntBits(want[k]), Float.floatToIntBits(m.score(p[0][k], p[1][k])),
                            what + " pair " + k);
                }
                int[] items = new int[20];
                float[] scores = new float[20];
                m.topK(7, 20, new int[] {3}, items, scores);
                assertArrayEquals(ref.topK(7, 20, new int[] {3}), items, what);
                for (int r = 0; r < 20; r++) {
                    assertEquals(m.score(7, items[r]), scores[r], what + " rank " + r);
                }
            }
        }
    }

    @Test
    void theDescriptionNamesEachLayersLayoutAndAForcedOneIsTaken() throws Exception {
        assertTrue(load(blockPruned(StorageChoice.CSR), "block").toString()
                .endsWith("layouts block, block, block"), "forced");
        assertTrue(load(blockPruned(StorageChoice.DENSE), "stored").toString()
                .endsWith("layouts dense, dense, dense"), "stored dense");
        String measured = load(blockPruned(StorageChoice.CSR), null).toString();
        assertTrue(measured.matches(".*layouts [a-z/]+, [a-z/]+, [a-z/]+"), measured);
    }

    @Test
    void aBadLayoutIsRefusedInOneLine(@TempDir Path dir) throws Exception {
        byte[] f = blockPruned(StorageChoice.CSR);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(f, "sparse"));
        assertEquals("-Dwinnow.layout=sparse is not a layout: dense, csr, block or stored", e.getMessage());
        Path model = dir.resolve("m.wnw");
        Files.write(model, f);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setProperty("winnow.layout", "Block");
        try {
            int code = Predict.run(new String[] {model.toString(), "1", "2"}, System.in,
                    new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
            assertEquals(2, code);
        } finally {
            System.clearProperty("winnow.layout");
        }
        assertEquals("-Dwinnow.layout=Block is not a layout: dense, csr, block or stored\n",
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void blockAndDenseLayoutsAllocateNothingAfterWarmUp() throws Exception {
        assumeFalse(VectorEmulation.active(), VectorEmulation.SKIPPED);
        for (String layout : new String[] {"block", "dense"}) {
            RecommenderModelTest.assertAllocationFree(load(blockPruned(StorageChoice.CSR), layout));
        }
    }
}
