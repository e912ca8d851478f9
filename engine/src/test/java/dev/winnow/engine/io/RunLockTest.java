package dev.winnow.engine.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One writer at a time per run directory or output file; the CLI-level behaviour is in recsys's RunLockTest. */
class RunLockTest {

    @Test
    void aHeldDirectoryIsRefusedInOneLineUntilItsHolderCloses(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("run");
        try (RunLock first = RunLock.directory("--out", run, 1)) {
            assertEquals(run.resolve(".winnow.lock"), first.lockFile());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RunLock.directory("--resume", run, 1));
            assertEquals("--resume " + run + ": another winnow run holds this directory (lock "
                    + run.resolve(".winnow.lock") + "); wait for it to end, or choose another directory",
                    e.getMessage());
            // the refused attempt did not free the holder's lock (closing a second channel would, on POSIX)
            assertThrows(IllegalArgumentException.class, () -> RunLock.directory("--out", run, 1));
        }
        try (RunLock again = RunLock.directory("--out", run, 1)) {
            assertTrue(Files.isRegularFile(again.lockFile()), "the lock file is kept, never deleted");
        }
    }

    @Test
    void filesAreLockedOneByOneBesideThemselves(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("models").resolve("a.wnw");
        try (RunLock first = RunLock.file("--out", a);
             RunLock other = RunLock.file("--out", dir.resolve("models").resolve("b.wnw"))) {
            assertEquals(a.resolveSibling(".a.wnw.lock"), first.lockFile());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunLock.file("-o", a));
            assertEquals("-o " + a + ": another winnow run is writing this file (lock " + first.lockFile()
                    + "); wait for it to end, or choose another file", e.getMessage());
        }
        try (RunLock device = RunLock.file("--output", dir)) {
            assertNull(device.lockFile(), "a directory or device is not replaced by a writer: nothing to lock");
        }
    }

    @Test
    void leftoverTemporaryFilesAreRemovedOnlyWhereTheWriterWrites(@TempDir Path dir) throws IOException {
        Path deep = Files.createDirectories(dir.resolve("run").resolve("models").resolve("x"));
        Path tooDeep = Files.createDirectories(deep.resolve("y"));
        Path gone = Files.writeString(deep.resolve(".checkpoint.wck.0a9z.tmp"), "half");
        Path kept = Files.writeString(tooDeep.resolve(".checkpoint.wck.0a9z.tmp"), "below the run's depth");
        Path dotted = Files.writeString(dir.resolve("run").resolve(".a.b.json.1.tmp"), "half");
        Path notTemporary = Files.writeString(dir.resolve("run").resolve(".a.TMP1.tmp"), "upper case: not ours");
        try (RunLock lock = RunLock.directory("--out", dir.resolve("run"), 3)) {
            assertFalse(Files.exists(gone) || Files.exists(dotted));
            assertTrue(Files.exists(kept) && Files.exists(notTemporary));
        }
        assertTrue(AtomicFile.isTemporaryName(".m.wnw.k3x9.tmp", "m.wnw"));
        assertFalse(AtomicFile.isTemporaryName(".m.wnw.k3x9.tmp", "wnw"));
        assertFalse(AtomicFile.isTemporaryName(".m.tmp", null));
        assertFalse(AtomicFile.isTemporaryName("m.wnw.k3x9.tmp", null));
    }
}
