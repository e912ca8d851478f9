package dev.winnow.engine.runtime;

import dev.winnow.engine.backend.Backend;
import dev.winnow.engine.backend.cpu.CpuBackend;
import dev.winnow.engine.io.StorageChoice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs in {@code verify} against the packaged runtime jar: loaded by a class loader that holds only that jar (parent:
 * the platform loader, so neither the engine, EJML nor anything else on the test class path is visible), it must load
 * a model and predict exactly what the runtime on the test class path predicts.
 */
class RuntimeJarIT {

    @Test
    void runtimeJarAloneLoadsAModelAndPredicts(@TempDir Path dir) throws Exception {
        Path jar = Path.of(System.getProperty("winnow.runtime.jar"));
        assertTrue(Files.isRegularFile(jar), "runtime jar missing: " + jar);
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (JarEntry e : java.util.Collections.list(jf.entries())) {
                assertTrue(e.getName().startsWith("META-INF/") || e.getName().startsWith("dev/winnow/engine/runtime/")
                        || e.isDirectory(), "runtime jar holds " + e.getName());
            }
        }
        byte[] model;
        try (Backend backend = new CpuBackend(1)) {
            model = ModelFiles.small(backend, StorageChoice.CSR_FP16, 5);
        }
        Path file = dir.resolve("m.wnw");
        Files.write(file, model);
        float expected = RecommenderModel.load(file).predict(3, 4);

        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            Class<?> cls = loader.loadClass("dev.winnow.engine.runtime.RecommenderModel");
            assertSame(loader, cls.getClassLoader());
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass("dev.winnow.engine.tensor.Tensor"));
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass("org.ejml.data.FMatrixRMaj"));
            Object m = cls.getMethod("load", Path.class).invoke(null, file);
            float got = (float) cls.getMethod("predict", int.class, int.class).invoke(m, 3, 4);
            assertEquals(expected, got, 1e-6);
            String kernels = (String) cls.getMethod("kernels").invoke(m);
            boolean vectorModule = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
            assertEquals(vectorModule, kernels.startsWith("vector"), kernels);
            int[] top = (int[]) cls.getMethod("topK", int.class, int.class, int[].class).invoke(m, 3, 4, null);
            assertEquals(4, top.length);
            // a damaged file is refused with the jar's own ModelFormatException
            Files.write(file, java.util.Arrays.copyOf(model, model.length - 1));
            Throwable t = assertThrows(java.lang.reflect.InvocationTargetException.class,
                    () -> cls.getMethod("load", Path.class).invoke(null, file)).getCause();
            assertEquals("dev.winnow.engine.runtime.ModelFormatException", t.getClass().getName());
            assertSame(loader, t.getClass().getClassLoader());
            assertFalse(vectorModule && !kernels.startsWith("vector"));
        }
    }

    /** The jar run as users run it: {@code java -jar} on its own, NCF pairs and a movie CSV. */
    @Test
    void runtimeJarMainServesBothModelKinds(@TempDir Path dir) throws Exception {
        Path jar = Path.of(System.getProperty("winnow.runtime.jar"));
        assertTrue(Files.size(jar) <= 64 * 1024, "runtime jar is " + Files.size(jar) + " bytes, over 64 KB");
        byte[] ncf;
        byte[] mapped;
        try (Backend backend = new CpuBackend(1)) {
            ncf = ModelFiles.small(backend, StorageChoice.DENSE, 6);
            mapped = ModelFiles.withIdMap(backend, StorageChoice.DENSE, 6);
        }
        Path ncfFile = dir.resolve("ncf.wnw");
        Files.write(ncfFile, ncf);
        Result r = java(dir, jar, ncfFile.toString(), "3", "4");
        assertEquals(0, r.exit, r.err);
        assertEquals("user 3 item 4 rating " + RecommenderModel.load(ncfFile).predict(3, 4), r.out.strip());
        // an input mistake is one line and exit 2, not a stack trace
        r = java(dir, jar, ncfFile.toString(), "x", "4");
        assertEquals(2, r.exit, r.err);
        assertEquals("USER 'x' is not an integer (arguments: MODEL.wnw USER ITEM [K])", r.err.strip());
        // a model with an id map takes the data set's raw ids (user 17 is index 2, item 2000000000 index 5)
        Path mappedFile = dir.resolve("mapped.wnw");
        Files.write(mappedFile, mapped);
        r = java(dir, jar, mappedFile.toString(), "17", "2000000000");
        assertEquals(0, r.exit, r.err);
        assertEquals("user 17 item 2000000000 rating " + RecommenderModel.load(mappedFile).predict(2, 5),
                r.out.strip());

        MovieRatingModel movie = MovieRequestTest.model(MovieRequestTest.export(16, 3));
        Path movieFile = dir.resolve("movie.wnw");
        Files.write(movieFile, MovieRequestTest.export(16, 3).encode(WnwFormat.STORAGE_DENSE_F32));
        Path csv = dir.resolve("films.csv");
        Files.writeString(csv, "imdb,title,budget,duration,production_companies,release_date,genres,content_rating,"
                + "overview\r\n"
                + "tt1,\"Heat, again\",6e7,170,Warner|Regency,1995-12-15,Action|Drama,R,\"Cops, robbers.\"\r\n"
                + "tt2,Oops,cheap,170,,1995-12-15,Drama,R,x\r\n");
        r = java(dir, jar, movieFile.toString(), csv.toString(), "imdb");
        assertEquals(1, r.exit, "a bad row makes the exit code 1: " + r.err);
        java.util.Map<String, String> heat = new java.util.HashMap<>();
        heat.put("title", "Heat, again");
        heat.put("budget", "6e7");
        heat.put("duration", "170");
        heat.put("production_companies", "Warner|Regency");
        heat.put("release_date", "1995-12-15");
        heat.put("genres", "Action|Drama");
        heat.put("content_rating", "R");
        heat.put("overview", "Cops, robbers.");
        assertEquals("imdb,rating\ntt1," + String.format(java.util.Locale.ROOT, "%.4f", movie.predict(heat)) + "\n",
                r.out.replace("\r\n", "\n"));
        assertTrue(r.err.contains(csv + ":3: column 'budget': \"cheap\" is not a finite number; row skipped"), r.err);
        r = java(dir, jar, movieFile.toString());
        assertEquals(2, r.exit, r.err);
        assertTrue(r.err.contains("usage:"), r.err);
    }

    /**
     * Issue 17: at -Xmx64m the jar refuses a 300 MB file that is not a model, one whose header forges a 300 MB section,
     * a device and a forged kind-2 header, each in one line and at once.
     */
    @Test
    void runtimeJarRefusesWhatIsNotAModelInOneLineAtSixtyFourMegabytes(@TempDir Path dir) throws Exception {
        Path jar = Path.of(System.getProperty("winnow.runtime.jar"));
        byte[] ncf;
        try (Backend backend = new CpuBackend(1)) {
            ncf = ModelFiles.small(backend, StorageChoice.DENSE, 6);
        }
        Path big = BoundedModelReadTest.sparse(dir, "big.bin", new byte[] {'P', 'K', 3, 4});
        byte[] head = java.util.Arrays.copyOf(ncf, WnwFormat.FILE_HEADER_BYTES + WnwFormat.SECTION_HEADER_BYTES);
        ModelFiles.putU32(head, 12, 1);
        ModelFiles.putU32(head, WnwFormat.FILE_HEADER_BYTES + 4, (300 << 20) - head.length - 8);
        Path forgedLength = BoundedModelReadTest.sparse(dir, "forged-length.wnw", head);
        byte[] kind2 = ncf.clone();
        kind2[ModelFiles.sectionOffset(kind2, 0) + 8] = (byte) WnwFormat.KIND_MOVIE_MLP;
        ModelFiles.reseal(kind2);
        Path forgedKind = Files.write(dir.resolve("kind2.wnw"), kind2);
        String[][] cases = {
            {big.toString(), "refused: " + big + ": file header at byte 0: magic bytes differ"},
            {forgedLength.toString(), "refused: " + forgedLength + ": section 0 (model) at byte 16: checksum mismatch"},
            {"/dev/zero", "no model file /dev/zero"},
            {forgedKind.toString(), "refused: " + forgedKind + ": "}};
        for (String[] c : cases) {
            if (c[0].equals("/dev/zero") && !Files.exists(Path.of(c[0]))) {
                continue;
            }
            long t0 = System.nanoTime();
            Result r = java(dir, jar, "-Xmx64m", c[0], "1", "2", "3");
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(r.exit == 1 || r.exit == 2, c[0] + ": exit " + r.exit + ": " + r.err);
            assertTrue(r.err.startsWith(c[1]), r.err);
            assertEquals(1, r.err.strip().lines().count(), r.err);
            assertTrue(seconds < 20, c[0] + " took " + seconds + " s");
        }
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result java(Path dir, Path jar, String... args) throws Exception {
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        int first = 0;
        while (first < args.length && args[first].startsWith("-X")) {
            cmd.add(args[first++]);
        }
        cmd.addAll(java.util.List.of("-jar", jar.toString()));
        cmd.addAll(java.util.List.of(args).subList(first, args.length));
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "runtime jar did not finish: " + cmd);
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    }
}
