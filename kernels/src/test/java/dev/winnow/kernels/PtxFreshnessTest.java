package dev.winnow.kernels;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The committed PTX must be the compilation of the kernel sources as they are now: its first line carries the
 * sha256 of compat.h + the sources (build-ptx.sh writes it), recomputed here. Runs without nvcc (CI).
 */
class PtxFreshnessTest {
    private static final Path MODULE = Paths.get("").toAbsolutePath();
    private static final Path COMMITTED_PTX = MODULE.resolve("src/main/ptx/dev/winnow/kernels/ptx/kernels_sm80.ptx");
    private static final Path SOURCES = MODULE.resolve("src/main/resources/dev/winnow/kernels/cl");

    private static String firstLine(byte[] text) {
        String s = new String(text, StandardCharsets.UTF_8);
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @Test
    void packagedPtxWasBuiltFromThePackagedSources() {
        String header = firstLine(KernelSource.resource(KernelSource.PTX_RESOURCE));
        assertEquals(KernelSource.PTX_HASH_PREFIX + KernelSource.sha256(), header,
                "stale PTX for sm_80: a kernel source changed after the PTX was built; rerun `mvn -Pptx -pl kernels"
                        + " generate-resources` on a machine with nvcc and commit kernels/src/main/ptx");
    }

    @Test
    void committedPtxMatchesTheCommittedSources() throws IOException {
        assumeTrue(Files.isRegularFile(COMMITTED_PTX), "skipped: not running from the kernels module directory");
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        all.writeBytes(Files.readAllBytes(SOURCES.resolve("compat.h")));
        for (String f : KernelSource.files()) {
            all.writeBytes(Files.readAllBytes(SOURCES.resolve(f)));
        }
        assertEquals(KernelSource.PTX_HASH_PREFIX + KernelSource.sha256(all.toByteArray()),
                firstLine(Files.readAllBytes(COMMITTED_PTX)),
                "stale committed PTX: rerun `mvn -Pptx -pl kernels generate-resources` (needs nvcc) and commit "
                        + MODULE.relativize(COMMITTED_PTX));
    }

    @Test
    void ptxDefinesEveryKernelAtALoweredIsaForSm80() {
        String ptx = new String(KernelSource.resource(KernelSource.PTX_RESOURCE), StandardCharsets.UTF_8);
        for (Kernel k : Kernel.values()) {
            assertTrue(ptx.contains(".entry " + k.symbol() + "("), "PTX lacks the entry point " + k.symbol());
        }
        assertTrue(ptx.contains("\n.version 7.0\n"), "PTX .version should be lowered to 7.0 for older drivers");
        assertTrue(ptx.contains("\n.target sm_80\n"), "PTX should target sm_80");
    }

    /** Where nvcc exists (the dev machine), regenerating must reproduce the committed bytes exactly. */
    @Test
    void regeneratingThePtxGivesIdenticalBytes() throws Exception {
        boolean nvcc = Files.isExecutable(Paths.get("/usr/local/cuda/bin/nvcc"))
                || Files.isExecutable(Paths.get("/usr/local/bin/nvcc"));
        assumeTrue(nvcc, "skipped: no nvcc on this machine (CI); the committed PTX is used as is");
        assumeTrue(Files.isRegularFile(COMMITTED_PTX), "skipped: not running from the kernels module directory");
        Path out = Files.createTempDirectory("winnow-ptx");
        try {
            Process p = new ProcessBuilder("bash", MODULE.resolve("src/main/cuda/build-ptx.sh").toString(),
                    out.toString()).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "build-ptx.sh timed out");
            assertEquals(0, p.exitValue(), "build-ptx.sh failed:\n" + log);
            Path fresh = out.resolve("dev/winnow/kernels/ptx/kernels_sm80.ptx");
            assertArrayEquals(Files.readAllBytes(COMMITTED_PTX), Files.readAllBytes(fresh),
                    "regenerated PTX differs from the committed copy: run `mvn -Pptx -pl kernels generate-resources`"
                            + " and commit, or the build is not deterministic");
        } finally {
            try (var walk = Files.walk(out)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
