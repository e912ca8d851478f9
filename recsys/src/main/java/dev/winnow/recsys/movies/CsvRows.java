package dev.winnow.recsys.movies;

import dev.winnow.engine.runtime.CsvReader;
import dev.winnow.engine.runtime.InputLines;
import dev.winnow.engine.runtime.Echo;
import dev.winnow.recsys.data.DataFileReader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads a UTF-8 CSV file with a header row through the runtime's {@link CsvReader} (RFC 4180: quoted fields,
 * embedded newlines, CRLF; lines and records bounded) and hands back each record with the physical line it starts on,
 * so that errors can say {@code file:line: ...}. Serving ({@code winnow infer}) reads films with the same reader.
 */
final class CsvRows {
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

    /**
     * Every record of {@code path}; fails with {@code file:line: ...} when a column in {@code required} is absent from
     * the header, or at the first record that cannot be read (a broken quote, bytes that are not UTF-8, more fields
     * than the header names, a line over 1 MiB). A record with fewer fields lacks the last columns ({@link Row#get}
     * gives "").
     */
    static List<Row> read(Path path, List<String> required) {
        String file = path.getFileName().toString();
        List<Row> rows = new ArrayList<>();
        try (InputLines lines = DataFileReader.lines(path, StandardCharsets.UTF_8)) {
            CsvReader csv = new CsvReader(lines);
            if (!csv.next()) {
                throw new MovieDataException(file + ": empty file; expected a header naming the columns, with "
                        + String.join(",", required));
            }
            if (csv.problem() != null) {
                throw new MovieDataException(file + ":" + csv.line() + ": header: " + csv.problem());
            }
            String[] header = new String[csv.size()];
            for (int c = 0; c < header.length; c++) {
                header[c] = csv.field(c).toString();
            }
            Map<String, String> repeated = repeatedColumns(header);
            List<String> names = List.of(header);
            for (String column : required) {
                if (!names.contains(column)) {
                    throw new MovieDataException(file + ":1: the header has no column '" + column + "' (found "
                            + Echo.quote(String.join(",", header)) + "); is this the right file?");
                }
            }
            while (csv.next()) {
                int line = (int) csv.line();
                if (csv.problem() != null) {
                    throw new MovieDataException(file + ":" + line + ": not valid CSV (" + csv.problem() + ")");
                }
                if (csv.size() > header.length) {
                    throw new MovieDataException(file + ":" + line + ": not valid CSV (" + csv.size() + " fields, the"
                            + " header names " + header.length + ")");
                }
                Map<String, String> values = new LinkedHashMap<>();
                for (int c = 0; c < csv.size(); c++) {
                    values.put(header[c], csv.field(c).toString());
                }
                rows.add(new Row(file, line, values, repeated));
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
    private static Map<String, String> repeatedColumns(String[] header) {
        Map<String, List<Integer>> at = new LinkedHashMap<>();
        for (int c = 0; c < header.length; c++) {
            at.computeIfAbsent(header[c], k -> new ArrayList<>()).add(c + 1);
        }
        Map<String, String> repeated = new LinkedHashMap<>();
        at.forEach((name, columns) -> {
            if (columns.size() > 1) {
                repeated.put(name, columns.stream().map(String::valueOf).collect(Collectors.joining(", ")));
            }
        });
        return repeated;
    }
}
