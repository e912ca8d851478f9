package dev.winnow.recsys.report;

import dev.winnow.engine.io.AtomicFile;
import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.nn.Activation;
import dev.winnow.recsys.checkpoint.Checkpoint;
import dev.winnow.recsys.checkpoint.CheckpointFile;
import dev.winnow.recsys.data.RatingData;
import dev.winnow.recsys.data.SyntheticRatings;
import dev.winnow.recsys.model.NcfConfig;
import dev.winnow.recsys.model.NcfModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Every output file (results, curves, plots, checkpoints) gets the permissions the umask gives a new file, not
 * the 0600 of a {@code Files.createTempFile}, so that another account can read what a run wrote.
 */
class WrittenFilePermissionsTest {

    static Set<PosixFilePermission> newFilePermissions(Path dir) throws IOException {
        assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null,
                "not a POSIX file system: no permission bits to compare");
        Path reference = Files.createFile(dir.resolve("reference"));
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
    void resultsCurvesPlotsAndCheckpointsGetThePermissionsOfAPlainNewFile(@TempDir Path dir) throws IOException {
        Set<PosixFilePermission> expected = newFilePermissions(dir);
        ResultsWriter.write(dir, new DatasetInfo("synthetic", 10, 5, null), "cpu", null, null, 1, List.of());
        CurvesWriter.write(dir.resolve("curves.csv"), List.of());
        List<Path> written = new ArrayList<>(Plots.write(dir, List.of()));
        RatingData data = SyntheticRatings.generate(3, 20, 30, 200);
        try (Backend backend = new CpuBackend(1)) {
            NcfModel m = new NcfModel(backend, new NcfConfig("tiny", 4, new int[] {6}, Activation.RELU, 0.1),
                    data.users(), data.items(), 3);
            written.add(CheckpointFile.write(Checkpoint.capture(m, data, 1, null, null), dir));
        }
        written.add(dir.resolve("results.json"));
        written.add(dir.resolve("results.csv"));
        written.add(dir.resolve("curves.csv"));
        for (Path p : written) {
            assertEquals(expected, Files.getPosixFilePermissions(p), p.getFileName().toString());
        }
        assertEquals(List.of("checkpoint.wck", "curves.csv", "error_vs_density.png", "results.csv", "results.json",
                "test_mae.png", "test_mse.png"), names(dir), "no temporary file may remain");
    }

    @Test
    void aFailedResultsWriteLeavesThePreviousFileAndNoTemporaryFile(@TempDir Path dir) throws IOException {
        Path target = dir.resolve("run.json");
        Files.writeString(target, "{\"previous\":true}");
        assertThrows(IOException.class, () -> AtomicFile.write(target, out -> {
            out.write("{\"half".getBytes());
            throw new IOException("disk full");
        }));
        assertEquals("{\"previous\":true}", Files.readString(target));
        assertEquals(List.of("run.json"), names(dir));
    }
}
