package dev.winnow.recsys.data;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates ../shared/data (system property winnow.shared.data) and skips a test cleanly when it is absent. */
public final class SharedData {
    private SharedData() {
    }

    /** The ML-100K folder, or a skipped test when the shared data is not there (a fresh clone). */
    public static Path ml100k() {
        String root = System.getProperty("winnow.shared.data", "../shared/data");
        Path dir = Path.of(root, "ml-100k");
        Assumptions.assumeTrue(Files.isRegularFile(dir.resolve("u.data")),
                "shared data not found at " + dir.toAbsolutePath() + " (set -Dwinnow.shared.data); skipping");
        return dir;
    }
}
