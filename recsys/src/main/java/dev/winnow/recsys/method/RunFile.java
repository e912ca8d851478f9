package dev.winnow.recsys.method;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import dev.winnow.engine.runtime.InputFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Overrides from a YAML or JSON run file:
 * <pre>
 * preset: quick            # optional
 * seeds: 3                 # optional
 * methods: [SAD, LTH-SAD]  # optional
 * all:                     # settings applied to every method
 *   batch_size: 128
 * LTH-SAD:                 # settings for one method
 *   epochs: 30
 * </pre>
 */
public record RunFile(String preset, Integer seeds, List<Method> methods, Map<String, String> all,
                      Map<Method, Map<String, String>> perMethod) {

    /** Largest run file read: a few hundred settings take a few KB, and a larger file is not a run file. */
    public static final long MAX_BYTES = 1 << 20;

    public static RunFile read(Path file) {
        JsonNode root;
        try {
            try {
                InputFiles.requireRegular(file, "run file", MAX_BYTES);
            } catch (NoSuchFileException e) {
                throw e;
            } catch (FileSystemException e) {
                // a directory, FIFO, device or a file over the cap, refused before it is opened
                throw new IllegalArgumentException("--run-file " + file + ": " + e.getReason());
            }
            String text;
            try (InputStream in = Files.newInputStream(file)) {
                // strict UTF-8, as Files.readString: a malformed byte is an error, not a replacement character
                text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(
                        InputFiles.readAtMost(in, (int) MAX_BYTES, file.toString()))).toString();
            }
            // A key given twice is refused, not silently last-wins (at the top level and in per-method settings).
            root = new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .readTree(text);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--run-file: " + file + " does not exist");
        } catch (IOException e) {
            throw new IllegalArgumentException("--run-file: " + file + " is not valid YAML/JSON: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("--run-file: " + file + " must hold a mapping at the top level");
        }
        String preset = root.hasNonNull("preset") ? root.get("preset").asText() : null;
        Integer seeds = null;
        if (root.hasNonNull("seeds")) {
            JsonNode n = root.get("seeds");
            if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1) {
                throw new IllegalArgumentException("--run-file " + file + ": seeds must be a whole number >= 1, got '"
                        + n.asText() + "'");
            }
            seeds = n.asInt();
        }
        List<Method> methods = null;
        if (root.has("methods")) {
            if (!root.get("methods").isArray()) {
                throw new IllegalArgumentException("--run-file " + file + ": methods must be a list, e.g. "
                        + "[SAD, LTH-SAD]");
            }
            methods = new ArrayList<>();
            for (JsonNode n : root.get("methods")) {
                Method m = Method.parse(n.asText());
                if (methods.contains(m)) {
                    throw new IllegalArgumentException("--run-file " + file + ": methods lists " + m.label()
                            + " twice; name each method once");
                }
                methods.add(m);
            }
        }
        Map<String, String> all = settings(root.get("all"), file, "all");
        Map<Method, Map<String, String>> per = new EnumMap<>(Method.class);
        Iterator<String> names = root.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (k.equals("preset") || k.equals("seeds") || k.equals("methods") || k.equals("all")) {
                continue;
            }
            Method m;
            try {
                m = Method.parse(k);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--run-file " + file + ": unknown top-level key '" + k
                        + "' (expected preset, seeds, methods, all, or a method name)");
            }
            per.put(m, settings(root.get(k), file, k));
        }
        return new RunFile(preset, seeds, methods, all, per);
    }

    private static Map<String, String> settings(JsonNode node, Path file, String where) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        if (node == null) {
            return m;
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("--run-file " + file + ": '" + where + "' must be a mapping of "
                    + "setting: value");
        }
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            m.put(e.getKey(), v.isArray() ? v.toString() : v.asText());
        }
        return m;
    }

    /** Applies the file's settings on top of a preset's configurations. */
    public Map<Method, MethodConfig> apply(Map<Method, MethodConfig> base) {
        Map<Method, MethodConfig> out = new EnumMap<>(base);
        for (Map.Entry<Method, MethodConfig> e : out.entrySet()) {
            MethodConfig c = e.getValue();
            for (Map.Entry<String, String> s : all.entrySet()) {
                c = c.with(s.getKey(), s.getValue());
            }
            for (Map.Entry<String, String> s : perMethod.getOrDefault(e.getKey(), Map.of()).entrySet()) {
                c = c.with(s.getKey(), s.getValue());
            }
            e.setValue(c);
        }
        return out;
    }
}
