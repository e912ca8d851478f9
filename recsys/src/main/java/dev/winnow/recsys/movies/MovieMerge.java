package dev.winnow.recsys.movies;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Joins IMDB 5000 and TMDB 5000 into one table of films, the paper's data set. IMDB rows are de-duplicated on
 * (normalised title, year), keeping the first. A film matches the TMDB row whose title or original title has the same
 * normalised key and whose release year equals IMDB's title_year; failing that, the one TMDB row (not yet taken) whose
 * release year is one off, since IMDB often dates a film by its first festival screening and TMDB by its release.
 * Only films with an IMDB year and budget are kept.
 */
public final class MovieMerge {
    private MovieMerge() {
    }

    /** The counts of each stage, for the README and for tests against data/README.md. */
    public record Report(int imdbRows, int imdbDistinct, int tmdbRows, int matchedSameYear, int matchedNearYear,
                         int merged, int withBudget) {
        public String describe() {
            return "IMDB " + imdbRows + " rows (" + imdbDistinct + " distinct), TMDB " + tmdbRows + " rows; matched "
                    + merged + " (" + matchedSameYear + " same year, " + matchedNearYear + " one year apart); "
                    + withBudget + " with a budget";
        }
    }

    public record Result(List<Movie> movies, Report report) {
    }

    /** Finds {@code movie_metadata.csv} and {@code tmdb_5000_movies.csv} under {@code dir} and merges them. */
    public static Result load(Path dir) {
        Path imdb = locate(dir, "movie_metadata.csv", "imdb-5000");
        Path tmdb = locate(dir, "tmdb_5000_movies.csv", "tmdb-5000");
        return merge(ImdbFilm.load(imdb), TmdbFilm.load(tmdb));
    }

    /** {@code dir/name}, {@code dir/folder/name} or {@code dir/../folder/name}, whichever exists first. */
    static Path locate(Path dir, String name, String folder) {
        List<Path> candidates = List.of(dir.resolve(name), dir.resolve(folder).resolve(name),
                dir.toAbsolutePath().normalize().resolveSibling(folder).resolve(name));
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new MovieDataException("--data " + dir + ": the movie task needs " + name + " (IMDB 5000 and TMDB 5000"
                + " are both required); looked for " + candidates);
    }

    public static Result merge(List<ImdbFilm> imdb, List<TmdbFilm> tmdb) {
        Map<String, ImdbFilm> distinct = new LinkedHashMap<>();
        for (ImdbFilm f : imdb) {
            distinct.putIfAbsent(MovieTitles.key(f.title()) + "#" + f.year(), f);
        }
        Map<String, List<Integer>> index = new HashMap<>();
        for (int i = 0; i < tmdb.size(); i++) {
            TmdbFilm t = tmdb.get(i);
            if (t.year() == null) {
                continue;
            }
            Set<String> keys = new LinkedHashSet<>();
            keys.add(MovieTitles.key(t.title()));
            keys.add(MovieTitles.key(t.originalTitle()));
            for (String k : keys) {
                index.computeIfAbsent(k + "#" + t.year(), x -> new ArrayList<>()).add(i);
            }
        }
        Set<Integer> taken = new HashSet<>();
        Map<ImdbFilm, TmdbFilm> pairs = new LinkedHashMap<>();
        List<ImdbFilm> unmatched = new ArrayList<>();
        for (ImdbFilm f : distinct.values()) {
            Integer hit = f.year() == null ? null : firstFree(index.get(MovieTitles.key(f.title()) + "#" + f.year()),
                    taken);
            if (hit != null) {
                taken.add(hit);
                pairs.put(f, tmdb.get(hit));
            } else if (f.year() != null) {
                unmatched.add(f);
            }
        }
        int sameYear = pairs.size();
        for (ImdbFilm f : unmatched) {
            String key = MovieTitles.key(f.title());
            List<Integer> near = new ArrayList<>();
            for (int d : new int[] {-1, 1}) {
                for (int i : index.getOrDefault(key + "#" + (f.year() + d), List.of())) {
                    if (!taken.contains(i) && !near.contains(i)) {
                        near.add(i);
                    }
                }
            }
            if (near.size() == 1) {
                taken.add(near.get(0));
                pairs.put(f, tmdb.get(near.get(0)));
            }
        }
        List<Movie> movies = new ArrayList<>();
        for (Map.Entry<ImdbFilm, TmdbFilm> e : pairs.entrySet()) {
            ImdbFilm f = e.getKey();
            if (f.fields().get(MovieFields.BUDGET) == null) {
                continue;
            }
            movies.add(new Movie(f.title(), f.year(), f.score(), combine(f.fields(), e.getValue().fields())));
        }
        Report report = new Report(imdb.size(), distinct.size(), tmdb.size(), sameYear, pairs.size() - sameYear,
                pairs.size(), movies.size());
        return new Result(movies, report);
    }

    private static Integer firstFree(List<Integer> candidates, Set<Integer> taken) {
        if (candidates != null) {
            for (int i : candidates) {
                if (!taken.contains(i)) {
                    return i;
                }
            }
        }
        return null;
    }

    /**
     * IMDB's values win where both files have one (budget, duration, genres: the rating is IMDB's, so are its
     * conventions); TMDB's production countries and spoken languages are lists, IMDB's a single value, so TMDB wins
     * there; plot keywords are the union of both.
     */
    static Map<String, String> combine(Map<String, String> imdb, Map<String, String> tmdb) {
        Map<String, String> out = new LinkedHashMap<>(tmdb);
        for (Map.Entry<String, String> e : imdb.entrySet()) {
            String k = e.getKey();
            if ((k.equals(MovieFields.PRODUCTION_COUNTRIES) || k.equals(MovieFields.SPOKEN_LANGUAGES))
                    && tmdb.containsKey(k)) {
                continue;
            }
            if (k.equals(MovieFields.PLOT_KEYWORDS) && tmdb.containsKey(k)) {
                Set<String> union = new LinkedHashSet<>(MovieFields.list(e.getValue()));
                union.addAll(MovieFields.list(tmdb.get(k)));
                out.put(k, String.join("|", union));
                continue;
            }
            out.put(k, e.getValue());
        }
        return out;
    }
}
