package dev.winnow.recsys.data;

/**
 * Input data that cannot be used, with a message that names the file (and line, field and value where there is one)
 * and what was expected. It is an {@link IllegalArgumentException} so the CLI reports it as bad input, not a crash.
 */
public final class DataFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public DataFormatException(String message) {
        super(message);
    }

    public DataFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
