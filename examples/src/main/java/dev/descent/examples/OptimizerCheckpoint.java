package dev.descent.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.autograd.Tensor;
import dev.descent.core.NDArray;
import dev.descent.nn.Safetensors;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.ParamGroup;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An optimizer's {@link OptimizerState} in two files of one directory:
 * <ul>
 *   <li>{@value #ARRAYS}: every state array, named {@code INDEX.KEY} (e.g. {@code 3.exp_avg}),
 *       in its own dtype and shape, 0-d FLOAT64 step counters included;</li>
 *   <li>{@value #GROUPS}: the parameter groups, each with its parameter indices and its
 *       hyperparameters, every value tagged with its Java type ({@code {"double": 0.001}},
 *       {@code {"integer": 10}}, {@code {"boolean": false}}, {@code {"pair": [0.9, 0.999]}},
 *       {@code {"string": "strong_wolfe"}}) so that it reads back as the same type, since an optimizer's
 *       checks tell 10 from 10.0; and which state keys each parameter has, in order (SGD
 *       without momentum keeps an empty state, which the arrays file cannot show).</li>
 * </ul>
 * Numbers are written as Java's shortest round-tripping decimal, so they read back bit for bit;
 * NaN and the infinities, which JSON lacks, as the strings "NaN", "Infinity", "-Infinity".
 *
 * <p>It lives in the examples rather than in nn, where {@link Safetensors} is, because
 * {@link OptimizerState} is optim's and nn does not depend on optim. Each file is written
 * atomically; to replace both at once, write them into a new directory and rename it, as
 * {@link MnistCheckpoint} does.
 */
final class OptimizerCheckpoint {
    static final String ARRAYS = "optimizer.safetensors";
    static final String GROUPS = "optimizer.json";
    private static final String FORMAT = "descent optimizer state 1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private OptimizerCheckpoint() {
    }

    /** Writes {@code state} to {@value #ARRAYS} and {@value #GROUPS} in {@code directory}. */
    static void save(OptimizerState state, Path directory) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        ArrayNode groups = root.putArray("paramGroups");
        for (int g = 0; g < state.paramGroups().size(); g++) {
            ObjectNode group = groups.addObject();
            ObjectNode hyperparameters = JSON.createObjectNode();
            for (Map.Entry<String, Object> entry : state.paramGroups().get(g).entrySet()) {
                if (entry.getKey().equals("params")) {
                    ArrayNode params = group.putArray("params");
                    for (Object index : (List<?>) entry.getValue()) {
                        params.add((Integer) index);
                    }
                } else {
                    hyperparameters.set(entry.getKey(), tagged(entry.getValue(), "hyperparameter '" + entry.getKey() + "' of group " + g));
                }
            }
            group.set("hyperparameters", hyperparameters);
        }
        ObjectNode keys = root.putObject("state");
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        state.state().forEach((index, values) -> {
            ArrayNode names = keys.putArray(Integer.toString(index));
            values.forEach((key, array) -> {
                names.add(key);
                arrays.put(index + "." + key, array);
            });
        });
        Safetensors.save(arrays, directory.resolve(ARRAYS));
        AtomicFiles.write(directory.resolve(GROUPS), JSON.writeValueAsString(root));
    }

    private static JsonNode tagged(Object value, String what) {
        ObjectNode node = JSON.createObjectNode();
        if (value instanceof Double d) {
            putReal(node, "double", d);
        } else if (value instanceof Integer i) {
            node.put("integer", i);
        } else if (value instanceof Boolean b) {
            node.put("boolean", b);
        } else if (value instanceof double[] pair) {
            ArrayNode values = node.putArray("pair");
            for (double v : pair) {
                addReal(values, v);
            }
        } else if (value instanceof String text) {
            node.put("string", text);
        } else {
            throw new IllegalArgumentException("OptimizerCheckpoint.save: " + what + " is a " + (value == null ? "null"
                    : value.getClass().getSimpleName()) + "; expected a Double, Integer, Boolean, double[] or String");
        }
        return node;
    }

    private static void putReal(ObjectNode node, String name, double value) {
        if (Double.isFinite(value)) {
            node.put(name, value);
        } else {
            node.put(name, Double.toString(value));
        }
    }

    private static void addReal(ArrayNode node, double value) {
        if (Double.isFinite(value)) {
            node.add(value);
        } else {
            node.add(Double.toString(value));
        }
    }

    /** The state saved in {@code directory}, its arrays on the CPU. */
    static OptimizerState read(Path directory) throws IOException {
        Path groupsFile = directory.resolve(GROUPS);
        JsonNode root = JSON.readTree(groupsFile.toFile());
        if (root == null || !FORMAT.equals(root.path("format").asText(null))) {
            throw corrupt(groupsFile, "it does not start with \"format\": \"" + FORMAT + "\"");
        }
        List<Map<String, Object>> groups = new ArrayList<>();
        for (JsonNode group : root.path("paramGroups")) {
            Map<String, Object> values = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = group.path("hyperparameters").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                values.put(entry.getKey(), untagged(groupsFile, entry.getKey(), entry.getValue()));
            }
            List<Integer> params = new ArrayList<>();
            for (JsonNode index : group.path("params")) {
                if (!index.isInt()) {
                    throw corrupt(groupsFile, "a parameter index is " + index + ", not an integer");
                }
                params.add(index.asInt());
            }
            values.put("params", List.copyOf(params));
            groups.add(values);
        }
        if (groups.isEmpty()) {
            throw corrupt(groupsFile, "it has no parameter groups");
        }
        Map<String, NDArray> arrays = Safetensors.load(directory.resolve(ARRAYS));
        Map<Integer, Map<String, NDArray>> state = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.path("state").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            int index;
            try {
                index = Integer.parseInt(entry.getKey());
            } catch (NumberFormatException e) {
                throw corrupt(groupsFile, "the state key '" + entry.getKey() + "' is not a parameter index");
            }
            Map<String, NDArray> own = new LinkedHashMap<>();
            for (JsonNode key : entry.getValue()) {
                NDArray array = arrays.remove(index + "." + key.asText());
                if (array == null) {
                    throw corrupt(directory.resolve(ARRAYS), "it lacks '" + index + "." + key.asText() + "', which " + GROUPS + " lists");
                }
                own.put(key.asText(), array);
            }
            state.put(index, own);
        }
        if (!arrays.isEmpty()) {
            throw corrupt(directory.resolve(ARRAYS), "it holds " + arrays.keySet() + ", which " + GROUPS + " does not list");
        }
        return new OptimizerState(groups, state);
    }

    private static Object untagged(Path file, String name, JsonNode node) throws IOException {
        if (node.size() == 1) {
            if (node.has("double")) {
                return real(file, name, node.get("double"));
            }
            if (node.has("integer") && node.get("integer").isInt()) {
                return node.get("integer").intValue();
            }
            if (node.has("boolean") && node.get("boolean").isBoolean()) {
                return node.get("boolean").booleanValue();
            }
            if (node.has("pair") && node.get("pair").size() == 2) {
                return new double[] {real(file, name, node.get("pair").get(0)), real(file, name, node.get("pair").get(1))};
            }
            if (node.has("string") && node.get("string").isTextual()) {
                return node.get("string").textValue();
            }
        }
        throw corrupt(file, "hyperparameter '" + name + "' is " + node + "; expected one of {\"double\": x}, {\"integer\": n},"
                + " {\"boolean\": b}, {\"pair\": [x, y]}, {\"string\": s}");
    }

    private static double real(Path file, String name, JsonNode node) throws IOException {
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual() && List.of("NaN", "Infinity", "-Infinity").contains(node.textValue())) {
            return Double.parseDouble(node.textValue());
        }
        throw corrupt(file, "hyperparameter '" + name + "' holds " + node + " where a number belongs");
    }

    private static IOException corrupt(Path file, String problem) {
        return new IOException("optimizer checkpoint " + file + " is corrupt: " + problem);
    }

    /**
     * Reads the state in {@code directory} and loads it into {@code optimizer}, each array on the
     * device where the optimizers make it, which may differ from where it was saved (a run saved on
     * a GPU may resume on the CPU and the other way round): an array shaped like its parameter
     * (moments, momentum buffers) beside the parameter; a 0-d counter such as Adam's step there
     * too when its group is capturable (as torch.optim's {@code load_state_dict} does), else on the
     * host; anything else (L-BFGS's flattened vectors and history) on the host, where those
     * optimizers keep it.
     */
    static void load(Path directory, Optimizer optimizer) throws IOException {
        OptimizerState saved = read(directory);
        List<Tensor> params = new ArrayList<>();
        for (ParamGroup group : optimizer.paramGroups()) {
            params.addAll(group.params());
        }
        Map<Integer, Map<String, NDArray>> placed = new LinkedHashMap<>();
        saved.state().forEach((index, arrays) -> {
            if (index < 0 || index >= params.size()) {
                throw new IllegalArgumentException("OptimizerCheckpoint.load: " + directory + " has state for parameter " + index
                        + " but the optimizer has " + params.size() + " parameters");
            }
            boolean capturable = Boolean.TRUE.equals(groupOf(saved, index).get("capturable"));
            Map<String, NDArray> own = new LinkedHashMap<>();
            Tensor param = params.get(index);
            arrays.forEach((key, array) -> {
                boolean besideParameter = array.rank() == 0 ? capturable : Arrays.equals(array.shape(), param.shape());
                own.put(key, besideParameter ? array.to(param.device()) : array);
            });
            placed.put(index, own);
        });
        optimizer.loadStateDict(new OptimizerState(saved.paramGroups(), placed));
    }

    /** The saved group whose "params" list {@code index}; an empty map when none does (loadStateDict then names the mismatch). */
    private static Map<String, Object> groupOf(OptimizerState state, int index) {
        for (Map<String, Object> group : state.paramGroups()) {
            if (group.get("params") instanceof List<?> indices && indices.contains(index)) {
                return group;
            }
        }
        return Map.of();
    }
}
