package dev.winnow.recsys.data;

import dev.winnow.recsys.movies.ImdbFilm;
import dev.winnow.recsys.movies.MovieDataException;
import dev.winnow.recsys.movies.TmdbFilm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutations of small samples of every data file the readers take (u.data, ratings.csv, the IMDB and TMDB movie
 * CSVs): byte flips, truncations, inserted quotes, commas, line breaks, NULs, 0xFF and cut UTF-8 sequences, duplicated
 * and deleted lines, and now and then a field over the 1 MiB line cap. Each case either loads or fails with the
 * readers' own exception whose message is one line starting {@code FILE:LINE: } (or {@code FILE: } for the whole
 * file), with every control character escaped; nothing else may escape, and no case may take long. The samples are the
 * first lines of the real files in ../shared/data when it is there, and synthesised look-alikes otherwise, so the test
 * runs (and never skips) on any machine.
 */
class DataReaderFuzzTest {
    private static final long SEED = 17;
    private static final int CASES_PER_FILE = 500;
    private static final Pattern ONE_LINE = Pattern.compile("(?:.*/)?(?:u\\.data|ratings\\.csv|movie_metadata\\.csv"
            + "|tmdb_5000_movies\\.csv)(?::[0-9]+)?: [^\\p{Cntrl}]*");

    @TempDir
    Path dir;

    private interface Loader {
        void load(Path file) throws Exception;
    }

