package dev.winnow.recsys.movies;

import java.util.Map;

/**
 * One film of the merged IMDB 5000 + TMDB 5000 table: its title, release year, IMDB rating (the target) and its
 * pre-release attributes as raw strings under the names of {@link MovieFields}. Lists are joined with '|'.
 */
public record Movie(String title, int year, float rating, Map<String, String> fields) {
    public Movie {
        fields = Map.copyOf(fields);
    }
}
