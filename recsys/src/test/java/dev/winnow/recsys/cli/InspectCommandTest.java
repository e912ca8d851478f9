package dev.winnow.recsys.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InspectCommandTest {

    @Test
    void listsLayersDensityBytesAndChecksums(@TempDir Path dir) throws Exception {
        ExportCommandTest.checkpoint(dir, ExportCommandTest.SMALL, 4);
        Path f = dir.resolve("m.wnw");
        assertEquals(0, CliRun.of("export", "--checkpoint", dir.toString(), "--out", f.toString(), "--storage",
                "int8").exit());
        CliRun r = CliRun.of("inspect", f.toString());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("file checksum: ok"), r.out());
        assertTrue(r.out().matches("(?s).*mlp\\.0\\.weight\\s+16x16\\s+int8\\s+\\d+\\s+0\\.\\d{4}\\s+\\d+.*"), r.out());
        assertTrue(r.out().matches("(?s).*user\\.weight\\s+60x8\\s+int8.*"), r.out());
        assertTrue(r.out().contains("NCF rating model: 60 users, 90 items, embedding 8"), r.out());
    }

    @Test
    void aDamagedFileIsReportedSectionBySectionAndExitsOne(@TempDir Path dir) throws Exception {
        ExportCommandTest.checkpoint(dir, ExportCommandTest.SMALL, 5);
        Path f = dir.resolve("m.wnw");
        assertEquals(0, CliRun.of("export", "--checkpoint", dir.toString(), "--out", f.toString()).exit());
        byte[] b = Files.readAllBytes(f);
        b[b.length / 2] ^= 1;
        Files.write(f, b);
        CliRun r = CliRun.of("inspect", f.toString());
        assertEquals(1, r.exit());
        assertTrue(r.out().contains("MISMATCH"), r.out());
        assertTrue(r.out().contains("refused: " + f), r.out());
    }

    @Test
    void aMissingFileOrADirectoryExitsTwoInOneLineNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("nofile.wnw");
        CliRun r = CliRun.of("inspect", missing.toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals("winnow inspect: " + missing + ": does not exist", r.err().strip());
        r = CliRun.of("inspect", dir.toString());
        assertEquals(2, r.exit(), r.err());
        assertEquals("winnow inspect: " + dir + ": is a directory, not a model file", r.err().strip());
    }
}
