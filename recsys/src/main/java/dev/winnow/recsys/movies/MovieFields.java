package dev.winnow.recsys.movies;

import java.util.ArrayList;
import java.util.List;

/**
 * The raw field names a {@link Movie} carries and {@link MovieFeatures#transform} reads. Values are strings as they
 * appear in the source files; list-valued fields (genres, countries, companies, languages, keywords) are joined with
 * '|'. Post-release columns (votes, review counts, gross, revenue, popularity, movie likes) are never copied in: a
 * model that predicts a film's rating before its release cannot see them.
 */
public final class MovieFields {
    private MovieFields() {
    }

    public static final String BUDGET = "budget";
    public static final String DURATION = "duration";
    public static final String PRODUCTION_COMPANIES = "production_companies";
    public static final String RELEASE_DATE = "release_date";
    public static final String YEAR = "year";
    public static final String SPOKEN_LANGUAGES = "spoken_languages";

    public static final String ACTOR_1_LIKES = "actor_1_facebook_likes";
    public static final String ACTOR_2_LIKES = "actor_2_facebook_likes";
    public static final String ACTOR_3_LIKES = "actor_3_facebook_likes";
    public static final String DIRECTOR_LIKES = "director_facebook_likes";
    public static final String CAST_LIKES = "cast_total_facebook_likes";

    public static final String PRODUCTION_COUNTRIES = "production_countries";
    public static final String CONTENT_RATING = "content_rating";
    public static final String GENRES = "genres";

    public static final String TITLE = "title";
    public static final String PLOT_KEYWORDS = "plot_keywords";
    public static final String OVERVIEW = "overview";
    public static final String TAGLINE = "tagline";

    /** Who made the film (IMDB 5000): the keys of the historical group's relations, never model inputs themselves. */
    public static final String DIRECTOR_NAME = "director_name";
    public static final String ACTOR_1_NAME = "actor_1_name";
    public static final String ACTOR_2_NAME = "actor_2_name";
    public static final String ACTOR_3_NAME = "actor_3_name";

    /** Splits a '|'-joined list field; an absent or blank value is the empty list. */
    public static List<String> list(String value) {
        List<String> out = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return out;
        }
        int start = 0;
        for (int i = 0; i <= value.length(); i++) {
            if (i == value.length() || value.charAt(i) == '|') {
                String part = value.substring(start, i).trim();
                if (!part.isEmpty()) {
                    out.add(part);
                }
                start = i + 1;
            }
        }
        return out;
    }
}
