package dev.winnow.engine.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A file replaced whole or not at all, with the permissions any new file gets. */
class AtomicFileTest {

    /** The permissions a plain {@code Files.createFile} gets in {@code dir}: what the umask gives a new file. */
    static Set<PosixFilePermission> newFilePermissions(Path dir) throws IOException {
        assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null,
                "not a POSIX file system: no permission bits to compare");
        Path reference = Files.createFile(dir.resolve("reference-" + System.nanoTime()));
        try {
            return Files.getPosixFilePermissions(reference);
        } finally {
            Files.delete(reference);
        }
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void aWrittenFileHasThePermissionsOfAPlainNewFile(@TempDir Path dir) throws IOException {
        Set<PosixFilePermission> expected = newFilePermissions(dir);
        Path target = dir.resolve("a.bin");
        AtomicFile.write(target, new byte[] {1, 2, 3});
        assertEquals(expected, Files.getPosixFilePermissions(target));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(target));
    }

    @Test
    void aModelWrittenByWnwWriterHasThePermissionsOfAPlainNewFile(@TempDir Path dir) throws IOException {
        Set<PosixFilePermission> expected = newFilePermissions(dir);
        Path target = dir.resolve("sub").resolve("model.wnw");
        WnwWriter.writeAtomically(new byte[] {7, 8}, target);
        assertEquals(expected, Files.getPosixFilePermissions(target));
        assertEquals(List.of("model.wnw"), names(target.getParent()));
    }

    @Test
    void replacingAFileGivesTheNewContentAndLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("results.json");
        Files.writeString(target, "old");
        // a content writer may close the stream (a JSON generator does); the write must still complete
        AtomicFile.write(target, out -> {
            out.write("new".getBytes(StandardCharsets.UTF_8));
            out.close();
        });
        assertEquals("new", Files.readString(target));
        assertEquals(List.of("results.json"), names(dir));
    }

    @Test
    void aFailedWriteLeavesTheTargetAsItWasAndNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("checkpoint.wck");
        Files.writeString(target, "previous checkpoint");
        IOException e = assertThrows(IOException.class, () -> AtomicFile.write(target, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full");
        }));
        // the JDK names no file for a failed write; AtomicFile does, so the CLI can say which one (issue 17)
        FileSystemException named = assertInstanceOf(FileSystemException.class, e);
        assertEquals(target.toString(), named.getFile());
        assertEquals("disk full", named.getReason());
        assertEquals("previous checkpoint", Files.readString(target));
        assertEquals(List.of("checkpoint.wck"), names(dir));

        Path absent = dir.resolve("new.wnw");
        assertThrows(IllegalStateException.class, () -> AtomicFile.write(absent, out -> {
            out.write(1);
            throw new IllegalStateException("encoder failed");
        }));
        assertEquals(List.of("checkpoint.wck"), names(dir), "neither the target nor a temporary file may appear");
    }

    @Test
    void aFullDiskIsReportedNamingTheTarget(@TempDir Path dir) throws IOException {
        Path full = Path.of("/dev/full"); // every write to it fails with ENOSPC, as on a full disk
        assumeTrue(Files.isWritable(full), "skipped: this machine has no writable /dev/full (a Linux device that fails every"
                + " write with ENOSPC); runs on Linux");
        Path target = dir.resolve("results.json");
        FileSystemException e = assertThrows(FileSystemException.class, () -> AtomicFile.write(target, out -> {
            try (var disk = Files.newOutputStream(full)) {
                disk.write(new byte[8192]);
                disk.flush();
            }
        }));
        assertEquals(target.toString(), e.getFile());
        assertEquals(target + ": No space left on device", e.getMessage());
        assertEquals(List.of(), names(dir), "no temporary file left");
    }

    @Test
    void aSpecialFileIsRefusedNotReplaced(@TempDir Path dir) throws Exception {
        // `export --out /dev/null` run as root renamed a regular file over the device (found on /dev/full)
        Path fifo = Fifos.make(dir.resolve("fifo"));
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> AtomicFile.write(fifo, new byte[] {1}));
        assertEquals(fifo.toString(), e.getFile());
        assertTrue(e.getReason().startsWith("is not a regular file"), e.getReason());
        assertTrue(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class).isOther(),
                "the FIFO is still a FIFO");
        assertEquals(List.of("fifo"), names(dir), "no temporary file either");
    }

    @Test
    void aSymbolicLinkKeepsItsLinkAndTheFileItNamesIsReplaced(@TempDir Path dir) throws IOException {
        Path real = Files.writeString(dir.resolve("model-v1.wnw"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("current.wnw"), real.getFileName());
        AtomicFile.write(link, "new".getBytes(StandardCharsets.UTF_8));
        assertTrue(Files.isSymbolicLink(link), "the link stays a link");
        assertEquals("new", Files.readString(real));
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> AtomicFile.write(dangling, new byte[] {1}));
        assertEquals("is a symbolic link to nothing; name a file to write", e.getReason());
        assertTrue(Files.notExists(dir.resolve("nowhere")));
    }

    @Test
    void aFailedRenameLeavesNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("taken");
        Files.createDirectory(target);
        Files.writeString(target.resolve("inside"), "x"); // a non-empty directory cannot be replaced by a file
        assertThrows(IOException.class, () -> AtomicFile.write(target, new byte[] {1}));
        assertEquals(List.of("taken"), names(dir));
        assertEquals(List.of("inside"), names(target));
    }
}
