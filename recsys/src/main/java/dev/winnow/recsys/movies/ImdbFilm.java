package dev.winnow.recsys.movies;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of IMDB 5000 ({@code movie_metadata.csv}): the title without its trailing U+00A0, the year (null when the
 * file leaves it empty), the IMDB score and the pre-release columns under {@link MovieFields} names (the director's
 * and the three billed actors' names included, optional columns). Post-release
 * columns (num_voted_users, num_user_for_reviews, num_critic_for_reviews, gross, movie_facebook_likes) are not kept.
 */
public record ImdbFilm(int line, String title, Integer year, float score, Map<String, String> fields) {

    static final List<String> REQUIRED = List.of("movie_title", "title_year", "imdb_score", "budget", "duration",
            "genres", "content_rating", "country", "plot_keywords", "language", "director_facebook_likes",
            "actor_1_facebook_likes", "actor_2_facebook_likes", "actor_3_facebook_likes",
            "cast_total_facebook_likes");

    /** Reads and validates every row; a malformed value stops the load with {@code file:line: field ...}. */
    public static List<ImdbFilm> load(Path csv) {
        List<ImdbFilm> films = new ArrayList<>();
        for (CsvRows.Row row : CsvRows.read(csv, REQUIRED)) {
            films.add(of(row));
        }
        return films;
    }

    static ImdbFilm of(CsvRows.Row row) {
        String title = MovieTitles.clean(row.get("movie_title"));
        if (title.isEmpty()) {
            throw row.error("movie_title", "is empty");
        }
        Double year = Numbers.optional(row, "title_year", 1870, 2100);
        Double score = Numbers.optional(row, "imdb_score", 1, 10);
        if (score == null) {
            throw row.error("imdb_score", "is empty; every film needs its rating (1..10)");
        }
        Map<String, String> f = new LinkedHashMap<>();
        putNumber(f, MovieFields.BUDGET, Numbers.optional(row, "budget", 0, 1e13));
        putNumber(f, MovieFields.DURATION, Numbers.optional(row, "duration", 1, 2000));
        putNumber(f, MovieFields.YEAR, year);
        putNumber(f, MovieFields.ACTOR_1_LIKES, Numbers.optional(row, "actor_1_facebook_likes", 0, 1e9));
        putNumber(f, MovieFields.ACTOR_2_LIKES, Numbers.optional(row, "actor_2_facebook_likes", 0, 1e9));
        putNumber(f, MovieFields.ACTOR_3_LIKES, Numbers.optional(row, "actor_3_facebook_likes", 0, 1e9));
        putNumber(f, MovieFields.DIRECTOR_LIKES, Numbers.optional(row, "director_facebook_likes", 0, 1e9));
        putNumber(f, MovieFields.CAST_LIKES, Numbers.optional(row, "cast_total_facebook_likes", 0, 1e9));
        putText(f, MovieFields.GENRES, row.get("genres"));
        putText(f, MovieFields.CONTENT_RATING, row.get("content_rating"));
        putText(f, MovieFields.PRODUCTION_COUNTRIES, row.get("country"));
        putText(f, MovieFields.PLOT_KEYWORDS, row.get("plot_keywords"));
        putText(f, MovieFields.SPOKEN_LANGUAGES, row.get("language"));
        putText(f, MovieFields.TITLE, title);
        putText(f, MovieFields.DIRECTOR_NAME, row.get("director_name"));
        putText(f, MovieFields.ACTOR_1_NAME, row.get("actor_1_name"));
        putText(f, MovieFields.ACTOR_2_NAME, row.get("actor_2_name"));
        putText(f, MovieFields.ACTOR_3_NAME, row.get("actor_3_name"));
        return new ImdbFilm(row.line(), title, year == null ? null : (int) Math.round(year), score.floatValue(), f);
    }

    static void putNumber(Map<String, String> f, String key, Double v) {
        if (v != null) {
            f.put(key, v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString(v.longValue()) : v.toString());
        }
    }

    static void putText(Map<String, String> f, String key, String v) {
        if (v != null && !v.isBlank()) {
            f.put(key, v.strip());
        }
    }
}
