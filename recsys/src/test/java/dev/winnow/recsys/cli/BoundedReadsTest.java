package dev.winnow.recsys.cli;

import dev.winnow.recsys.checkpoint.CheckpointFile;
import dev.winnow.recsys.checkpoint.CheckpointFormatException;
import dev.winnow.recsys.checkpoint.MovieCheckpoint;
import dev.winnow.recsys.method.RunCheckpoint;
import dev.winnow.recsys.method.RunFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every file the CLI reads is a regular file read in bounded steps (issue 17): a device or FIFO is refused before it
 * is opened, a large file that is not of its kind after its magic bytes, a run file above its cap by its size, each
 * in one line with exit 2.
 */
class BoundedReadsTest {
    private static final Duration QUICK = Duration.ofSeconds(10);

    @Test
    void inspectRefusesADeviceAndAFifoInOneLine(@TempDir Path dir) throws Exception {
        Path fifo = fifo(dir, "pipe.wnw");
        assertTimeoutPreemptively(QUICK, () -> {
            CliRun r = CliRun.of("inspect", fifo.toString());
            assertEquals(2, r.exit(), r.err());
            assertEquals("", r.out(), "nothing is printed before the refusal");
            assertEquals("winnow inspect: " + fifo + ": is not a regular file (a device, FIFO or socket); name a"
                    + " model file", r.err().strip());
            if (Files.exists(Path.of("/dev/zero"))) {
                r = CliRun.of("inspect", "/dev/zero");
                assertEquals(2, r.exit(), r.err());
                assertEquals(1, r.err().strip().lines().count(), r.err());
            }
        });
    }

    @Test
    void inspectRefusesALargeNonModelFileAtOnce(@TempDir Path dir) throws Exception {
        Path big = sparse(dir.resolve("big.wnw"), "not a model".getBytes());
        assertTimeoutPreemptively(QUICK, () -> {
            long before = allocated();
            CliRun r = CliRun.of("inspect", big.toString());
            assertTrue(allocated() - before < 16 << 20, "inspect allocated " + (allocated() - before) + " bytes");
            assertEquals(1, r.exit(), r.out() + r.err());
            assertTrue(r.out().contains("structure: magic bytes differ: not a .wnw file"), r.out());
            assertTrue(r.out().contains("refused: " + big + ": file header at byte 0: magic bytes differ"), r.out());
        });
    }

    @Test
    void exportRefusesADeviceAFifoAndANonCheckpointInOneLine(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("m.wnw");
        Path fifo = fifo(dir, "pipe.wmc");
        Path big = sparse(dir.resolve("big.wck"), "PK\u0003\u0004".getBytes());
        assertTimeoutPreemptively(QUICK, () -> {
            if (Files.exists(Path.of("/dev/zero"))) {
                CliRun r = CliRun.of("export", "--checkpoint", "/dev/zero", "--out", out.toString());
                assertEquals(2, r.exit(), r.err());
                assertEquals("winnow export: --checkpoint /dev/zero: is not a regular file (a device, FIFO or socket);"
                        + " name a checkpoint", r.err().strip());
            }
            CliRun r = CliRun.of("export", "--checkpoint", fifo.toString(), "--out", out.toString());
            assertEquals(2, r.exit(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("is not a regular file"), r.err());
            long before = allocated();
            r = CliRun.of("export", "--checkpoint", big.toString(), "--out", out.toString());
            assertTrue(allocated() - before < 16 << 20, "export allocated " + (allocated() - before) + " bytes");
            assertEquals(2, r.exit(), r.err());
            assertEquals("winnow export: " + big + ": not a Winnow checkpoint (magic bytes differ or the file is"
                    + " truncated to " + (300 << 20) + " bytes)", r.err().strip());
            assertTrue(Files.notExists(out));
        });
    }

    @Test
    void checkpointReadersRefuseWhatIsNotTheirsAfterItsMagicBytes(@TempDir Path dir) throws Exception {
        Path big = sparse(dir.resolve("big.ckpt"), "PK\u0003\u0004".getBytes());
        Path fifo = fifo(dir, "pipe.ckpt");
        assertTimeoutPreemptively(QUICK, () -> {
            long before = allocated();
            assertThrows(CheckpointFormatException.class, () -> CheckpointFile.read(big));
            CheckpointFormatException m = assertThrows(CheckpointFormatException.class,
                    () -> MovieCheckpoint.read(big));
            assertEquals(big + ": not a movie checkpoint (magic differs)", m.getMessage());
            IOException e = assertThrows(IOException.class, () -> RunCheckpoint.read(big, "SAD", 1, "c"));
            assertEquals(big + ": not a winnow run checkpoint", e.getMessage());
            assertTrue(allocated() - before < 16 << 20, "allocated " + (allocated() - before) + " bytes");
            assertThrows(FileSystemException.class, () -> CheckpointFile.read(fifo));
            assertThrows(FileSystemException.class, () -> MovieCheckpoint.read(fifo));
            assertThrows(FileSystemException.class, () -> RunCheckpoint.read(fifo, "SAD", 1, "c"));
        });
    }

    @Test
    void aTruncatedOrLengthForgedCheckpointIsRefusedWithAMessage(@TempDir Path dir) throws Exception {
        ExportCommandTest.checkpoint(dir, ExportCommandTest.SMALL, 4);
        Path file = dir.resolve(CheckpointFile.FILE_NAME);
        byte[] good = Files.readAllBytes(file);
        // the first parameter's value count, forged to 2^31-1 and re-sealed: only the bytes-left check can stop it
        int at = indexOf(good, "user.weight".getBytes()) + "user.weight".length();
        byte[] forged = good.clone();
        ByteBuffer.wrap(forged).putInt(at, Integer.MAX_VALUE);
        CRC32C crc = new CRC32C();
        crc.update(forged, 0, forged.length - 4);
        ByteBuffer.wrap(forged).putInt(forged.length - 4, (int) crc.getValue());
        Files.write(file, forged);
        long before = allocated();
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointFile.read(dir));
        assertTrue(allocated() - before < 4L * good.length + (1 << 20), "allocated " + (allocated() - before));
        assertTrue(e.getMessage().contains("user.weight values needs 8589934589 bytes but only"), e.getMessage());
        Files.write(file, java.util.Arrays.copyOf(good, good.length - 9));
        e = assertThrows(CheckpointFormatException.class, () -> CheckpointFile.read(dir));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    }

