package dev.winnow.engine.runtime;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.io.ModelFileSummary;
import dev.winnow.engine.io.StorageChoice;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Model files and streams are read in bounded steps (issue 17): what is not a model is refused after its magic bytes,
 * in constant memory and at once, whatever its size; a device or FIFO is refused before it is opened; a declared
 * length is checked against the bytes there before anything is kept.
 */
class BoundedModelReadTest {
    private static final long BIG = 300L << 20;
    private static byte[] model;

    @BeforeAll
    static void setUp() {
        try (Backend backend = new CpuBackend(1)) {
            model = ModelFiles.small(backend, StorageChoice.DENSE, 7);
        }
    }

    /** A 300 MB file that costs no disk: {@code head}, then a hole of zeros. */
    static Path sparse(Path dir, String name, byte[] head) throws IOException {
        Path f = dir.resolve(name);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.write(head);
            raf.setLength(BIG);
        }
        return f;
    }

    @Test
    void aLargeNonModelFileIsRefusedByPredictUnderSixtyFourMegabytesInOneLine(@TempDir Path dir) throws Exception {
        Path f = sparse(dir, "big.bin", "PK\u0003\u0004 not a model".getBytes(StandardCharsets.US_ASCII));
        String classes = Path.of(Predict.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-cp", classes, Predict.class.getName(), f.toString(), "1", "2").redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "still running after 30 s");
        double seconds = (System.nanoTime() - t0) / 1e9;
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(1, p.exitValue(), out);
        assertEquals("refused: " + f + ": file header at byte 0: magic bytes differ: not a Winnow .wnw model file",
                out);
        assertTrue(seconds < 10, "took " + seconds + " s");
    }

    @Test
    void aLargeFileWithTheMagicAndAForgedSectionIsRefusedWithoutKeepingIt(@TempDir Path dir) throws Exception {
        // a real header and one section declaring the whole 300 MB: only its checksum, streamed, can stop it
        byte[] head = Arrays.copyOf(model, WnwFormat.FILE_HEADER_BYTES + WnwFormat.SECTION_HEADER_BYTES);
        ModelFiles.putU32(head, 12, 1);
        ModelFiles.putU32(head, WnwFormat.FILE_HEADER_BYTES + 4, (int) (BIG - head.length - 8));
        Path f = sparse(dir, "forged.wnw", head);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> RecommenderModel.load(f));
        long allocated = mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertTrue(e.getMessage().startsWith(f + ": section 0 (model) at byte 16: checksum mismatch"),
                e.getMessage());
        assertTrue(allocated < 1 << 20, "allocated " + allocated + " bytes to refuse it");
        assertThrows(ModelFormatException.class, () -> MovieRatingModel.load(f));
    }

    @Test
    void aForgedOrTruncatedFileGivesTheMessageItsImageGives(@TempDir Path dir) throws Exception {
        byte[] forged = model.clone();
        ModelFiles.putU32(forged, ModelFiles.sectionOffset(forged, 1) + 4, Integer.MAX_VALUE);
        List<byte[]> files = new ArrayList<>(List.of(forged));
        for (int len : new int[] {0, 7, 8, 19, 20, 40, model.length / 2, model.length - 1}) {
            files.add(Arrays.copyOf(model, len));
        }
        byte[] longer = Arrays.copyOf(model, model.length + 3);
        files.add(longer);
        for (byte[] b : files) {
            Path f = Files.write(dir.resolve("m.wnw"), b);
            ModelFormatException fromImage = assertThrows(ModelFormatException.class,
                    () -> RecommenderModel.parse(b, b.length, f.toString(), Kernels.detect()));
            ModelFormatException fromFile = assertThrows(ModelFormatException.class, () -> RecommenderModel.load(f));
            assertEquals(fromImage.getMessage(), fromFile.getMessage(), "length " + b.length);
        }
        assertTrue(RecommenderModel.load(Files.write(dir.resolve("ok.wnw"), model)).toString().startsWith("NCF"));
    }

    @Test
    void aDeviceIsRefusedBeforeItIsRead() {
        Path zero = Path.of("/dev/zero");
        assumeTrue(Files.exists(zero), "skipped: this machine has no /dev/zero (a Linux/Unix device); runs where it exists");
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            FileSystemException e = assertThrows(FileSystemException.class, () -> RecommenderModel.load(zero));
            assertEquals("/dev/zero: is not a regular file (a device, FIFO or socket); name a model file",
                    e.getMessage());
            assertThrows(FileSystemException.class, () -> MovieRatingModel.load(zero));
            assertThrows(FileSystemException.class, () -> WnwFormat.declaredKind(zero));
            assertThrows(FileSystemException.class, () -> ModelFileSummary.read(zero));
            Run r = predict(zero.toString(), "1", "2");
            assertEquals(2, r.exit, r.err);
            assertEquals("no model file /dev/zero", r.err.strip());
        });
    }

    @Test
    void aFifoIsRefusedWithoutWaitingForAWriter(@TempDir Path dir) throws Exception {
        Path fifo = fifo(dir);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThrows(FileSystemException.class, () -> RecommenderModel.load(fifo));
            assertThrows(FileSystemException.class, () -> WnwFormat.declaredKind(fifo));
            assertThrows(FileSystemException.class, () -> ModelFileSummary.read(fifo));
            Run r = predict(fifo.toString(), "1", "2");
            assertEquals(2, r.exit, r.err);
            assertEquals(1, r.err.strip().lines().count(), r.err);
        });
    }

    /** A FIFO ({@link dev.winnow.engine.io.Fifos#make}: the test is skipped, saying why, where none can be made). */
    static Path fifo(Path dir) throws InterruptedException {
        return dev.winnow.engine.io.Fifos.make(dir.resolve("pipe.wnw"));
    }

    @Test
    void aStreamThatIsNotAModelIsRefusedAfterEightBytes() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            Endless zeros = new Endless(new byte[0]);
            ModelFormatException e = assertThrows(ModelFormatException.class,
                    () -> RecommenderModel.load(zeros, "stdin"));
            assertEquals("stdin: file header at byte 0: magic bytes differ: not a Winnow .wnw model file",
                    e.getMessage());
            assertEquals(8, zeros.delivered);
            assertThrows(ModelFormatException.class, () -> MovieRatingModel.load(new Endless(new byte[0]), "stdin"));
        });
    }

    @Test
    void aStreamThatGoesOnAfterTheFileChecksumIsRefusedThere() {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            Endless tail = new Endless(model);
            ModelFormatException e = assertThrows(ModelFormatException.class,
                    () -> RecommenderModel.load(tail, "stdin"));
            assertEquals("stdin: file at byte " + model.length + ": bytes after the file checksum: damaged or"
                    + " wrongly concatenated", e.getMessage());
            assertEquals(model.length + 1, tail.delivered);
            // the model alone still loads, to the same bits as from its file
            RecommenderModel m = RecommenderModel.load(new ByteArrayInputStream(model), "stdin");
            assertEquals(model.length, m.fileBytes());
        });
    }

    @Test
    void aStreamWithAForgedSectionStopsAtThatSectionsChecksum() {
        byte[] f = model.clone();
        f[ModelFiles.sectionOffset(f, 1) + 12] ^= 1;
        Endless tail = new Endless(f);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> RecommenderModel.load(tail, "s"));
        assertTrue(e.getMessage().startsWith("s: section 1 ("), e.getMessage());
        assertTrue(e.getMessage().contains(" at byte " + ModelFiles.sectionOffset(f, 1) + ": checksum mismatch"),
                e.getMessage());
        assertTrue(tail.delivered < f.length, tail.delivered + " bytes read");
    }

    @Test
    void aForgedKindTwoHeaderIsRefusedNotAnsweredWithTheUsage(@TempDir Path dir) throws Exception {
        // an NCF file whose model header says kind 2 (the movie MLP), re-sealed so that only its contents can tell
        byte[] f = model.clone();
        f[ModelFiles.sectionOffset(f, 0) + 8] = (byte) WnwFormat.KIND_MOVIE_MLP;
        ModelFiles.reseal(f);
        Path forged = Files.write(dir.resolve("forged.wnw"), f);
        for (String[] args : new String[][] {{"3", "4", "5"}, {}, {"3", "4"}}) {
            String[] all = new String[args.length + 1];
            all[0] = forged.toString();
            System.arraycopy(args, 0, all, 1, args.length);
            Run r = predict(all);
            assertEquals(1, r.exit, r.err);
            assertTrue(r.err.startsWith("refused: " + forged + ": "), r.err);
            assertEquals(1, r.err.strip().lines().count(), r.err);
        }
        // and a file that only has the kind byte where a header would be
        byte[] g = Arrays.copyOf(model, WnwFormat.FILE_HEADER_BYTES + WnwFormat.SECTION_HEADER_BYTES + 1);
        g[g.length - 1] = (byte) WnwFormat.KIND_MOVIE_MLP;
        Path bare = Files.write(dir.resolve("bare.wnw"), g);
        Run r = predict(bare.toString(), "1", "2", "3");
        assertEquals(1, r.exit, r.err);
        assertTrue(r.err.startsWith("refused: " + bare + ": "), r.err);
    }

    record Run(int exit, String out, String err) {
    }

    static Run predict(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Predict.run(args, new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code head}, then zeros for ever; counts what it delivered. */
    static final class Endless extends InputStream {
        private final byte[] head;
        long delivered;

        Endless(byte[] head) {
            this.head = head;
        }

        @Override
        public int read() {
            int b = delivered < head.length ? head[(int) delivered] & 0xFF : 0;
            delivered++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                b[off + i] = (byte) read();
            }
            return len;
        }
    }
}