    @Test
    void everyMutatedDataFileLoadsOrFailsWithOneFileLineMessage() {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            byte[] uData = sample("ml-100k/u.data", 200, false);
            if (uData == null) {
                uData = syntheticUData();
            }
            byte[] imdb = sample("imdb-5000/movie_metadata.csv", 40, true);
            byte[] tmdb = sample("tmdb-5000/tmdb_5000_movies.csv", 20, true);
            fuzz("u.data", uData, f -> MovieLensReader.read(f, false));
            fuzz("u.data", uData, f -> MovieLensReader.read(f, true));
            fuzz("ratings.csv", ratingsCsv(uData), f -> MovieLensReader.read(f, false));
            fuzz("ratings.csv", ratingsCsv(uData), f -> MovieLensReader.read(f, true));
            fuzz("movie_metadata.csv", imdb != null ? imdb : syntheticImdb(), ImdbFilm::load);
            fuzz("tmdb_5000_movies.csv", tmdb != null ? tmdb : syntheticTmdb(), TmdbFilm::load);
        });
    }

    private void fuzz(String name, byte[] original, Loader loader) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, original);
        loader.load(file); // the unmutated sample is good data
        SplittableRandom seeds = new SplittableRandom(SEED ^ name.hashCode());
        int loaded = 0;
        for (int c = 0; c < CASES_PER_FILE; c++) {
            long seed = seeds.nextLong();
            byte[] bytes = mutate(original, new SplittableRandom(seed));
            Files.write(file, bytes);
            long start = System.nanoTime();
            try {
                loader.load(file);
                loaded++;
            } catch (DataFormatException | MovieDataException e) {
                String m = e.getMessage();
                if (!ONE_LINE.matcher(m).matches() || m.length() > 2_000) {
                    fail(name + " case seed " + seed + ": not a one-line FILE:LINE message: " + m);
                }
            } catch (Throwable t) {
                throw new AssertionError(name + " case seed " + seed + ": " + t, t);
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < 5_000, name + " case seed " + seed + " took " + ms + " ms");
        }
        assertTrue(loaded > 0, name + ": no mutation loaded at all, so the good path went untested");
    }

    /** One to four mutations; a field over the 1 MiB line cap in about one case of a hundred. */
    static byte[] mutate(byte[] in, SplittableRandom r) {
        byte[] b = in;
        int n = 1 + r.nextInt(4);
        for (int k = 0; k < n; k++) {
            int at = r.nextInt(b.length + 1);
            switch (r.nextInt(11)) {
                case 0 -> {
                    if (b.length > 0) {
                        b = b.clone();
                        b[Math.min(at, b.length - 1)] ^= (byte) (1 << r.nextInt(8));
                    }
                }
                case 1 -> b = Arrays.copyOf(b, at);
                case 2 -> b = insert(b, at, new byte[] {'"'});
                case 3 -> b = insert(b, at, new byte[] {','});
                case 4 -> b = insert(b, at, new byte[] {0});
                case 5 -> b = insert(b, at, new byte[] {(byte) 0xff});
                case 6 -> b = insert(b, at, r.nextBoolean() ? new byte[] {(byte) 0xc3} : new byte[] {(byte) 0xe2,
                    (byte) 0x82});
                case 7 -> b = insert(b, at, r.nextBoolean() ? new byte[] {'\n'} : new byte[] {'\r'});
                case 8 -> {
                    int from = lineStart(b, at);
                    int to = lineStart(b, Math.min(b.length, indexOf(b, (byte) '\n', at) + 1));
                    b = insert(b, from, Arrays.copyOfRange(b, from, Math.max(from, to)));
                }
                case 9 -> b = remove(b, at, Math.min(b.length, at + r.nextInt(200)));
                default -> {
                    boolean huge = r.nextInt(100) == 0;
                    byte[] field = new byte[huge ? (1 << 20) + r.nextInt(1000) : 1 + r.nextInt(5000)];
                    Arrays.fill(field, (byte) (r.nextBoolean() ? '9' : 'x'));
                    b = insert(b, at, field);
                }
            }
        }
        return b;
    }

    private static byte[] insert(byte[] b, int at, byte[] what) {
        byte[] out = new byte[b.length + what.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(b, at, out, at + what.length, b.length - at);
        return out;
    }

    private static byte[] remove(byte[] b, int from, int to) {
        byte[] out = new byte[b.length - (to - from)];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(b, to, out, from, b.length - to);
        return out;
    }

    private static int lineStart(byte[] b, int at) {
        int k = Math.min(at, b.length);
        while (k > 0 && b[k - 1] != '\n') {
            k--;
        }
        return k;
    }

    private static int indexOf(byte[] b, byte v, int from) {
        for (int k = from; k < b.length; k++) {
            if (b[k] == v) {
                return k;
            }
        }
        return b.length - 1;
    }

    /**
     * The first {@code records} records of a file under ../shared/data (a header counts as one), or null when the
     * folder is not there. A CSV's quoted fields may span lines, so CSV records are cut where quotes balance.
     */
    private static byte[] sample(String relative, int records, boolean csv) throws IOException {
        Path file = Path.of(System.getProperty("winnow.shared.data", "../shared/data"), relative);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        byte[] all = Files.readAllBytes(file);
        int quotes = 0;
        int taken = 0;
        for (int k = 0; k < all.length; k++) {
            if (all[k] == '"') {
                quotes++;
            } else if (all[k] == '\n' && (!csv || quotes % 2 == 0) && ++taken == records) {
                return Arrays.copyOf(all, k + 1);
            }
        }
        return all;
    }

    private static byte[] syntheticUData() {
        SplittableRandom r = new SplittableRandom(SEED);
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < 200; k++) {
            sb.append(1 + r.nextInt(943)).append('\t').append(1 + r.nextInt(1682)).append('\t')
                    .append(1 + r.nextInt(5)).append('\t').append(874_724_710 + r.nextInt(20_000_000)).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The same ratings as MovieLens latest writes them: a header, commas, half stars. */
    private static byte[] ratingsCsv(byte[] uData) {
        StringBuilder sb = new StringBuilder("userId,movieId,rating,timestamp\n");
        int k = 0;
        for (String line : new String(uData, StandardCharsets.ISO_8859_1).split("\n")) {
            String[] f = line.strip().split("\\s+");
            sb.append(f[0]).append(',').append(f[1]).append(',').append(f[2]).append(k++ % 3 == 0 ? ".5" : ".0")
                    .append(',').append(f[3]).append('\n');
        }
        return sb.toString().replace("5.5,", "4.5,").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] syntheticImdb() {
        String header = "color,director_name,duration,director_facebook_likes,actor_3_facebook_likes,"
                + "actor_1_facebook_likes,genres,movie_title,cast_total_facebook_likes,plot_keywords,language,"
                + "country,content_rating,budget,title_year,actor_2_facebook_likes,imdb_score";
        List<String> lines = new ArrayList<>(List.of(header));
        SplittableRandom r = new SplittableRandom(SEED);
        for (int k = 0; k < 40; k++) {
            lines.add("Color,Director " + k + "," + (80 + r.nextInt(90)) + "," + r.nextInt(20_000) + ","
                    + r.nextInt(1000) + "," + r.nextInt(40_000) + ",Drama|Comedy,\"Film " + k + ", Part "
                    + (1 + r.nextInt(3)) + "\u00A0\"," + r.nextInt(60_000) + ",love|city|\"\"quote\"\","
                    + "English,USA,PG-13," + (1_000_000 + r.nextInt(200_000_000)) + "," + (1980 + r.nextInt(37))
                    + "," + r.nextInt(5000) + "," + (10 + r.nextInt(81)) / 10.0);
        }
        return (String.join("\r\n", lines) + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] syntheticTmdb() {
        String header = "budget,genres,homepage,id,keywords,original_language,original_title,overview,popularity,"
                + "production_companies,production_countries,release_date,revenue,runtime,spoken_languages,status,"
                + "tagline,title,vote_average,vote_count";
        List<String> lines = new ArrayList<>(List.of(header));
        SplittableRandom r = new SplittableRandom(SEED);
        String genres = "\"[{\"\"id\"\": 18, \"\"name\"\": \"\"Drama\"\"}, "
                + "{\"\"id\"\": 35, \"\"name\"\": \"\"Comedy\"\"}]\"";
        for (int k = 0; k < 20; k++) {
            lines.add((r.nextInt(100) * 1_000_000) + "," + genres + ",,"  + k + "," + genres + ",en,Film " + k
                    + ",\"An overview, with a comma\nand a second line.\"," + r.nextInt(100) + "," + genres + ","
                    + "\"[{\"\"iso_3166_1\"\": \"\"US\"\", \"\"name\"\": \"\"United States of America\"\"}]\","
                    + (1980 + r.nextInt(37)) + "-0" + (1 + r.nextInt(9)) + "-1" + r.nextInt(10) + ",0,"
                    + (80 + r.nextInt(90)) + ",\"[{\"\"iso_639_1\"\": \"\"en\"\", \"\"name\"\": \"\"English\"\"}]\","
                    + "Released,A tagline,Film " + k + ",6.5,10");
        }
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theSyntheticSamplesLoadSoTheFuzzTestIsMeaningfulWithoutSharedData() throws Exception {
        Path u = Files.write(dir.resolve("u.data"), syntheticUData());
        assertEquals(200, MovieLensReader.read(u, false).ratings().size());
        Files.delete(u);
        Path csv = Files.write(dir.resolve("ratings.csv"), ratingsCsv(syntheticUData()));
        assertEquals(200, MovieLensReader.read(csv, false).ratings().size());
        assertEquals(40, ImdbFilm.load(Files.write(dir.resolve("movie_metadata.csv"), syntheticImdb())).size());
        assertEquals(20, TmdbFilm.load(Files.write(dir.resolve("tmdb_5000_movies.csv"), syntheticTmdb())).size());
        byte[] once = mutate(syntheticImdb(), new SplittableRandom(5));
        assertTrue(Arrays.equals(once, mutate(syntheticImdb(), new SplittableRandom(5))), "mutations are seeded");
    }
}
