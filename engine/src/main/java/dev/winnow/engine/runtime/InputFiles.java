package dev.winnow.engine.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The checks every file the product reads goes through before it is opened: it exists and is a regular file (not a
 * directory, a FIFO, a device such as {@code /dev/zero}), and it is no larger than what the reader accepts. A FIFO
 * would block the reader or be consumed by a first open; a device never ends. Both are refused in one line that
 * names the file, before a byte is read.
 */
public final class InputFiles {

    private InputFiles() {
    }

    /**
     * Refuses {@code path} unless it is a regular file (symbolic links followed) of at most {@code maxBytes} bytes;
     * returns its size. {@code what} names the file's role in the message ("model file", "run file").
     */
    public static long requireRegular(Path path, String what, long maxBytes) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "does not exist");
        }
        // FileSystemException naming the file: the CLI reports it against the option that gave the path, exit 2
        if (a.isDirectory()) {
            throw new FileSystemException(path.toString(), null, "is a directory, not a " + what);
        }
        if (!a.isRegularFile()) {
            throw new FileSystemException(path.toString(), null, "is not a regular file (a device, FIFO or socket);"
                    + " name a " + what);
        }
        if (a.size() > maxBytes) {
            throw new FileSystemException(path.toString(), null, a.size() + " bytes is larger than a " + what
                    + " may be (" + maxBytes + " bytes)");
        }
        return a.size();
    }

    /**
     * Reads at most {@code max} bytes of {@code in}, refusing a stream with more: memory is bounded by the limit, not
     * by what the stream delivers ({@code /dev/zero} on stdin).
     */
    public static byte[] readAtMost(InputStream in, int max, String name) throws IOException {
        byte[] all = in.readNBytes(max);
        if (in.read() >= 0) {
            throw new IOException(name + ": more than " + max + " bytes; larger than a file of this kind may be");
        }
        return all;
    }
}
