package dev.winnow.recsys.movies;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.engine.runtime.Echo;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One row of TMDB 5000 ({@code tmdb_5000_movies.csv}). Five columns (genres, keywords, production_companies,
 * production_countries, spoken_languages) hold a JSON array of objects inside the CSV cell; their "name" entries are
 * kept, joined with '|'. A budget or runtime of 0 means unknown. Post-release columns (revenue, popularity,
 * vote_average, vote_count) are not kept.
 */
public record TmdbFilm(int line, String title, String originalTitle, Integer year, Map<String, String> fields) {

    static final List<String> REQUIRED = List.of("title", "original_title", "release_date", "budget", "runtime",
            "genres", "keywords", "production_companies", "production_countries", "spoken_languages", "overview",
            "tagline");
    private static final ObjectMapper JSON = new ObjectMapper();

    public static List<TmdbFilm> load(Path csv) {
        List<TmdbFilm> films = new ArrayList<>();
        for (CsvRows.Row row : CsvRows.read(csv, REQUIRED)) {
            films.add(of(row));
        }
        return films;
    }

    static TmdbFilm of(CsvRows.Row row) {
        String title = MovieTitles.clean(row.get("title"));
        if (title.isEmpty()) {
            throw row.error("title", "is empty");
        }
        Map<String, String> f = new LinkedHashMap<>();
        Integer year = null;
        String date = row.get("release_date").strip();
        if (!date.isEmpty()) {
            try {
                year = LocalDate.parse(date).getYear();
            } catch (DateTimeParseException e) {
                throw row.error("release_date", Echo.quote(date) + " is not a date of the form YYYY-MM-DD");
            }
            f.put(MovieFields.RELEASE_DATE, date);
        }
        Double budget = Numbers.optional(row, "budget", 0, 1e13);
        if (budget != null && budget > 0) {
            ImdbFilm.putNumber(f, MovieFields.BUDGET, budget);
        }
        Double runtime = Numbers.optional(row, "runtime", 0, 2000);
        if (runtime != null && runtime > 0) {
            ImdbFilm.putNumber(f, MovieFields.DURATION, runtime);
        }
        ImdbFilm.putText(f, MovieFields.GENRES, names(row, "genres"));
        ImdbFilm.putText(f, MovieFields.PLOT_KEYWORDS, names(row, "keywords"));
        ImdbFilm.putText(f, MovieFields.PRODUCTION_COMPANIES, names(row, "production_companies"));
        ImdbFilm.putText(f, MovieFields.PRODUCTION_COUNTRIES, names(row, "production_countries"));
        ImdbFilm.putText(f, MovieFields.SPOKEN_LANGUAGES, names(row, "spoken_languages"));
        ImdbFilm.putText(f, MovieFields.OVERVIEW, row.get("overview"));
        ImdbFilm.putText(f, MovieFields.TAGLINE, row.get("tagline"));
        return new TmdbFilm(row.line(), title, MovieTitles.clean(row.get("original_title")), year, f);
    }

    /** The "name" of every object of the JSON array in {@code column}, joined with '|'; an empty cell is "". */
    static String names(CsvRows.Row row, String column) {
        String raw = row.get(column).strip();
        if (raw.isEmpty()) {
            return "";
        }
        JsonNode node;
        try {
            node = JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            throw row.error(column, "malformed JSON array (" + Echo.quote(e.getOriginalMessage()) + ")");
        }
        if (node == null || !node.isArray()) {
            throw row.error(column, "expected a JSON array of {\"name\": ...} objects, found "
                    + (node == null ? "nothing" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode item : node) {
            JsonNode name = item.get("name");
            if (name == null || !name.isTextual()) {
                throw row.error(column, "array element " + Echo.quote(item.toString()) + " has no text \"name\"");
            }
            String n = name.asText().replace('|', '/').strip();
            if (!n.isEmpty()) {
                if (sb.length() > 0) {
                    sb.append('|');
                }
                sb.append(n);
            }
        }
        return sb.toString();
    }
}
