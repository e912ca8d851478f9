package dev.winnow.recsys.movies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A deterministic stand-in for the merged IMDB + TMDB table, with the same raw fields and all four feature groups, so
 * that the movie models run and are tested without the real files. The rating is a sum of effects from every group
 * (log budget and duration; director and cast likes; genres, rating and country; sentiment words in the text) plus
 * noise, clipped to 1..10, so each group alone carries signal and a model can beat the mean.
 */
public final class SyntheticMovies {
    private SyntheticMovies() {
    }

    public static final int DEFAULT_SIZE = 1500;

    private static final String[] GENRES = {"Drama", "Comedy", "Action", "Horror", "Documentary", "Romance",
            "Thriller", "Animation", "Sci-Fi", "Family"};
    private static final double[] GENRE_EFFECT = {0.5, -0.1, -0.2, -0.8, 0.9, 0.0, -0.1, 0.4, 0.1, -0.3};
    private static final String[] RATINGS = {"G", "PG", "PG-13", "R", "NC-17", "Not Rated"};
    private static final double[] RATING_EFFECT = {0.1, -0.1, -0.2, 0.2, 0.3, 0.0};
    private static final String[] COUNTRIES = {"United States of America", "United Kingdom", "France", "Germany",
            "India", "Japan", "Canada"};
    private static final double[] COUNTRY_EFFECT = {-0.1, 0.2, 0.3, 0.1, 0.2, 0.4, 0.0};
    private static final String[] GOOD = {"masterpiece", "acclaimed", "moving", "brilliant", "award", "classic"};
    private static final String[] BAD = {"sequel", "slasher", "parody", "remake", "zombie", "cheap"};
    private static final String[] NEUTRAL = {"city", "family", "love", "war", "friend", "night", "journey", "secret",
            "life", "world", "man", "woman", "story", "town", "home", "time", "police", "school", "money", "dream"};

    /** {@code n} films released 1990-2016, the same for the same seed. */
    public static List<Movie> generate(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Movie> movies = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, String> f = new LinkedHashMap<>();
            int year = 1990 + rng.nextInt(27);
            double effect = 0;

            double logBudget = 13 + 3.5 * rng.nextDouble();
            int duration = 80 + rng.nextInt(90);
            effect += 0.45 * (logBudget - 15) + 0.02 * (duration - 110);
            f.put(MovieFields.BUDGET, Long.toString((long) Math.exp(logBudget)));
            if (rng.nextDouble() > 0.03) {
                f.put(MovieFields.DURATION, Integer.toString(duration));
            }
            f.put(MovieFields.YEAR, Integer.toString(year));
            int month = 1 + rng.nextInt(12);
            f.put(MovieFields.RELEASE_DATE, String.format("%04d-%02d-%02d", year, month, 1 + rng.nextInt(28)));
            effect += month >= 10 ? 0.3 : 0;
            f.put(MovieFields.PRODUCTION_COMPANIES, pick(rng, 1 + rng.nextInt(4), "Studio"));
            f.put(MovieFields.SPOKEN_LANGUAGES, pick(rng, 1 + rng.nextInt(3), "Lang"));

            double directorLog = 2 + 8 * rng.nextDouble();
            double castLog = 4 + 8 * rng.nextDouble();
            effect += 0.22 * (directorLog - 6) + 0.12 * (castLog - 8);
            f.put(MovieFields.DIRECTOR_LIKES, Long.toString((long) Math.expm1(directorLog)));
            f.put(MovieFields.CAST_LIKES, Long.toString((long) Math.expm1(castLog)));
            f.put(MovieFields.ACTOR_1_LIKES, Long.toString((long) Math.expm1(castLog - 0.5 * rng.nextDouble())));
            f.put(MovieFields.ACTOR_2_LIKES, Long.toString((long) Math.expm1(castLog - 1 - rng.nextDouble())));
            if (rng.nextDouble() > 0.05) {
                f.put(MovieFields.ACTOR_3_LIKES, Long.toString((long) Math.expm1(castLog - 2 - rng.nextDouble())));
            }

            List<String> genres = new ArrayList<>();
            int g1 = rng.nextInt(GENRES.length);
            genres.add(GENRES[g1]);
            effect += GENRE_EFFECT[g1];
            int g2 = rng.nextInt(GENRES.length);
            if (g2 != g1 && rng.nextBoolean()) {
                genres.add(GENRES[g2]);
                effect += GENRE_EFFECT[g2];
            }
            f.put(MovieFields.GENRES, String.join("|", genres));
            int r = rng.nextInt(RATINGS.length);
            effect += RATING_EFFECT[r];
            f.put(MovieFields.CONTENT_RATING, RATINGS[r]);
            int c = rng.nextInt(COUNTRIES.length);
            effect += COUNTRY_EFFECT[c];
            f.put(MovieFields.PRODUCTION_COUNTRIES, COUNTRIES[c]);

            double tone = rng.nextDouble() * 2 - 1;
            effect += 1.2 * tone;
            f.put(MovieFields.TITLE, words(rng, 2, tone) + " " + i);
            f.put(MovieFields.PLOT_KEYWORDS, words(rng, 4, tone).replace(' ', '|'));
            f.put(MovieFields.OVERVIEW, words(rng, 14, tone));
            if (rng.nextDouble() > 0.2) {
                f.put(MovieFields.TAGLINE, words(rng, 5, tone));
            }

            double rating = 6.4 + effect + 0.35 * rng.nextGaussian();
            rating = Math.max(1, Math.min(10, Math.round(rating * 10) / 10.0));
            movies.add(new Movie("Synthetic film " + i, year, (float) rating, f));
        }
        return movies;
    }

    private static String pick(SplittableRandom rng, int count, String prefix) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < count; k++) {
            if (k > 0) {
                sb.append('|');
            }
            sb.append(prefix).append(' ').append(rng.nextInt(30));
        }
        return sb.toString();
    }

    /** Words whose share of good or bad ones follows {@code tone} in [-1, 1]. */
    private static String words(SplittableRandom rng, int count, double tone) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < count; k++) {
            if (k > 0) {
                sb.append(' ');
            }
            double u = rng.nextDouble();
            String w;
            if (u < 0.7 * Math.max(0, tone)) {
                w = GOOD[rng.nextInt(GOOD.length)];
            } else if (u < 0.7 * Math.max(0, -tone)) {
                w = BAD[rng.nextInt(BAD.length)];
            } else {
                w = NEUTRAL[rng.nextInt(NEUTRAL.length)];
            }
            sb.append(w);
        }
        return sb.toString();
    }
}
