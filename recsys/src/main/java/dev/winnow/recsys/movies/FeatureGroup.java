package dev.winnow.recsys.movies;

import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The paper's four feature groups (Table 4 trains on each alone) and their raw inputs, plus {@link #HISTORICAL}: the
 * ratings of earlier training films that share the film's director, actors, genres, content rating or production
 * companies (Abarja and Wibowo's "historical values", {@link FilmHistory}). Historical features are not a function of
 * the film's own raw fields, so {@code all} keeps meaning the paper's four groups; combine with '+'
 * ({@code numerical+historical}, {@code all+historical}).
 */
public enum FeatureGroup {
    /** budget, duration, production companies (count), release day, month, year, spoken languages (count). */
    NUMERICAL(List.of("budget", "duration", "production_companies_count", "release_day", "release_month", "year",
            "spoken_languages_count"), List.of(), List.of()),
    /** Facebook likes of the top three actors, the director and the whole cast (the data has no crew likes). */
    SOCIAL(List.of(MovieFields.ACTOR_1_LIKES, MovieFields.ACTOR_2_LIKES, MovieFields.ACTOR_3_LIKES,
            MovieFields.DIRECTOR_LIKES, MovieFields.CAST_LIKES), List.of(), List.of()),
    CATEGORICAL(List.of(), List.of(MovieFields.PRODUCTION_COUNTRIES, MovieFields.CONTENT_RATING, MovieFields.GENRES),
            List.of()),
    TEXTUAL(List.of(), List.of(), List.of(MovieFields.TITLE, MovieFields.PLOT_KEYWORDS, MovieFields.OVERVIEW,
            MovieFields.TAGLINE)),
    /** Statistics of the ratings of earlier training films related to the film ({@link FilmHistory}). */
    HISTORICAL(List.of(), List.of(), List.of());

    /** What {@code all} means: the paper's four groups of the film's own pre-release fields. */
    public static final Set<FeatureGroup> ALL = Collections.unmodifiableSet(EnumSet.of(NUMERICAL, SOCIAL, CATEGORICAL,
            TEXTUAL));

    private final List<String> numeric;
    private final List<String> categorical;
    private final List<String> text;

    FeatureGroup(List<String> numeric, List<String> categorical, List<String> text) {
        this.numeric = numeric;
        this.categorical = categorical;
        this.text = text;
    }

    public List<String> numeric() {
        return numeric;
    }

    public List<String> categorical() {
        return categorical;
    }

    public List<String> text() {
        return text;
    }

    /**
     * "numerical", "social", "categorical", "textual", "historical", "all" (the paper's four, {@link #ALL}) or several
     * joined with '+' ("numerical+historical"); null means "all". The vector's layout follows the enum's order,
     * whatever the order in the spec.
     */
    public static Set<FeatureGroup> parse(String spec) {
        String s = spec == null ? "all" : spec.strip().toLowerCase(Locale.ROOT);
        EnumSet<FeatureGroup> out = EnumSet.noneOf(FeatureGroup.class);
        for (String part : s.split("\\+", -1)) {
            String name = part.strip();
            if (name.equals("all")) {
                out.addAll(ALL);
                continue;
            }
            FeatureGroup found = null;
            for (FeatureGroup g : values()) {
                if (g.name().toLowerCase(Locale.ROOT).equals(name)) {
                    found = g;
                }
            }
            if (found == null) {
                throw new IllegalArgumentException("--features: '" + spec + "'" + (part.equals(s) ? "" : " ('"
                        + name + "')") + " is not a feature group; use numerical, social, categorical, textual,"
                        + " historical or all, or several joined with '+' (numerical+historical)");
            }
            out.add(found);
        }
        return out;
    }
}
