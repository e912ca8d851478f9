package dev.winnow.recsys.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the CLI prints for a failure that is not the user's: one line, and the full trace in a file. */
class WinnowCliFailureTest {

    @Test
    void anInternalErrorIsOneLineNamingTheFileThatHoldsTheTrace() throws IOException {
        IllegalStateException bug = new IllegalStateException("arena leaked\nsecond line");
        WinnowCli.Failure f = WinnowCli.Failure.of(bug, null);
        assertEquals(1, f.exitCode());
        assertEquals(1, f.message().lines().count(), f.message());
        Matcher m = Pattern.compile("^internal error: IllegalStateException: arena leaked \\(full trace in (.+)\\)$")
                .matcher(f.message());
        assertTrue(m.matches(), f.message());
        Path trace = Path.of(m.group(1));
        try {
            String text = Files.readString(trace);
            assertTrue(text.contains("java.lang.IllegalStateException: arena leaked")
                    && text.contains("\tat dev.winnow.recsys.cli.WinnowCliFailureTest"), text);
        } finally {
            Files.deleteIfExists(trace);
        }
    }
}
