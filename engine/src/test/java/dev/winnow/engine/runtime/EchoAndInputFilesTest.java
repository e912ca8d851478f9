package dev.winnow.engine.runtime;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EchoAndInputFilesTest {

    @Test
    void echoQuotesEscapesAndCuts() {
        assertEquals("\"abc\"", Echo.quote("abc"));
        assertEquals("\"a\\u001b[31mb\\u0000\\\"\\\\\"", Echo.quote("a\u001b[31mb\u0000\"\\"));
        assertEquals("\"caf\\ufffd\"", Echo.quote("caf\ufffd"));
        String huge = "7".repeat(10_000_000);
        String shown = Echo.quote(huge);
        assertEquals("\"" + "7".repeat(Echo.MAX_CHARS) + "\"... (10000000 chars)", shown);
        assertEquals("null", Echo.quote(null));
    }

    @Test
    void onlyRegularFilesWithinTheLimitPass(@TempDir Path dir) throws IOException {
        Path f = Files.write(dir.resolve("m.wnw"), new byte[100]);
        assertEquals(100, InputFiles.requireRegular(f, "model file", 100));
        IOException big = assertThrows(IOException.class, () -> InputFiles.requireRegular(f, "model file", 99));
        assertTrue(big.getMessage().contains("100 bytes is larger than a model file may be (99 bytes)"), big.getMessage());
        IOException d = assertThrows(IOException.class, () -> InputFiles.requireRegular(dir, "model file", 99));
        assertTrue(d.getMessage().endsWith("is a directory, not a model file"), d.getMessage());
        assertThrows(NoSuchFileException.class, () -> InputFiles.requireRegular(dir.resolve("x"), "model file", 9));
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            IOException dev = assertThrows(IOException.class, () -> InputFiles.requireRegular(zero, "model file", 9));
            assertTrue(dev.getMessage().contains("is not a regular file"), dev.getMessage());
        }
    }

    @Test
    void readAtMostRefusesALongerStream() throws IOException {
        assertEquals(3, InputFiles.readAtMost(new ByteArrayInputStream(new byte[3]), 3, "stdin").length);
        IOException e = assertThrows(IOException.class,
                () -> InputFiles.readAtMost(new ByteArrayInputStream(new byte[4]), 3, "stdin"));
        assertEquals("stdin: more than 3 bytes; larger than a file of this kind may be", e.getMessage());
    }
}
