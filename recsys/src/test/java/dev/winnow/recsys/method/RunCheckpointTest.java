package dev.winnow.recsys.method;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Run checkpoints keep the MLP-only density (version 3), and a version 2 checkpoint, written without it, resumes. */
class RunCheckpointTest {
    private static final double MLP_DENSITY = 0.123456789;

    private static RunState state() {
        RunState s = new RunState();
        s.epoch = 2;
        s.curve.add(new CurvePoint("LTH-SAD", 3, 2, 0, 0.5, 1.0, 0.7, 0.8, 0.7, 0.9, "prune+rewind", 1e9, 2.0, 1e-3,
                MLP_DENSITY));
        s.rounds.add(new RoundRecord(0, 0.5, 100, 2, 0.8, 0.7, 0.9, 0.7, MLP_DENSITY));
        return s;
    }

    @Test
    void bothDensitiesSurviveACheckpoint(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.ckpt");
        RunCheckpoint.write(f, "LTH-SAD", 3, "cfg", state());
        RunState back = RunCheckpoint.read(f, "LTH-SAD", 3, "cfg");
        assertEquals(state().curve, back.curve);
        assertEquals(state().rounds, back.rounds);
    }

    @Test
    void aVersion2CheckpointResumesWithTheMlpDensityEqualToTheDensity(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.ckpt");
        RunCheckpoint.write(f, "LTH-SAD", 3, "cfg", state());
        Files.write(f, asVersion2(Files.readAllBytes(f)));
        RunState back = RunCheckpoint.read(f, "LTH-SAD", 3, "cfg");
        assertEquals(0.5, back.curve.get(0).mlpDensity(), 0.0);
        assertEquals(0.5, back.rounds.get(0).mlpDensity(), 0.0);
        assertEquals(0.9, back.curve.get(0).testMse(), 0.0);
        assertEquals(0.7, back.rounds.get(0).testMae(), 0.0);
    }

    /** The file version 2 wrote: version field 2, no MLP density after each curve point and round, CRC32 redone. */
    private static byte[] asVersion2(byte[] v3) {
        byte[] marker = ByteBuffer.allocate(8).putDouble(MLP_DENSITY).array();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int dropped = 0;
        int body = v3.length - 8;
        for (int i = 0; i < body; i++) {
            if (i + 8 <= body && ByteBuffer.wrap(v3, i, 8).equals(ByteBuffer.wrap(marker))) {
                i += 7;
                dropped++;
                continue;
            }
            out.write(v3[i]);
        }
        assertEquals(2, dropped, "one MLP density per curve point and per round");
        byte[] v2 = out.toByteArray();
        ByteBuffer.wrap(v2).putInt(8, 2);
        assertTrue(ByteBuffer.wrap(v3).getInt(8) == 3, "this build writes version 3");
        CRC32 crc = new CRC32();
        crc.update(v2);
        return ByteBuffer.allocate(v2.length + 8).put(v2).putLong(crc.getValue()).array();
    }
}
