package dev.winnow.recsys.data;

import dev.winnow.engine.runtime.InputFiles;
import dev.winnow.engine.runtime.InputLines;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens a data file (ratings, item and user lists, movie CSVs) as lines of text ({@link InputLines}), which drops a
 * leading UTF-8 byte-order mark.
 *
 * <p>Editors on Windows and spreadsheet exports put the mark (bytes EF BB BF) before the first field; left in, it
 * reads as part of the first user id ({@code 'ï»¿196' is not a whole number}) or of the first header name. It is
 * dropped as bytes, before decoding, so that the same three bytes go whether the file is then read as UTF-8 or as
 * ISO-8859-1 (the MovieLens 100K and 1M files). Malformed input flags its line, never a replacement character.
 */
public final class DataFileReader {
    private DataFileReader() {
    }

    /**
     * The lines of {@code file} ({@link InputLines}: decoded one at a time, a bad byte flags only its line, a line over
     * 1 MiB ends the read), after checking that it is a regular file: a FIFO or device never reaches the reader.
     */
    public static InputLines lines(Path file, Charset cs) throws IOException {
        InputFiles.requireRegular(file, "data file", Long.MAX_VALUE);
        return new InputLines(Files.newInputStream(file), cs); // InputLines reads in 16 KB steps itself
    }

    /** The current line of {@code in} without its line break ("\n" or "\r\n"). */
    public static String text(InputLines in) {
        int n = in.length();
        char[] c = in.chars();
        if (n > 0 && c[n - 1] == '\n') {
            n--;
            if (n > 0 && c[n - 1] == '\r') {
                n--;
            }
        }
        return new String(c, 0, n);
    }

    /** The message for a line {@link InputLines#tooLong()} reports, after {@code FILE:LINE: }. */
    public static String tooLong() {
        return "line longer than " + InputLines.MAX_LINE_BYTES + " bytes (1 MiB), the most a line may be; reading"
                + " stopped there";
    }
}
