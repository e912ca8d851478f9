package dev.winnow.engine.runtime;

import dev.winnow.engine.io.MovieExport;
import dev.winnow.engine.io.NcfExport;
import dev.winnow.engine.nn.Activation;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class MovieRatingModelTest {
    private static final int HASH = 8;

    /** 2 numeric inputs (4 features), genres with 2 words + other (3), overview hashed into 8: width 15 -> 4 -> 1. */
    private static MovieExport small(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] idf = new float[HASH];
        for (int b = 0; b < HASH; b++) {
            idf[b] = 1f + b / 4f;
        }
        float[] w0 = new float[4 * 15];
        float[] b0 = new float[4];
        float[] w1 = new float[4];
        float[] b1 = {0.25f};
        for (int i = 0; i < w0.length; i++) {
            w0[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < 4; i++) {
            b0[i] = (float) r.nextGaussian() * 0.1f;
            w1[i] = (float) r.nextGaussian();
        }
        return new MovieExport(HASH,
                List.of(new MovieExport.Numeric("budget", MovieExport.DERIVE_NUMBER, "budget", true, 10.0, 2.0),
                        new MovieExport.Numeric("release_month", MovieExport.DERIVE_MONTH, "release_date", false, 6.5,
                                3.0)),
                List.of(new MovieExport.Categorical("genres", List.of("Drama", "Comedy"))),
                List.of(new MovieExport.Text("overview", idf)),
                List.of(new NcfExport.LayerWeights(15, 4, w0, b0), new NcfExport.LayerWeights(4, 1, w1, b1)),
                Activation.RELU, 6.25f, 1f, 10f, Map.of("producer", "test"));
    }

    private static MovieRatingModel load(byte[] f) throws ModelFormatException {
        return MovieRatingModel.parse(f, f.length, "test.wnw");
    }

    @Test
    void featuresFollowTheDocumentedPipelineAndTheScoreIsTheMlpPlusTheOffset() throws Exception {
        MovieExport e = small(1);
        MovieRatingModel m = load(e.encode(WnwFormat.STORAGE_DENSE_F32));
        Map<String, String> raw = new HashMap<>();
        raw.put("budget", "1000");
        raw.put("release_date", "2001-09-11");
        raw.put("genres", "Comedy| Horror |Drama");
        raw.put("overview", "Go go GO!");
        float[] x = m.features(raw);
        assertEquals(15, x.length);
        assertEquals((float) ((Math.log1p(1000) - 10.0) / 2.0), x[0]);
        assertEquals(0f, x[1]);
        assertEquals((float) ((9 - 6.5) / 3.0), x[2]);
        assertEquals(0f, x[3]);
        assertArrayEquals(new float[] {1f, 1f, 1f}, new float[] {x[4], x[5], x[6]}, "Drama, Comedy and other");
        int bucket = TokenCounts.bucket("go", HASH);
        for (int b = 0; b < HASH; b++) {
            assertEquals(b == bucket ? 1f : 0f, x[7 + b], 1e-7f, "one token three times: the normalised block is 1-hot");
        }
        // missing values: zero z-score and a set flag
        float[] none = m.features(Map.of("release_date", "not a date"));
        assertArrayEquals(new float[] {0f, 1f, 0f, 1f, 0f, 0f, 0f}, java.util.Arrays.copyOf(none, 7));
        // the MLP by hand
        double out = e.layers().get(1).bias()[0];
        for (int o = 0; o < 4; o++) {
            double h = e.layers().get(0).bias()[o];
            for (int k = 0; k < 15; k++) {
                h += (double) e.layers().get(0).weight()[o * 15 + k] * x[k];
            }
            out += e.layers().get(1).weight()[o] * Math.max(0, h);
        }
        assertEquals(out + 6.25, m.score(raw), 1e-5);
        assertEquals(Math.min(10f, Math.max(1f, m.score(raw))), m.predict(raw));
        assertEquals("test", m.metadata().get("producer"));
        for (int storage : new int[] {WnwFormat.STORAGE_CSR_F32, WnwFormat.STORAGE_CSR_F16}) {
            assertEquals(m.score(raw), load(e.encode(storage)).score(raw), 2e-2f, WnwFormat.storageName(storage));
        }
    }

    @Test
    void eachLoaderRefusesTheOtherKindAndSaysWhichToUse() throws Exception {
        byte[] movie = small(2).encode(0);
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> RecommenderModel.parse(movie, movie.length, "m.wnw", Kernels.detect()));
        assertTrue(e.getMessage().contains("MovieRatingModel"), e.getMessage());
        byte[] ncf = ModelFiles.small(new dev.winnow.engine.backend.cpu.CpuBackend(1),
                dev.winnow.engine.io.StorageChoice.DENSE, 3);
        e = assertThrows(ModelFormatException.class, () -> load(ncf));
        assertTrue(e.getMessage().contains("RecommenderModel"), e.getMessage());
    }

    @Test
    void everyTruncationAndEveryResealedByteFlipIsRefusedCleanlyOrStillLoads() {
        byte[] valid = small(3).encode(WnwFormat.STORAGE_CSR_F32);
        for (int n = 0; n < valid.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(valid, n);
            assertThrows(ModelFormatException.class, () -> load(cut), "truncated to " + n);
        }
        SplittableRandom r = new SplittableRandom(4);
        for (int trial = 0; trial < 3000; trial++) {
            byte[] f = valid.clone();
            int at = r.nextInt(f.length - 4);
            f[at] ^= (byte) (1 << r.nextInt(8));
            boolean resealed = r.nextBoolean();
            if (resealed) {
                ModelFiles.reseal(f);
            }
            try {
                MovieRatingModel m = load(f);
                assertTrue(resealed, "an unsealed flip at " + at + " must fail its checksum");
                m.score(Map.of("genres", "Drama", "overview", "a b c"));
            } catch (ModelFormatException expected) {
                // refused with a located message
                assertTrue(expected.getMessage().contains("test.wnw"), expected.getMessage());
            } catch (RuntimeException other) {
                fail("flip at byte " + at + " (resealed " + resealed + ") threw " + other, other);
            }
        }
    }

    @Test
    void forgedHugePipelineCountsAreRefusedBeforeAnyLargeAllocation() {
        byte[] valid = small(5).encode(0);
        int pipeline = ModelFiles.sectionOffset(valid, 1) + 8;
        assertEquals(WnwFormat.SECTION_FEATURE_PIPELINE, SectionReader.readU16(valid, pipeline - 8));
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // hash dim (u32 after the rule byte), then the u16 numeric count, then forged vocabulary sizes
        int[][] forgeries = {{pipeline + 1, Integer.MAX_VALUE}, {pipeline + 1, MovieRatingModel.MAX_ENTRIES}};
        for (int[] forge : forgeries) {
            byte[] f = valid.clone();
            ModelFiles.putU32(f, forge[0], forge[1]);
            ModelFiles.reseal(f);
            long before = mx.getCurrentThreadAllocatedBytes();
            assertThrows(ModelFormatException.class, () -> load(f));
            long allocated = mx.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 4L * valid.length + (1 << 20), "allocated " + allocated + " bytes for a forged "
                    + forge[1]);
        }
        byte[] f = valid.clone();
        f[pipeline + 5] = (byte) 0xFF;
        f[pipeline + 6] = (byte) 0xFF;
        ModelFiles.reseal(f);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(f));
        assertTrue(e.getMessage().contains("numeric inputs"), e.getMessage());
    }
}
