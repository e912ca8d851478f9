package dev.winnow.recsys.checkpoint;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Activation;
import dev.winnow.engine.nn.Parameter;
import dev.winnow.engine.tensor.BufferPool;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;
import dev.winnow.recsys.train.RatingTrainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointFileTest {
    static final NcfConfig TINY = new NcfConfig("tiny", 6, new int[] {10, 5}, Activation.RELU, 0.1);
    private static Backend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(1);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    /** A tiny model on tiny synthetic data with a random half of every weight tensor masked. */
    static NcfModel prunedModel(Backend backend, RatingData data, long seed) {
        NcfModel m = new NcfModel(backend, TINY, data.users(), data.items(), seed);
        SplittableRandom rng = new SplittableRandom(seed);
        for (Parameter p : m.parameters()) {
            if (p.name().endsWith("weight")) {
                float[] mask = new float[p.value().size()];
                for (int i = 0; i < mask.length; i++) {
                    mask[i] = rng.nextBoolean() ? 1f : 0f;
                }
                p.setMask(mask);
            }
        }
        return m;
    }

    @Test
    void restoredModelHasTheSameParametersMasksAndPredictions(@TempDir Path dir) throws Exception {
        RatingData data = SyntheticRatings.generate(3, 40, 60, 500);
        NcfModel m = prunedModel(backend, data, 3);
        Path file = CheckpointFile.write(Checkpoint.capture(m, data, 3, null, null), dir);
        assertEquals(dir.resolve(CheckpointFile.FILE_NAME).toAbsolutePath(), file);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file may remain");
        }
        Checkpoint back = CheckpointFile.read(dir);
        assertEquals(TINY.toString(), back.config().toString());
        assertEquals(data.name(), back.dataName());
        NcfModel r = back.restore(backend);
        for (int i = 0; i < m.parameters().size(); i++) {
            Parameter a = m.parameters().get(i);
            Parameter b = r.parameters().get(i);
            assertArrayEquals(a.value().toArray(), b.value().toArray(), a.name());
            assertEquals(a.mask() == null, b.mask() == null, a.name());
            if (a.mask() != null) {
                assertArrayEquals(a.mask().toArray(), b.mask().toArray(), a.name());
            }
        }
        assertArrayEquals(RatingTrainer.predict(m, backend, new BufferPool(backend), data, 128),
                RatingTrainer.predict(r, backend, new BufferPool(backend), data, 128));
        assertEquals(m.parameters().size(), back.values().size());
    }

    @Test
    void idMapsSurviveTheRoundTrip(@TempDir Path dir) throws Exception {
        RatingData data = SyntheticRatings.generate(4, 3, 4, 6);
        NcfModel m = new NcfModel(backend, TINY, 3, 4, 1);
        CheckpointFile.write(Checkpoint.capture(m, data, 1, List.of("u7", "u9", "ü"), List.of("a", "b", "c", "d")),
                dir);
        Checkpoint back = CheckpointFile.read(dir);
        assertEquals(List.of("u7", "u9", "ü"), back.userIds());
        assertEquals(List.of("a", "b", "c", "d"), back.itemIds());
    }

    @Test
    void truncatedOrDamagedCheckpointsAreRefusedWithAMessage(@TempDir Path dir) throws Exception {
        RatingData data = SyntheticRatings.generate(3, 40, 60, 500);
        Path file = CheckpointFile.write(Checkpoint.capture(prunedModel(backend, data, 3), data, 3, null, null), dir);
        byte[] good = Files.readAllBytes(file);
        SplittableRandom rng = new SplittableRandom(5);
        for (int k = 0; k < 200; k++) {
            byte[] bad = k % 2 == 0 ? Arrays.copyOf(good, rng.nextInt(good.length)) : good.clone();
            if (k % 2 == 1) {
                bad[rng.nextInt(bad.length)] ^= (byte) (1 << rng.nextInt(8));
            }
            Files.write(file, bad);
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                    () -> CheckpointFile.read(dir), "case " + k);
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        }
        Files.write(file, Arrays.copyOf(good, good.length - 10));
        assertTrue(assertThrows(CheckpointFormatException.class, () -> CheckpointFile.read(dir)).getMessage()
                .contains("truncated or damaged"));
    }

    @Test
    void aMissingCheckpointSaysHowToMakeOne(@TempDir Path dir) {
        Exception e = assertThrows(java.nio.file.NoSuchFileException.class, () -> CheckpointFile.read(dir));
        assertTrue(e.getMessage().contains("--checkpoint"), e.getMessage());
    }
}
