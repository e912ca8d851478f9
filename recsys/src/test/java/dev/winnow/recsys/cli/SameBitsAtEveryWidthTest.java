package dev.winnow.recsys.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.winnow.engine.backend.cpu.CpuBackend;

/**
 * The CLI's numbers do not depend on the machine's vector width: the same commands in JVMs at this machine's width,
 * at 128 bits ({@code -XX:MaxVectorSize=16}) and at 512 bits ({@code -Dwinnow.vectorBits=512}, emulated where the
 * hardware lacks it) give a byte-identical dense model file and a pinned pruned run (CSR kernels, backward SDDMM) with
 * the same test error to the last bit. Without the Vector API the dense products run on EJML in EJML's order, which
 * the last test bounds.
 */
class SameBitsAtEveryWidthTest {
    private static final String[] PRUNED = {"compare", "--data", "synthetic", "--methods", "LTH", "--set", "epochs=2",
        "--set", "prune_every=1", "--set", "prune_rate=0.6", "--sparse-threshold", "1"};
    /** This machine's width (the property left empty), 128 bits, and 512 bits (emulated where the CPU lacks it). */
    private static final String[] WIDTHS = {"-Dwinnow.vectorBits=", "-XX:MaxVectorSize=16", "-Dwinnow.vectorBits=512"};

    @Test
    void aDenseTrainAndExportGiveTheSameFileAtEveryWidth(@TempDir Path dir) throws Exception {
        assumeTrue(CpuBackend.GemmChoice.vectorModulePresent(), "needs jdk.incubator.vector");
        String want = null;
        for (String width : WIDTHS) {
            Path ck = dir.resolve("ck" + width.hashCode());
            Path model = dir.resolve("m" + width.hashCode() + ".wnw");
            String out = cli(width, true, "train", "--data", "synthetic", "--epochs", "1", "--seed", "11",
                    "--checkpoint", ck.toString());
            assertTrue(out.contains("vector(" + bits(width)), width + " ran at another width: " + out);
            cli(width, true, "export", "--checkpoint", ck.toString(), "--out", model.toString(), "--storage", "dense");
            String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(model)));
            if (want == null) {
                want = sha;
            }
            assertEquals(want, sha, "the dense model file at " + width + " vs this machine's width");
        }
    }

    @Test
    void aPinnedPrunedRunGivesTheSameErrorToTheLastBitAtEveryWidth(@TempDir Path dir) throws Exception {
        assumeTrue(CpuBackend.GemmChoice.vectorModulePresent(), "needs jdk.incubator.vector");
        String want = null;
        for (String width : WIDTHS) {
            Path out = dir.resolve("run" + width.hashCode());
            String log = cli(width, true, args(PRUNED, "--out", out.toString()));
            assertTrue(log.contains("cpu-vector(" + bits(width)), width + " ran at another width: " + log);
            String mse = field(Files.readString(out.resolve("results.json")), "mse");
            if (want == null) {
                want = mse;
            }
            assertEquals(want, mse, "test MSE at " + width + " vs this machine's width");
        }
    }

    /** EJML's dense products sum in their own order: the same run lands within 1e-4 of the Vector API's MSE. */
    @Test
    void withoutTheVectorApiTheSameRunComesWithinTheStatedBound(@TempDir Path dir) throws Exception {
        assumeTrue(CpuBackend.GemmChoice.vectorModulePresent(), "needs jdk.incubator.vector");
        Path v = dir.resolve("vector");
        Path e = dir.resolve("ejml");
        cli("-Dwinnow.vectorBits=", true, args(PRUNED, "--out", v.toString()));
        String log = cli("-Dwinnow.vectorBits=", false, args(PRUNED, "--out", e.toString()));
        assertTrue(log.contains("cpu-ejml"), log);
        double mv = Double.parseDouble(field(Files.readString(v.resolve("results.json")), "mse"));
        double me = Double.parseDouble(field(Files.readString(e.resolve("results.json")), "mse"));
        assertTrue(Math.abs(mv - me) <= 1e-4, "EJML " + me + " vs Vector API " + mv);
        assertTrue(mv != me, "the EJML run should differ in its last bits, else this checks nothing: " + mv);
    }

    private static String bits(String width) {
        if (width.endsWith("512")) {
            return "512";
        }
        return width.contains("MaxVectorSize=16") ? "128" : "";
    }

    private static String[] args(String[] head, String... tail) {
        List<String> a = new ArrayList<>(List.of(head));
        a.addAll(List.of(tail));
        return a.toArray(new String[0]);
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), name + " not in " + json);
        return m.group(1);
    }

    /** Runs the CLI in a fresh JVM with one width option; returns its stdout and stderr. */
    private static String cli(String width, boolean vector, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(width);
        if (vector) {
            cmd.add("--add-modules");
            cmd.add("jdk.incubator.vector");
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(WinnowCli.class.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "timed out: " + cmd);
        assertEquals(0, p.exitValue(), cmd + "\n" + out);
        return out;
    }
}
