package dev.winnow.recsys.movies;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import dev.winnow.recsys.data.DataFileReader;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a UTF-8 CSV file with a header row through Jackson's CSV parser (quoted fields, embedded newlines, CRLF) and
 * hands back each record with the physical line it starts on, so that errors can say {@code file:line: ...}.
 */
final class CsvRows {
    private static final CsvMapper MAPPER = new CsvMapper();

    private CsvRows() {
    }

    /** One record: the 1-based line it starts on and its values by column name. */
    record Row(String file, int line, Map<String, String> values) {
        String get(String column) {
            String v = values.get(column);
            return v == null ? "" : v;
        }

        MovieDataException error(String field, String what) {
            return new MovieDataException(file + ":" + line + ": field " + field + ": " + what);
        }
    }

    /** Every record of {@code path}; fails when a column in {@code required} is absent from the header. */
    static List<Row> read(Path path, List<String> required) {
        String file = path.getFileName().toString();
        List<Row> rows = new ArrayList<>();
        CsvSchema schema = CsvSchema.emptySchema().withHeader();
        try (Reader reader = DataFileReader.open(path, StandardCharsets.UTF_8);
             MappingIterator<Map<String, String>> it = MAPPER.readerForMapOf(String.class).with(schema)
                     .readValues(reader)) {
            JsonParser parser = it.getParser();
            boolean checkedHeader = false;
            // Jackson reports where a record ends; it starts on the line after the previous one ended (header: 1).
            int previousEnd = 1;
            while (true) {
                int line;
                Map<String, String> values;
                try {
                    if (!it.hasNextValue()) {
                        break;
                    }
                    values = it.nextValue();
                    line = previousEnd + 1;
                    previousEnd = parser.currentTokenLocation().getLineNr();
                } catch (RuntimeException | IOException e) {
                    throw new MovieDataException(file + ":" + parser.currentLocation().getLineNr() + ": not valid CSV ("
                            + firstLine(e.getMessage()) + ")", e);
                }
                if (!checkedHeader) {
                    for (String column : required) {
                        if (!values.containsKey(column)) {
                            throw new MovieDataException(file + ":1: the header has no column '" + column
                                    + "' (found " + values.keySet() + "); is this the right file?");
                        }
                    }
                    checkedHeader = true;
                }
                rows.add(new Row(file, line, new LinkedHashMap<>(values)));
            }
        } catch (NoSuchFileException e) {
            throw new MovieDataException(path + ": file not found", e);
        } catch (IOException e) {
            throw new MovieDataException(path + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (rows.isEmpty()) {
            throw new MovieDataException(path + ": no data rows below the header");
        }
        return rows;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
