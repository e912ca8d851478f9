package dev.winnow.engine.runtime;

import dev.winnow.engine.backend.cpu.VectorEmulation;
import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.io.ModelExporter;
import dev.winnow.engine.io.StorageChoice;
import dev.winnow.engine.io.TestModels;
import dev.winnow.engine.nn.Activation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class RecommenderModelTest {
    private static Backend backend;
    /** An ML-100K-shaped student (943 x 1682, 32 + 32 -> 128 -> 64 -> 1) with every weight tensor pruned to 10%. */
    private static byte[] student;
    private static TestModels studentEngine;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
        studentEngine = new TestModels(backend, 943, 1682, 32, new int[] {128, 64}, Activation.RELU, 7);
        studentEngine.pruneByMagnitude(0.1);
        student = ModelExporter.encode(studentEngine.export(1f, 5f), StorageChoice.CSR, 1.0).bytes();
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static RecommenderModel load(byte[] f) throws Exception {
        return RecommenderModel.load(new ByteArrayInputStream(f));
    }

    @Test
    void prunedStudentMatchesTheEngineWithin1e6() throws Exception {
        RecommenderModel m = load(student);
        int[][] p = TestModels.pairs(943, 1682, 3000, 1);
        float[] ref = studentEngine.forward(p[0], p[1]);
        float[] batch = new float[ref.length];
        m.scoreBatch(p[0], p[1], ref.length, batch);
        for (int k = 0; k < ref.length; k++) {
            assertEquals(ref[k], m.score(p[0][k], p[1][k]), 1e-6, "pair " + k);
            assertEquals(ref[k], batch[k], 1e-6, "batched pair " + k);
        }
    }

    @Test
    void topKIsTheBestScoringItemsInOrderWithExclusionsSkipped() throws Exception {
        RecommenderModel m = load(student);
        int[] exclude = {0, 5, 63, 64, 1681, 700};
        for (int user : new int[] {0, 17, 942}) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < 1682; i++) {
                all.add(i);
            }
            all.removeIf(i -> Arrays.stream(exclude).anyMatch(x -> x == i));
            all.sort(Comparator.comparingDouble((Integer i) -> -m.score(user, i)).thenComparingInt(i -> i));
            int[] expected = all.stream().limit(10).mapToInt(Integer::intValue).toArray();
            int[] items = new int[10];
            float[] scores = new float[10];
            assertEquals(10, m.topK(user, 10, exclude, items, scores));
            for (int r = 0; r < 10; r++) {
                assertEquals(m.score(user, expected[r]), scores[r], "rank " + r + ": the scan's bits are score()'s");
            }
            // the block path and the single path give the same bits, so the same ranking, ties included
            assertArrayEquals(expected, items, "user " + user);
            for (int r = 1; r < 10; r++) {
                assertTrue(scores[r - 1] >= scores[r], "scores must descend");
            }
            // exclusions do not leak into the next request
            assertArrayEquals(m.topK(user, 1682, null), m.topK(user, 1682, new int[0]));
        }
    }

    @Test
    void topKReturnsFewerWhenExclusionsLeaveFewerItems() throws Exception {
        RecommenderModel m = load(ModelFiles.small(backend, StorageChoice.CSR, 3));
        int[] items = new int[9];
        float[] scores = new float[9];
        assertEquals(6, m.topK(2, 9, new int[] {1, 4, 7}, items, scores));
        for (int r = 0; r < 6; r++) {
            assertTrue(items[r] != 1 && items[r] != 4 && items[r] != 7);
        }
        assertThrows(IllegalArgumentException.class, () -> m.topK(2, 3, new int[] {9}));
        assertEquals(9, m.topK(2, 100, null).length);
        // The allocating form returns the same 6, not 9 padded with item 0 (which is excluded here).
        int[] top = m.topK(2, 9, new int[] {0, 1, 4});
        int n = m.topK(2, 9, new int[] {0, 1, 4}, items, scores);
        assertEquals(6, n);
        assertArrayEquals(Arrays.copyOf(items, n), top);
        for (int item : top) {
            assertTrue(item != 0 && item != 1 && item != 4, Arrays.toString(top));
        }
        assertEquals(0, m.topK(2, 5, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8}).length);
    }

    @Test
    void predictBatchAndTopKGiveTheBitsOfPredictPairByPairInEveryStorage() throws Exception {
        int[][] p = TestModels.pairs(943, 1682, 201, 2);
        for (StorageChoice storage : StorageChoice.values()) {
            RecommenderModel m = load(ModelExporter.encode(studentEngine.export(1f, 5f), storage, 1.0).bytes());
            float[] out = new float[201];
            m.predictBatch(p[0], p[1], 201, out);
            for (int k = 0; k < 201; k++) {
                assertEquals(m.predict(p[0][k], p[1][k]), out[k], storage + " pair " + k
                        + ": one order for every path, same bits");
                assertTrue(out[k] >= 1f && out[k] <= 5f);
            }
            int[] items = new int[20];
            float[] scores = new float[20];
            assertEquals(20, m.topK(7, 20, null, items, scores));
            for (int r = 0; r < 20; r++) {
                assertEquals(m.score(7, items[r]), scores[r], storage + " rank " + r);
            }
        }
    }

    @Test
    void outOfRangeIdsAreRefusedWithTheRange() throws Exception {
        RecommenderModel m = load(student);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.predict(943, 0));
        assertEquals("user 943 is outside 0..942", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.predict(0, -1));
    }

    @Test
    void scalarAndVectorKernelsGiveTheSameBits() throws Exception {
        RecommenderModel vector = load(student);
        RecommenderModel scalar = RecommenderModel.parse(student, student.length, "s", ScalarKernels.INSTANCE);
        assertEquals("scalar", scalar.kernels());
        int[][] p = TestModels.pairs(943, 1682, 500, 5);
        for (int k = 0; k < 500; k++) {
            assertEquals(scalar.score(p[0][k], p[1][k]), vector.score(p[0][k], p[1][k]), "pair " + k);
        }
        assertArrayEquals(scalar.topK(3, 10, null), vector.topK(3, 10, null));
    }

    @Test
    void pathAndStreamLoadTheSameModel(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("s.wnw");
        Files.write(f, student);
        RecommenderModel a = RecommenderModel.load(f);
        RecommenderModel b = load(student);
        assertEquals(a.checksum(), b.checksum());
        assertEquals(a.predict(5, 6), b.predict(5, 6));
        assertEquals(student.length, a.fileBytes());
    }

    @Test
    void concurrentRequestsGiveTheSameAnswersAsOneThread() throws Exception {
        RecommenderModel m = load(student);
        int[][] p = TestModels.pairs(943, 1682, 2000, 9);
        float[] expected = new float[2000];
        for (int k = 0; k < 2000; k++) {
            expected[k] = m.score(p[0][k], p[1][k]);
        }
        int[] expectedTop = m.topK(11, 10, new int[] {1, 2, 3});
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    SplittableRandom rng = new SplittableRandom(seed);
                    for (int rep = 0; rep < 3000; rep++) {
                        int k = rng.nextInt(2000);
                        if (m.score(p[0][k], p[1][k]) != expected[k]) {
                            return false;
                        }
                        if (rep % 100 == 0 && !Arrays.equals(expectedTop, m.topK(11, 10, new int[] {1, 2, 3}))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> f : futures) {
                assertTrue(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void requestsAllocateNothingAfterWarmUp() throws Exception {
        assumeFalse(VectorEmulation.active(), VectorEmulation.SKIPPED);
        assertAllocationFree(load(student));
    }

    /** predict, predictBatch and topK allocate nothing once the JIT has compiled them. */
    static void assertAllocationFree(RecommenderModel m) {
        int[][] p = TestModels.pairs(m.userCount(), m.itemCount(), 256, 4);
        float[] out = new float[256];
        int[] items = new int[10];
        float[] scores = new float[10];
        int[] exclude = {4, 8, 15};
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        float sink = 0;
        // warm-up ends when the JIT has compiled the request paths (interpreted Vector API code allocates); on a busy
        // machine that can take several rounds, so rounds repeat until one is allocation-free, up to a limit
        long allocated = Long.MAX_VALUE;
        // at least 30 rounds, and on a loaded machine (the JIT compiles late there) as many as 60 s allow
        long deadline = System.nanoTime() + 60_000_000_000L;
        for (int round = 0; (round < 30 || System.nanoTime() < deadline) && allocated >= 1024; round++) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int rep = 0; rep < 2000; rep++) {
                sink += m.predict(p[0][rep & 255], p[1][rep & 255]);
                if (rep % 50 == 0) {
                    m.predictBatch(p[0], p[1], 256, out);
                    m.topK(rep % m.userCount(), 10, exclude, items, scores);
                }
            }
            allocated = mx.getThreadAllocatedBytes(tid) - before;
        }
        assertTrue(allocated < 1024, "still allocating " + allocated + " bytes per 2000 requests after 30 rounds and 60 s (sink "
                + sink + ")");
    }

    @Test
    void halfConversionRoundTripsEveryFiniteHalfAndRoundsToNearest() {
        for (int h = 0; h < 0x10000; h++) {
            if ((h & 0x7C00) == 0x7C00) {
                continue;
            }
            assertEquals(h, Half.fromFloat(Half.toFloat(h)) & 0xFFFF, "half " + Integer.toHexString(h));
        }
        SplittableRandom rng = new SplittableRandom(1);
        for (int k = 0; k < 100_000; k++) {
            float x = (float) ((rng.nextDouble() * 2 - 1) * Math.pow(2, rng.nextInt(-26, 16)));
            float r = Half.toFloat(Half.fromFloat(x));
            // the nearest half: no other half is closer
            int h = Half.fromFloat(x) & 0xFFFF;
            int sign = h & 0x8000;
            int mag = h & 0x7FFF;
            float up = Half.toFloat(sign | (mag + 1));
            float down = Half.toFloat(sign | (mag == 0 ? 0 : mag - 1));
            assertTrue(Math.abs(x - r) <= Math.abs(x - up) && Math.abs(x - r) <= Math.abs(x - down),
                    x + " -> " + r);
        }
    }
}