    @Test
    void aRunFileMustBeARegularFileOfAtMostOneMegabyte(@TempDir Path dir) throws Exception {
        Path big = Files.writeString(dir.resolve("run.yaml"), "seeds: 1\n" + "#".repeat((int) RunFile.MAX_BYTES));
        Path fifo = fifo(dir, "run-pipe.yaml");
        assertTimeoutPreemptively(QUICK, () -> {
            CliRun r = CliRun.of("compare", "--out", dir.resolve("o").toString(), "--run-file", big.toString());
            assertEquals(2, r.exit(), r.err());
            assertEquals("winnow compare: --run-file " + big + ": " + (RunFile.MAX_BYTES + 9) + " bytes is larger"
                    + " than a run file may be (" + RunFile.MAX_BYTES + " bytes)", r.err().strip());
            r = CliRun.of("compare", "--out", dir.resolve("o").toString(), "--run-file", fifo.toString());
            assertEquals(2, r.exit(), r.err());
            assertEquals("winnow compare: --run-file " + fifo + ": is not a regular file (a device, FIFO or socket);"
                    + " name a run file", r.err().strip());
            if (Files.exists(Path.of("/dev/zero"))) {
                r = CliRun.of("compare", "--out", dir.resolve("o").toString(), "--run-file", "/dev/zero");
                assertEquals(2, r.exit(), r.err());
                assertEquals(1, r.err().strip().lines().count(), r.err());
            }
        });
        Path ok = Files.writeString(dir.resolve("ok.yaml"), "seeds: 2\n");
        assertEquals(2, RunFile.read(ok).seeds());
    }

    @Test
    void aRunJsonToResumeMustBeARegularFileOfAtMostOneMegabyte(@TempDir Path dir) throws Exception {
        Path piped = Files.createDirectories(dir.resolve("piped"));
        Path fifo = fifo(piped, "run.json");
        Path big = Files.createDirectories(dir.resolve("big"));
        sparse(big.resolve("run.json"), "{".getBytes(StandardCharsets.UTF_8));
        Path folder = Files.createDirectories(dir.resolve("folder").resolve("run.json")).getParent();
        assertTimeoutPreemptively(QUICK, () -> {
            CliRun r = CliRun.of("compare", "--resume", piped.toString());
            assertEquals(2, r.exit(), r.err());
            assertEquals("winnow compare: --resume " + piped + ": " + fifo + ": is not a regular file (a device, FIFO "
                    + "or socket); name a run.json", r.err().strip());
            r = CliRun.of("compare", "--resume", big.toString());
            assertEquals(2, r.exit(), r.err());
            assertEquals("winnow compare: --resume " + big + ": " + big.resolve("run.json") + ": " + (300L << 20)
                    + " bytes is larger than a run.json may be (" + CompareOptions.MAX_BYTES + " bytes)",
                    r.err().strip());
            r = CliRun.of("compare", "--resume", folder.toString());
            assertEquals(2, r.exit(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("is a directory"), r.err());
        });
    }

    private static long allocated() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        return mx.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** A 300 MB file that costs no disk: {@code head}, then a hole of zeros. */
    private static Path sparse(Path f, byte[] head) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(head);
            raf.setLength(300L << 20);
        }
        return f;
    }

    /**
     * A FIFO made by the POSIX mkfifo command (Java has no API for one); where it cannot be made the test is skipped,
     * saying why and what would let it run. CI (Debian, coreutils) always has it.
     */
    private static Path fifo(Path dir, String name) throws InterruptedException {
        Path fifo = dir.resolve(name);
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("skipped: no mkfifo command on this machine (" + e.getMessage() + "); install GNU "
                    + "coreutils (or any POSIX mkfifo) on the PATH to run this FIFO test");
            return fifo;
        }
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            Assumptions.abort("skipped: mkfifo could not make " + fifo + "; run the test where the temporary "
                    + "directory's file system supports FIFOs");
        }
        return fifo;
    }

    private static int indexOf(byte[] b, byte[] what) {
        outer:
        for (int i = 0; i + what.length <= b.length; i++) {
            for (int j = 0; j < what.length; j++) {
                if (b[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
