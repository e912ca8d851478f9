package dev.winnow.recsys.movies;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
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
import java.util.stream.Collectors;

/**
 * Reads a UTF-8 CSV file with a header row through Jackson's CSV parser (quoted fields, embedded newlines, CRLF) and
 * hands back each record with the physical line it starts on, so that errors can say {@code file:line: ...}.
 */
final class CsvRows {
    private static final CsvMapper MAPPER = new CsvMapper();

    private CsvRows() {
    }

    /**
     * One record: the 1-based line it starts on, its values by column name, and the header's repeated names (name ->
     * its 1-based column numbers), which cannot be read: which of the columns was meant is unknown.
     */
    record Row(String file, int line, Map<String, String> values, Map<String, String> repeated) {
        String get(String column) {
            String where = repeated.get(column);
            if (where != null) {
                throw new MovieDataException(file + ":1: the header has the column '" + column + "' more than once "
                        + "(columns " + where + "); keep one");
            }
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
            Map<String, String> repeated = Map.of();
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
                    repeated = repeatedColumns(((CsvParser) parser).getSchema());
                    for (String column : required) {
                        if (!values.containsKey(column)) {
                            throw new MovieDataException(file + ":1: the header has no column '" + column
                                    + "' (found " + values.keySet() + "); is this the right file?");
                        }
                    }
                    checkedHeader = true;
                }
                rows.add(new Row(file, line, new LinkedHashMap<>(values), repeated));
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

    /** Header names that occur more than once, each with its 1-based column numbers ("4, 23"). */
    private static Map<String, String> repeatedColumns(CsvSchema header) {
        Map<String, List<Integer>> at = new LinkedHashMap<>();
        for (int c = 0; c < header.size(); c++) {
            at.computeIfAbsent(header.columnName(c), k -> new ArrayList<>()).add(c + 1);
        }
        Map<String, String> repeated = new LinkedHashMap<>();
        at.forEach((name, columns) -> {
            if (columns.size() > 1) {
                repeated.put(name, columns.stream().map(String::valueOf).collect(Collectors.joining(", ")));
            }
        });
        return repeated;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
