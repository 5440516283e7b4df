package dev.descent.nn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.core.AtomicWrite;
import dev.descent.core.DType;
import dev.descent.core.NDArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes named arrays in the safetensors format, the weight format shared across the
 * PyTorch ecosystem: an unsigned 64-bit little-endian header length N, N bytes of JSON mapping
 * each name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets into the data
 * that follows, which the entries must tile exactly), then the raw little-endian values in
 * row-major order.
 *
 * <pre>{@code
 * Safetensors.save(model.stateDict(), Path.of("mlp.safetensors"));
 * model.loadStateDict(Safetensors.load(Path.of("mlp.safetensors")), true);
 * }</pre>
 * Descent writes F32, F64 and I32; it reads those and I64 (PyTorch's integer buffers), which
 * must fit in INT32. Files are written to a temporary file and renamed, so a crash never leaves
 * a half-written file; a file that is truncated or whose header disagrees with its contents is
 * rejected whole.
 */
public final class Safetensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private Safetensors() {
    }

    /** Writes {@code arrays} (in iteration order) to {@code file}, atomically. */
    public static void save(Map<String, NDArray> arrays, Path file) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        List<byte[]> blobs = new ArrayList<>();
        long offset = 0;
        for (Map.Entry<String, NDArray> entry : arrays.entrySet()) {
            if (entry.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("Safetensors.save: '__metadata__' is reserved and cannot name an array");
            }
            NDArray array = entry.getValue();
            byte[] blob = encode(array);
            ObjectNode info = header.putObject(entry.getKey());
            info.put("dtype", code(array.dtype()));
            ArrayNode shape = info.putArray("shape");
            for (int size : array.shape()) {
                shape.add(size);
            }
            info.putArray("data_offsets").add(offset).add(offset + blob.length);
            offset += blob.length;
            blobs.add(blob);
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // the data starts 8-byte aligned; the header is padded with spaces
        ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(padded).put(json);
        while (prefix.hasRemaining()) {
            prefix.put((byte) ' ');
        }
        AtomicWrite.write(file, out -> {
            out.write(prefix.array());
            for (byte[] blob : blobs) {
                out.write(blob);
            }
        });
    }

    /** Reads every array of {@code file}, in the order of their data. */
    public static Map<String, NDArray> load(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < 8) {
            throw corrupt(file, "it is " + bytes.length + " bytes long, shorter than the 8-byte header length");
        }
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > bytes.length - 8L) {
            throw corrupt(file, "the header claims " + Long.toUnsignedString(headerLength) + " bytes but the file holds "
                    + (bytes.length - 8) + " after the length");
        }
        JsonNode header;
        try {
            header = JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw corrupt(file, "the header is not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (header == null || !header.isObject()) {
            throw corrupt(file, "the header is not a JSON object");
        }
        int dataStart = 8 + (int) headerLength;
        long dataLength = bytes.length - (long) dataStart;
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getKey().equals("__metadata__")) {
                entries.add(Entry.parse(file, field.getKey(), field.getValue(), dataLength));
            }
        }
        entries.sort((a, b) -> Long.compare(a.begin, b.begin));
        long expected = 0;
        for (Entry entry : entries) {
            if (entry.begin != expected) {
                throw corrupt(file, "'" + entry.name + "' starts at byte " + entry.begin + " of the data, but the previous array"
                        + " ends at " + expected + " (arrays must tile the data without gaps or overlaps)");
            }
            expected = entry.end;
        }
        if (expected != dataLength) {
            throw corrupt(file, "the arrays cover " + expected + " bytes of data but the file holds " + dataLength);
        }
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        for (Entry entry : entries) {
            arrays.put(entry.name, entry.decode(file, ByteBuffer.wrap(bytes, dataStart + (int) entry.begin,
                    (int) (entry.end - entry.begin)).slice().order(ByteOrder.LITTLE_ENDIAN)));
        }
        return arrays;
    }

    private static IOException corrupt(Path file, String problem) {
        return new IOException("safetensors file " + file + " is corrupt: " + problem);
    }

    private static String code(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT32 -> "I32";
        };
    }

    private static byte[] encode(NDArray array) {
        ByteBuffer buffer = ByteBuffer.allocate(array.size() * array.dtype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        switch (array.dtype()) {
            case FLOAT32 -> buffer.asFloatBuffer().put(array.toFloatArray());
            case FLOAT64 -> buffer.asDoubleBuffer().put(array.toDoubleArray());
            case INT32 -> buffer.asIntBuffer().put(array.toIntArray());
        }
        return buffer.array();
    }

    /** One header entry, checked against the data it points to. */
    private record Entry(String name, String dtype, int[] shape, long begin, long end) {
        static Entry parse(Path file, String name, JsonNode info, long dataLength) throws IOException {
            JsonNode dtype = info.get("dtype");
            JsonNode shape = info.get("shape");
            JsonNode offsets = info.get("data_offsets");
            if (dtype == null || !dtype.isTextual() || shape == null || !shape.isArray() || offsets == null
                    || !offsets.isArray() || offsets.size() != 2) {
                throw corrupt(file, "the entry for '" + name + "' needs \"dtype\", \"shape\" and two \"data_offsets\"");
            }
            int width = switch (dtype.asText()) {
                case "F32", "I32" -> 4;
                case "F64", "I64" -> 8;
                default -> throw corrupt(file, "'" + name + "' has dtype " + dtype.asText()
                        + ", which Descent does not read (F32, F64, I32 and I64 are supported)");
            };
            int[] sizes = new int[shape.size()];
            long count = 1;
            for (int d = 0; d < sizes.length; d++) {
                JsonNode size = shape.get(d);
                if (!size.canConvertToInt() || size.asInt() < 0) {
                    throw corrupt(file, "'" + name + "' has an invalid shape " + shape);
                }
                sizes[d] = size.asInt();
                count *= sizes[d];
            }
            long begin = offsets.get(0).asLong(-1);
            long end = offsets.get(1).asLong(-1);
            if (begin < 0 || end < begin || end > dataLength) {
                throw corrupt(file, "'" + name + "' has data_offsets " + offsets + " outside the " + dataLength + " bytes of data");
            }
            if (end - begin != count * width) {
                throw corrupt(file, "'" + name + "' is " + dtype.asText() + " of shape " + shape + ", which needs "
                        + count * width + " bytes, but its data_offsets span " + (end - begin));
            }
            return new Entry(name, dtype.asText(), sizes, begin, end);
        }

        NDArray decode(Path file, ByteBuffer data) throws IOException {
            int count = (int) ((end - begin) / (dtype.equals("F64") || dtype.equals("I64") ? 8 : 4));
            switch (dtype) {
                case "F32" -> {
                    float[] values = new float[count];
                    data.asFloatBuffer().get(values);
                    return NDArray.of(values).reshape(shape);
                }
                case "F64" -> {
                    double[] values = new double[count];
                    data.asDoubleBuffer().get(values);
                    return NDArray.of(values).reshape(shape);
                }
                case "I32" -> {
                    int[] values = new int[count];
                    data.asIntBuffer().get(values);
                    return NDArray.of(values).reshape(shape);
                }
                default -> {
                    int[] values = new int[count];
                    for (int i = 0; i < count; i++) {
                        long value = data.getLong(i * 8);
                        if (value != (int) value) {
                            throw new IOException("safetensors file " + file + ": '" + name + "' holds the I64 value " + value
                                    + ", which does not fit in INT32");
                        }
                        values[i] = (int) value;
                    }
                    return NDArray.of(values).reshape(shape);
                }
            }
        }
    }
}
