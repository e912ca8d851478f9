package dev.winnow.engine.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A file replaced whole or not at all: the content goes to a sibling temporary file, is forced to disk, and is
 * renamed over the target. Readers (another JVM, a serving process) see the old file or the new one, never half. A
 * target that is a symbolic link keeps its link: the file it names is replaced. A target that exists and is not a
 * regular file (a directory, a device such as /dev/null, a FIFO) is refused.
 *
 * <p>The temporary file is opened with {@code CREATE_NEW} and no explicit attributes, so it gets the permissions
 * the process umask gives any new file (0644 under umask 022). {@code Files.createTempFile} would make it 0600,
 * and the rename would carry that to the target: a model exported for another account could not be read.
 */
public final class AtomicFile {

    /** Something that writes a whole file's content to a stream. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private static final int NAME_ATTEMPTS = 100;

    /** ".NAME.<random>.tmp": the random part is an unsigned long in base 36 (1 to 13 characters). */
    private static final java.util.regex.Pattern TEMPORARY_NAME =
            java.util.regex.Pattern.compile("\\.(.+)\\.[0-9a-z]{1,13}\\.tmp");

    private AtomicFile() {
    }

    /**
     * Whether {@code fileName} is one of the temporary names this class writes beside a target (of any target when
     * {@code targetName} is null). A writer killed between creating and renaming its temporary file leaves it behind;
     * {@link RunLock} removes such leftovers once it holds the place they were written in.
     */
    public static boolean isTemporaryName(String fileName, String targetName) {
        java.util.regex.Matcher m = TEMPORARY_NAME.matcher(fileName);
        return m.matches() && (targetName == null || m.group(1).equals(targetName));
    }

    /** Replaces {@code target} with {@code bytes}; creates the parent directories. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /**
     * Replaces {@code target} with what {@code content} writes; creates the parent directories. When
     * {@code content} or the rename fails, the temporary file is deleted and the target is left as it was; a failed
     * write (a full disk) is reported as a {@link FileSystemException} naming {@code target}.
     */
    public static void write(Path target, Content content) throws IOException {
        Path abs = replaceable(target);
        Path dir = abs.getParent();
        Files.createDirectories(dir);
        Path tmp = null;
        try {
            FileChannel ch = null;
            for (int attempt = 0; ch == null; attempt++) {
                // a fresh random name per attempt: two writers of the same target never share a temporary file
                tmp = dir.resolve("." + abs.getFileName() + "."
                        + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
                try {
                    ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    tmp = null;
                    if (attempt + 1 == NAME_ATTEMPTS) {
                        throw e;
                    }
                }
            }
            try (FileChannel c = ch; OutputStream out = new BufferedOutputStream(Channels.newOutputStream(c), 1 << 16)) {
                content.writeTo(new UnclosableStream(out));
                out.flush();
                c.force(true);
            } catch (FileSystemException e) {
                throw e;
            } catch (IOException e) {
                // "No space left on device", "Input/output error": the JDK names no file for a failed write
                FileSystemException named = new FileSystemException(target.toString(), null,
                        e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
                named.initCause(e);
                throw named;
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /**
     * The file the rename will replace: {@code target} itself when it does not exist yet, else the regular file it is
     * or links to. Anything else is refused before a byte is written: renaming over a device, a FIFO or a socket
     * would replace the special file itself ({@code export --out /dev/null} run as root would leave a regular file
     * at /dev/null), and renaming over a symbolic link would replace the link instead of the file it names.
     */
    private static Path replaceable(Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        if (Files.exists(abs)) {
            Path real = abs.toRealPath();
            if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileSystemException(target.toString(), null, Files.isDirectory(real)
                        ? "is a directory"
                        : "is not a regular file (a device, FIFO or socket); name a file to write");
            }
            return real;
        }
        if (Files.isSymbolicLink(abs)) {
            throw new FileSystemException(target.toString(), null, "is a symbolic link to nothing; name a file to "
                    + "write");
        }
        return abs;
    }

    /**
     * Content writers may close the stream they are given (a JSON generator does); the channel must stay open
     * until it has been forced to disk.
     */
    private static final class UnclosableStream extends OutputStream {
        private final OutputStream out;

        UnclosableStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }
}
