package dev.winnow.recsys.movies;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The paper's four feature groups (Table 4 trains on each alone) and their raw inputs. */
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
            MovieFields.TAGLINE));

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

    /** "numerical", "social", "categorical", "textual" or "all" (every group). */
    public static Set<FeatureGroup> parse(String spec) {
        String s = spec == null ? "all" : spec.strip().toLowerCase(Locale.ROOT);
        if (s.equals("all")) {
            return EnumSet.allOf(FeatureGroup.class);
        }
        for (FeatureGroup g : values()) {
            if (g.name().toLowerCase(Locale.ROOT).equals(s)) {
                return EnumSet.of(g);
            }
        }
        throw new IllegalArgumentException("--features: '" + spec
                + "' is not a feature group; use numerical, social, categorical, textual or all");
    }
}
