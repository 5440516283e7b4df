package dev.descent.examples;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code --config} file: the JSON object of flag names to values a run writes as
 * {@code config.json}. Anything else is bad usage with a message of ours: a missing or empty
 * file, a JSON document that is not an object (an array, a number), a value that is not a
 * scalar, and malformed JSON, located by line and column with the text of that line.
 */
final class ConfigFile {
    /** The keys a configuration may hold that say where a run wrote, not what it trains: read and ignored. */
    static final List<String> IGNORED = List.of("out", "json", "config", "resume");

    private ConfigFile() {
    }

    /** The flag values of {@code file} for {@code command}, without the {@link #IGNORED} keys. */
    static Map<String, String> read(String command, Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new UsageException(command + ": cannot read --config " + file + ": " + reason(e));
        }
        if (text.isBlank()) {
            throw new UsageException(command + ": --config " + file + " is empty; expected the JSON object of flag values a run writes as"
                    + " config.json");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            int line = at == null ? -1 : at.getLineNr();
            int column = at == null ? -1 : at.getColumnNr();
            throw new UsageException(command + ": --config " + file + " is not valid JSON" + (line > 0 ? " at line " + line + ", column "
                    + column + ": " + excerpt(text, line) : "") + "; expected the JSON object of flag values a run writes as config.json");
        }
        if (!root.isObject()) {
            throw new UsageException(command + ": --config " + file + " holds a JSON " + kind(root) + "; expected an object of flag names"
                    + " to values, as config.json");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode value = field.getValue();
            if (!value.isValueNode() || value.isNull()) {
                throw new UsageException(command + ": --config " + file + ": \"" + field.getKey() + "\" is a JSON " + kind(value)
                        + "; expected a string, number or boolean");
            }
            if (!IGNORED.contains(field.getKey())) {
                values.put(field.getKey(), value.asText());
            }
        }
        return values;
    }

    private static String excerpt(String text, int line) {
        String[] lines = text.split("\\R", -1);
        String content = line <= lines.length ? lines[line - 1].strip() : "";
        return content.isEmpty() ? "(end of the file)" : "'" + (content.length() > 60 ? content.substring(0, 57) + "..." : content) + "'";
    }

    private static String kind(JsonNode node) {
        return node.isArray() ? "array" : node.isObject() ? "object" : node.isNull() ? "null" : node.isTextual() ? "string"
                : node.isNumber() ? "number" : node.isBoolean() ? "boolean" : node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }

    private static String reason(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
