package dev.winnow.engine.io;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Named pipes for the tests that check a FIFO is refused rather than read (it would block or be consumed). Java has no
 * API that makes one, so the POSIX {@code mkfifo} command does; where it cannot, the calling test is skipped with the
 * reason and what would let it run. CI (Debian, coreutils) always has it.
 */
public final class Fifos {
    private Fifos() {
    }

    /** A new FIFO at {@code path}, or the calling test aborted (skipped) saying why. */
    public static Path make(Path path) throws InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("skipped: no mkfifo command on this machine (" + e.getMessage() + "); install GNU "
                    + "coreutils (or any POSIX mkfifo) on the PATH to run this FIFO test");
            return path;
        }
        boolean done = p.waitFor(10, TimeUnit.SECONDS);
        if (!done || p.exitValue() != 0) {
            String why;
            try {
                why = done ? new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip() : "timed out";
            } catch (IOException e) {
                why = e.getMessage();
            }
            Assumptions.abort("skipped: mkfifo could not make " + path + " (" + why + "); run the test where the "
                    + "temporary directory's file system supports FIFOs");
        }
        return path;
    }
}
