package dev.winnow.recsys.movies;

/** A movie data file that cannot be used as it is; the message says which file, line and field, and what is wrong. */
public final class MovieDataException extends RuntimeException {
    public MovieDataException(String message) {
        super(message);
    }

    public MovieDataException(String message, Throwable cause) {
        super(message, cause);
    }
}
