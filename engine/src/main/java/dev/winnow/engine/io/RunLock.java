package dev.winnow.engine.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * One writer at a time for a run directory or an output file: an exclusive {@link FileChannel#tryLock()} on a lock
 * file, taken before a command writes anything there and held until the command ends. A second command that wants the
 * same place is refused at once (an {@link IllegalArgumentException}, which the CLI shows as one line, exit 2) rather
 * than mixing its files with the first one's.
 *
 * <p>A run directory is locked by {@code DIR/.winnow.lock}; a single output file {@code NAME} by {@code .NAME.lock}
 * beside it, so that two exports of different files into one directory do not wait for each other.
 *
 * <p>The operating system drops the lock when the process ends, however it ends, so a killed run never leaves a stale
 * lock behind. The lock file itself is never deleted: a process that opened it just before the deletion would then
 * lock a file that no longer has a name while the next process creates and locks a new one, and both would write. An
 * empty hidden file is the price of that.
 *
 * <p>Once the lock is held, the temporary files of {@link AtomicFile} a killed writer left there ({@code .NAME.*.tmp})
 * are removed: no live writer can own them any more.
 */
public final class RunLock implements AutoCloseable {

    /** The lock file of a run directory. */
    public static final String DIRECTORY_LOCK = ".winnow.lock";

    /**
     * The lock files this JVM holds. On POSIX systems closing any channel of a file drops every lock the process holds
     * on it, so a second channel opened only to find the lock taken would, once closed, free the first holder's lock;
     * and tryLock answers a lock this JVM holds with an exception rather than null. A place held here is therefore
     * refused before any channel is opened.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path lockFile;
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private RunLock(Path lockFile, Path key, FileChannel channel, FileLock lock) {
        this.lockFile = lockFile;
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks the run directory {@code dir} (created when missing) that the command's {@code option} named, then removes
     * leftover temporary files in it and in its subfolders down to {@code depth} levels (1: the directory's own files;
     * symbolic links are neither followed nor removed).
     *
     * @throws IllegalArgumentException another run holds the directory, or its lock file cannot be created
     */
    public static RunLock directory(String option, Path dir, int depth) throws IOException {
        Files.createDirectories(dir);
        Path real = dir.toRealPath();
        RunLock held = acquire(option + " " + dir, real.resolve(DIRECTORY_LOCK), dir.resolve(DIRECTORY_LOCK),
                "holds this directory", "directory");
        try {
            removeTemporaryFiles(real, depth, name -> AtomicFile.isTemporaryName(name, null));
        } catch (IOException | RuntimeException e) {
            held.close();
            throw e;
        }
        return held;
    }

    /**
     * Locks the output file {@code target} that the command's {@code option} named, through {@code .NAME.lock} beside
     * it (the parent directories are created when missing), then removes leftover temporary files of that target. A
     * target that exists and is not a regular file (a directory, a device such as /dev/null, a pipe) is not replaced
     * by a writer: nothing is locked, and the command reports a directory itself.
     *
     * @throws IllegalArgumentException another run is writing the file, or its lock file cannot be created
     */
    public static RunLock file(String option, Path target) throws IOException {
        Path abs = target.toAbsolutePath();
        if (abs.getFileName() == null || (Files.exists(abs) && !Files.isRegularFile(abs))) {
            return new RunLock(null, null, null, null);
        }
        String name = abs.getFileName().toString();
        Files.createDirectories(abs.getParent());
        Path real = abs.getParent().toRealPath();
        Path shown = target.resolveSibling("." + name + ".lock");
        RunLock held = acquire(option + " " + target, real.resolve("." + name + ".lock"), shown,
                "is writing this file", "file");
        try {
            removeTemporaryFiles(real, 1, n -> AtomicFile.isTemporaryName(n, name));
        } catch (IOException | RuntimeException e) {
            held.close();
            throw e;
        }
        return held;
    }

    /** The lock file held, null when nothing needed locking. */
    public Path lockFile() {
        return lockFile;
    }

    @Override
    public synchronized void close() throws IOException {
        if (channel == null || closed) {
            return;
        }
        closed = true;
        try {
            channel.close(); // releases the lock
        } finally {
            HELD.remove(key);
        }
    }

    private static RunLock acquire(String where, Path key, Path shown, String holds, String kind) throws IOException {
        String held = where + ": another winnow run " + holds + " (lock " + shown + "); wait for it to end, or "
                + "choose another " + kind;
        if (!HELD.add(key)) {
            throw new IllegalArgumentException(held);
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held in this JVM through a channel of some other code
            }
            if (lock == null) {
                throw new IllegalArgumentException(held);
            }
            return new RunLock(shown, key, ch, lock);
        } catch (FileSystemException e) {
            closeQuietly(ch);
            HELD.remove(key);
            String reason = e.getReason() != null ? e.getReason()
                    : e instanceof AccessDeniedException ? "permission denied" : e.getClass().getSimpleName();
            throw new IllegalArgumentException(where + ": cannot create the lock file " + shown + " (" + reason
                    + "); name a writable place");
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            HELD.remove(key);
            throw e;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing was locked through it
            }
        }
    }

    private static void removeTemporaryFiles(Path dir, int depth, Predicate<String> temporary) throws IOException {
        // without FOLLOW_LINKS: a link is handed to visitFile as a link, neither entered nor taken for a regular file
        Files.walkFileTree(dir, EnumSet.noneOf(java.nio.file.FileVisitOption.class), depth, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && temporary.test(file.getFileName().toString())) {
                    Files.deleteIfExists(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE; // a subfolder this run cannot read holds nothing it wrote
            }
        });
    }
}
