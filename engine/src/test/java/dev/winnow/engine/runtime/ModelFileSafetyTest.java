package dev.winnow.engine.runtime;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.io.StorageChoice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class ModelFileSafetyTest {
    private static Backend backend;
    private static byte[][] valid;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
        valid = new byte[][] {
                ModelFiles.small(backend, StorageChoice.DENSE, 1), ModelFiles.small(backend, StorageChoice.CSR, 2),
                ModelFiles.small(backend, StorageChoice.CSR_FP16, 3), ModelFiles.small(backend, StorageChoice.INT8, 4),
                ModelFiles.withIdMap(backend, StorageChoice.DENSE, 5), ModelFiles.withIdMap(backend,
                StorageChoice.INT8, 6)};
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static RecommenderModel load(byte[] f) throws java.io.IOException {
        return RecommenderModel.load(new ByteArrayInputStream(f), "test.wnw");
    }

    @Test
    void everyValidFileLoads() throws Exception {
        for (byte[] f : valid) {
            RecommenderModel m = load(f);
            assertEquals(7, m.userCount());
            assertTrue(Float.isFinite(m.predict(6, 8)));
        }
    }

    @Test
    void everyTruncationIsRefusedWithTheDocumentedException() {
        for (byte[] f : valid) {
            for (int len = 0; len < f.length; len++) {
                byte[] cut = Arrays.copyOf(f, len);
                ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(cut), "length " + len);
                assertTrue(e.getMessage().startsWith("test.wnw: "), e.getMessage());
            }
        }
    }

    /**
     * A CSR-stored (pruned) user table whose section is cut short but re-sealed (its length and every checksum fixed,
     * so the checksums pass) is refused by the bounded reads, naming the tensor section, for every cut.
     */
    @Test
    void aSparseEmbeddingTableCutShortIsRefusedNamingItsSection() {
        byte[] f = valid[1];
        int s = ModelFiles.sectionIndex(f, WnwFormat.SECTION_TENSOR);
        int at = ModelFiles.sectionOffset(f, s);
        int payload = at + WnwFormat.SECTION_HEADER_BYTES;
        assertEquals(WnwFormat.ROLE_USER_EMBEDDING, f[payload] & 0xFF, "the first tensor is the user table");
        assertEquals(WnwFormat.STORAGE_CSR_F32, f[payload + 1] & 0xFF, "stored sparsely");
        int len = (int) SectionReader.readU32(f, at + 4);
        for (int cut = 1; cut < len; cut++) {
            byte[] g = new byte[f.length - cut];
            System.arraycopy(f, 0, g, 0, payload + len - cut);
            System.arraycopy(f, payload + len, g, payload + len - cut, f.length - payload - len);
            ModelFiles.putU32(g, at + 4, len - cut);
            ModelFiles.reseal(g);
            int c = cut;
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(g), "cut " + c);
            assertTrue(e.getMessage().startsWith("test.wnw: section " + s + " (tensor"), e.getMessage());
        }
    }

    @Test
    void everySingleBitFlipIsRefused() {
        byte[] f = valid[1];
        for (int bit = 0; bit < f.length * 8; bit++) {
            byte[] g = f.clone();
            g[bit >>> 3] ^= (byte) (1 << (bit & 7));
            assertThrows(ModelFormatException.class, () -> load(g), "bit " + bit);
        }
    }

    @Test
    void aFlippedPayloadBitNamesTheDamagedSectionAndItsOffset() {
        byte[] f = valid[1].clone();
        int off = ModelFiles.sectionOffset(f, 3);
        f[off + 20] ^= 4;
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(f));
        assertEquals("section 3 (tensor)", e.section());
        assertEquals(off, e.offset());
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    }

    @Test
    void aNewerMajorVersionIsRefusedWithTheVersionInTheMessage() {
        byte[] f = valid[0].clone();
        f[8] = 2;
        f[10] = 0;
        ModelFiles.reseal(f);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(f));
        assertTrue(e.getMessage().contains("format version 2.0 is not supported"), e.getMessage());
        assertEquals(8, e.offset());
    }

    @Test
    void aNewerMinorVersionWithAnUnknownOptionalSectionStillLoads() throws Exception {
        byte[] f = valid[0];
        // append an optional section of unknown type 77 before the file CRC, bump the minor version and section count
        byte[] extra = {77, 0, 0, 0, 3, 0, 0, 0, 9, 9, 9, 0, 0, 0, 0};
        byte[] g = new byte[f.length + extra.length];
        System.arraycopy(f, 0, g, 0, f.length - 4);
        System.arraycopy(extra, 0, g, f.length - 4, extra.length);
        g[10] = (byte) (WnwFormat.VERSION_MINOR + 1);
        ModelFiles.putU32(g, 12, (int) SectionReader.readU32(f, 12) + 1);
        ModelFiles.reseal(g);
        assertEquals(load(f).predict(3, 4), load(g).predict(3, 4));
        g[f.length - 4 + 2] = WnwFormat.FLAG_REQUIRED;
        ModelFiles.reseal(g);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(g));
        assertTrue(e.getMessage().contains("required"), e.getMessage());
    }

    @Test
    void reservedMovieKindIsRefusedWithAClearMessage() {
        byte[] f = valid[0].clone();
        f[ModelFiles.sectionOffset(f, 0) + 8] = (byte) WnwFormat.KIND_MOVIE_MLP;
        ModelFiles.reseal(f);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(f));
        assertTrue(e.getMessage().contains("movie feature MLP"), e.getMessage());
    }

    @Test
    void forgedHugeCountsAreRefusedBeforeAnyLargeAllocation() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // (a) a section length of 2^31-1, (b) a user count of 2^31-1, (c) a CSR nonzero count of 2^31-1,
        // (d) 2^31-1 rows in a CSR tensor: each re-sealed so only the bounds checks can stop it
        byte[] csr = valid[1];
        int model = ModelFiles.sectionOffset(csr, 0) + 8;
        int userTensor = ModelFiles.sectionOffset(csr, 2) + 8;
        int[][] forgeries = {
                {ModelFiles.sectionOffset(csr, 2) + 4, 0},
                {model + 8, 1},
                {userTensor + 12, 1},
                {userTensor + 4, 1}};
        for (int[] forge : forgeries) {
            byte[] f = csr.clone();
            ModelFiles.putU32(f, forge[0], Integer.MAX_VALUE);
            if (forge[1] == 1) {
                ModelFiles.reseal(f);
            }
            long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(f), "offset " + forge[0]);
            long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertTrue(allocated < 1 << 20, "forged value at " + forge[0] + " made the loader allocate " + allocated
                    + " bytes before refusing: " + e.getMessage());
        }
    }

    @Test
    void forgedIdMapCountsAndDuplicatesAreRefusedNamingTheSectionAndOffset() {
        byte[] f = valid[4];
        int s = ModelFiles.sectionIndex(f, WnwFormat.SECTION_ID_MAP);
        String section = "section " + s + " (id-map)";
        int users = ModelFiles.sectionOffset(f, s) + 8;
        int items = users + 4 + 4 * 7;
        assertRefused(ModelFiles.forged(f, users, 6), section, users, "6 user ids but the model header has 7 users");
        assertRefused(ModelFiles.forged(f, users, 8), section, users, "8 user ids but the model header has 7 users");
        assertRefused(ModelFiles.forged(f, items, 10), section, items, "10 item ids but the model header has 9 items");
        // user index 4 given index 1's raw id (5); item index 8 given index 0's (3)
        assertRefused(ModelFiles.forged(f, users + 4 + 4 * 4, 5), section, users + 4 + 4 * 4,
                "user id 5 appears twice (indices 1 and 4): raw ids must be unique");
        assertRefused(ModelFiles.forged(f, items + 4 + 4 * 8, 3), section, items + 4 + 4 * 8,
                "item id 3 appears twice (indices 0 and 8): raw ids must be unique");
    }

    @Test
    void aSecondIdMapOrAnIdMapInAMovieModelIsRefused() throws Exception {
        byte[] f = valid[4];
        int s = ModelFiles.sectionIndex(f, WnwFormat.SECTION_ID_MAP);
        byte[] twice = ModelFiles.copySection(f, s, f, s + 1);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(twice));
        assertEquals("section " + (s + 1) + " (id-map)", e.section());
        assertTrue(e.getMessage().endsWith("a second id map"), e.getMessage());

        byte[] movie = MovieRequestTest.export(16, 3).encode(WnwFormat.STORAGE_DENSE_F32);
        MovieRatingModel.parse(movie, movie.length, "movie.wnw");
        byte[] movieWithIds = ModelFiles.copySection(f, s, movie, 2);
        e = assertThrows(ModelFormatException.class, () -> MovieRatingModel.parse(movieWithIds, movieWithIds.length,
                "movie.wnw"));
        assertTrue(e.getMessage().contains("an id map belongs to an NCF model"), e.getMessage());
    }

    @Test
    void forgedHugeIdCountsAreRefusedBeforeAnyLargeAllocation() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        byte[] f = valid[4];
        int s = ModelFiles.sectionIndex(f, WnwFormat.SECTION_ID_MAP);
        int users = ModelFiles.sectionOffset(f, s) + 8;
        int items = users + 4 + 4 * 7;
        int headerUsers = ModelFiles.sectionOffset(f, 0) + 8 + 8;
        int headerItems = headerUsers + 4;
        // the id count alone; then the header's count forged to agree, so only the bytes-left check can stop it
        byte[] alone = ModelFiles.forged(f, users, Integer.MAX_VALUE);
        byte[] agreeing = ModelFiles.forged(ModelFiles.forged(f, headerUsers, Integer.MAX_VALUE), users,
                Integer.MAX_VALUE);
        byte[] agreeingItems = ModelFiles.forged(ModelFiles.forged(f, headerItems, Integer.MAX_VALUE), items,
                Integer.MAX_VALUE);
        String[] expected = {"2147483647 user ids but the model header has 7 users",
            "2147483647 user ids needs 8589934588 bytes but only", "2147483647 item ids needs 8589934588 bytes but only"};
        byte[][] files = {alone, agreeing, agreeingItems};
        for (int k = 0; k < files.length; k++) {
            byte[] g = files[k];
            long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(g));
            long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
            assertTrue(e.getMessage().contains(expected[k]), e.getMessage());
            assertTrue(e.section().endsWith("(id-map)"), e.getMessage());
            assertTrue(allocated < 1 << 20, "forged id count made the loader allocate " + allocated
                    + " bytes before refusing: " + e.getMessage());
        }
    }

    private static void assertRefused(byte[] f, String section, long offset, String problem) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> load(f), problem);
        assertEquals("test.wnw: " + section + " at byte " + offset + ": " + problem, e.getMessage());
    }

    /**
     * Seeded fuzzing: 12,000 mutated files (bit flips, byte overwrites, forged u32 fields, truncation, insertion,
     * deletion), half of them re-sealed so the structural checks run. The loader must either load a file whose checksum
     * passes (and then serve it) or throw ModelFormatException: nothing else, and never hang.
     */
    @Test
    void fuzzedFilesEitherLoadWithAPassingChecksumOrThrowTheDocumentedException() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            SplittableRandom rng = new SplittableRandom(20261125L);
            int loaded = 0;
            int refused = 0;
            int structural = 0;
            for (int c = 0; c < 12_000; c++) {
                byte[] f = mutate(valid[c % valid.length], rng);
                boolean resealed = rng.nextBoolean();
                if (resealed) {
                    ModelFiles.reseal(f);
                }
                try {
                    RecommenderModel m = load(f);
                    assertTrue(ModelFiles.fileChecksumPasses(f), "case " + c + " loaded a file whose checksum fails");
                    m.score(m.userCount() - 1, m.itemCount() - 1);
                    m.topK(0, 3, null);
                    loaded++;
                } catch (ModelFormatException expected) {
                    refused++;
                    if (resealed && !expected.getMessage().contains("checksum")) {
                        structural++;
                    }
                } catch (Throwable t) {
                    fail("case " + c + (resealed ? " (resealed)" : "") + " threw " + t, t);
                }
            }
            assertTrue(refused > 6000 && loaded > 0, "loaded " + loaded + ", refused " + refused);
            // the re-sealed half must reach the structural checks, not stop at a checksum
            assertTrue(structural > 3000, "only " + structural + " refusals came from structural checks");
        });
    }

    private static byte[] mutate(byte[] f, SplittableRandom rng) {
        byte[] g = f.clone();
        switch (rng.nextInt(7)) {
            case 0: {
                int flips = 1 + rng.nextInt(3);
                for (int i = 0; i < flips; i++) {
                    int bit = rng.nextInt(g.length * 8);
                    g[bit >>> 3] ^= (byte) (1 << (bit & 7));
                }
                return g;
            }
            case 1:
                g[rng.nextInt(g.length)] = (byte) rng.nextInt(256);
                return g;
            case 2: {
                int[] forged = {0, 1, 2, 0xFF, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, rng.nextInt()};
                int p = rng.nextInt(g.length - 3);
                ModelFiles.putU32(g, p, forged[rng.nextInt(forged.length)]);
                return g;
            }
            case 3:
                return Arrays.copyOf(g, rng.nextInt(g.length));
            case 4: {
                int p = rng.nextInt(g.length);
                int n = 1 + rng.nextInt(16);
                byte[] h = new byte[g.length + n];
                System.arraycopy(g, 0, h, 0, p);
                for (int i = 0; i < n; i++) {
                    h[p + i] = (byte) rng.nextInt(256);
                }
                System.arraycopy(g, p, h, p + n, g.length - p);
                return h;
            }
            case 5: {
                int p = rng.nextInt(g.length);
                int n = Math.min(g.length - p, 1 + rng.nextInt(16));
                byte[] h = new byte[g.length - n];
                System.arraycopy(g, 0, h, 0, p);
                System.arraycopy(g, p + n, h, p, g.length - p - n);
                return h;
            }
            default:
                return g; // unchanged: must load
        }
    }
}
