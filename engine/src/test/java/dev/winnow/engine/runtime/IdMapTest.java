package dev.winnow.engine.runtime;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.io.StorageChoice;
import dev.winnow.engine.io.TestModels;
import dev.winnow.engine.nn.Activation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;

import static dev.winnow.engine.runtime.ModelFiles.ITEM_IDS;
import static dev.winnow.engine.runtime.ModelFiles.USER_IDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The id map (section 4): raw ids of a real data set written by the exporter and looked up by the runtime. */
class IdMapTest {
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static RecommenderModel load(byte[] f) throws java.io.IOException {
        return RecommenderModel.load(new ByteArrayInputStream(f), "ids.wnw");
    }

    @Test
    void everyRawIdRoundTripsToItsIndexAndBack() throws Exception {
        for (StorageChoice storage : new StorageChoice[] {StorageChoice.DENSE, StorageChoice.INT8}) {
            RecommenderModel m = load(ModelFiles.withIdMap(backend, storage, 11));
            assertTrue(m.hasIdMap());
            for (int k = 0; k < USER_IDS.length; k++) {
                assertEquals(k, m.userIndex(USER_IDS[k]), "user " + USER_IDS[k]);
                assertEquals(USER_IDS[k], m.userId(k));
            }
            for (int k = 0; k < ITEM_IDS.length; k++) {
                assertEquals(k, m.itemIndex(ITEM_IDS[k]), "item " + ITEM_IDS[k]);
                assertEquals(ITEM_IDS[k], m.itemId(k));
            }
            assertEquals("7 user ids in -4..123456789, 9 item ids in -13..2000000000", m.idMapDescription());
        }
    }

    @Test
    void theIdMapChangesNoPredictionOnlyHowUsersAndItemsAreNamed() throws Exception {
        RecommenderModel plain = load(ModelFiles.small(backend, StorageChoice.CSR, 12));
        RecommenderModel mapped = load(ModelFiles.withIdMap(backend, StorageChoice.CSR, 12));
        for (int u = 0; u < 7; u++) {
            for (int i = 0; i < 9; i++) {
                assertEquals(plain.predict(u, i), mapped.predict(mapped.userIndex(USER_IDS[u]),
                        mapped.itemIndex(ITEM_IDS[i])), "user " + USER_IDS[u] + " item " + ITEM_IDS[i]);
            }
        }
        // and the model a trained engine would predict for that index
        TestModels engine = new TestModels(backend, 7, 9, 3, new int[] {5}, Activation.RELU, 12);
        engine.pruneByMagnitude(0.5);
        float[] ref = engine.forward(new int[] {2}, new int[] {5});
        assertEquals(ref[0], mapped.score(mapped.userIndex(17), mapped.itemIndex(2_000_000_000)), 1e-6);
    }

    @Test
    void unknownRawIdsAreMinusOneAndIndicesAreTheIdsWithoutAMap() throws Exception {
        RecommenderModel m = load(ModelFiles.withIdMap(backend, StorageChoice.DENSE, 13));
        for (int unknown : new int[] {1, 2, 6, 901, -1, Integer.MIN_VALUE, Integer.MAX_VALUE}) {
            assertEquals(-1, m.userIndex(unknown), "user " + unknown);
        }
        for (int unknown : new int[] {0, 1, 2, 4, 13, 1001, Integer.MIN_VALUE}) {
            assertEquals(-1, m.itemIndex(unknown), "item " + unknown);
        }
        assertThrows(IllegalArgumentException.class, () -> m.userId(7));
        assertThrows(IllegalArgumentException.class, () -> m.itemId(-1));

        RecommenderModel plain = load(ModelFiles.small(backend, StorageChoice.DENSE, 13));
        assertFalse(plain.hasIdMap());
        assertEquals(-1, ModelFiles.sectionIndex(ModelFiles.small(backend, StorageChoice.DENSE, 13),
                WnwFormat.SECTION_ID_MAP), "a model without raw ids writes no section 4");
        assertEquals(3, plain.userIndex(3));
        assertEquals(-1, plain.userIndex(7));
        assertEquals(-1, plain.userIndex(-1));
        assertEquals(8, plain.itemIndex(8));
        assertEquals(-1, plain.itemIndex(9));
        assertEquals(4, plain.itemId(4));
        assertEquals("none (users and items are 0-based indices)", plain.idMapDescription());
    }

    @Test
    void theSectionIsRequiredSoAReaderWithoutIdMapsRefusesTheFileInsteadOfServingIndices() {
        byte[] f = ModelFiles.withIdMap(backend, StorageChoice.DENSE, 14);
        int s = ModelFiles.sectionIndex(f, WnwFormat.SECTION_ID_MAP);
        assertTrue(s > 0);
        int off = ModelFiles.sectionOffset(f, s);
        assertEquals(WnwFormat.FLAG_REQUIRED, SectionReader.readU16(f, off + 2));
        assertEquals(8 + 4 * (7 + 9), SectionReader.readU32(f, off + 4));
        assertEquals(1, SectionReader.readU16(f, 10), "files are format 1.1");
        assertEquals(7, SectionReader.readU32(f, off + 8));
        assertEquals(900, SectionReader.readU32(f, off + 12));
    }

    @Test
    void lookupsAllocateNothing() throws Exception {
        RecommenderModel m = load(ModelFiles.withIdMap(backend, StorageChoice.DENSE, 15));
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        long sink = 0;
        for (int rep = 0; rep < 3; rep++) {
            for (int k = 0; k < 100_000; k++) {
                sink += m.userIndex(USER_IDS[k % 7] + (k & 1)) + m.itemIndex(ITEM_IDS[k % 9]) + m.itemId(k % 9);
            }
        }
        long before = mx.getThreadAllocatedBytes(tid);
        for (int k = 0; k < 100_000; k++) {
            sink += m.userIndex(USER_IDS[k % 7] + (k & 1)) + m.itemIndex(ITEM_IDS[k % 9]) + m.itemId(k % 9);
        }
        long allocated = mx.getThreadAllocatedBytes(tid) - before;
        assertTrue(allocated < 1024, allocated + " bytes allocated by 300,000 lookups (sink " + sink + ")");
    }
}
