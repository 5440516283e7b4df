package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path directory;

    @Test
    void everyDtypeAndShapeRoundTrips() throws IOException {
        Generator g = new Generator(1);
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        arrays.put("weights", NDArray.randn(g, 3, 4));
        arrays.put("doubles", NDArray.randn(DType.FLOAT64, g, 2, 1, 2));
        arrays.put("labels", NDArray.of(new int[] {7, -1, 2147483647}));
        arrays.put("scalar", NDArray.scalar(2.5));
        arrays.put("empty", NDArray.zeros(0, 5));
        arrays.put("view", NDArray.randn(g, 4, 3).t());
        Path file = directory.resolve("all.safetensors");
        Safetensors.save(arrays, file);
        Map<String, NDArray> loaded = Safetensors.load(file);
        assertEquals(List.copyOf(arrays.keySet()), List.copyOf(loaded.keySet()));
        arrays.forEach((name, array) -> assertEquals(array.contiguous(), loaded.get(name), name));
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, headerLength % 8, "the data starts 8-byte aligned");
    }

    @Test
    void aModuleSavesAndLoadsItsStateDict() throws IOException {
        Generator g = new Generator(2);
        Sequential model = new Sequential(new Linear(4, 3, true, g), new BatchNorm1d(3), new Linear(3, 2, true, g));
        model.forward(dev.descent.autograd.Tensor.randn(g, 5, 4));   // moves the running statistics
        Path file = directory.resolve("model.safetensors");
        model.save(file);
        Sequential copy = new Sequential(new Linear(4, 3, true, g), new BatchNorm1d(3), new Linear(3, 2, true, g));
        copy.load(file);
        model.stateDict().forEach((name, array) -> assertEquals(array, copy.stateDict().get(name), name));
    }

    @Test
    void writesAreAtomicAndLeaveNoTemporaryFiles() throws IOException {
        Path file = directory.resolve("weights.safetensors");
        Safetensors.save(Map.of("a", NDArray.ones(2)), file);
        byte[] before = Files.readAllBytes(file);
        Map<String, NDArray> reserved = Map.of("__metadata__", NDArray.ones(2));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.save(reserved, file));
        Path blocked = directory.resolve("occupied");
        Files.createDirectories(blocked.resolve("child"));
        assertThrows(IOException.class, () -> Safetensors.save(Map.of("a", NDArray.ones(2)), blocked));
        assertArrayEquals(before, Files.readAllBytes(file), "a failed save must not touch the existing file");
        try (Stream<Path> files = Files.list(directory)) {
            assertEquals(List.of("occupied", "weights.safetensors"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    private Path write(byte[] bytes) throws IOException {
        Path file = directory.resolve("bad.safetensors");
        Files.write(file, bytes);
        return file;
    }

    private static byte[] file(String header, int dataBytes) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(json.length).put(json);
        return buffer.array();
    }

    private void assertCorrupt(byte[] bytes, String expected) throws IOException {
        Path path = write(bytes);
        IOException e = assertThrows(IOException.class, () -> Safetensors.load(path));
        assertTrue(e.getMessage().startsWith("safetensors file " + path + " is corrupt: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void corruptFilesAreRejectedWithTheReason() throws IOException {
        Path good = directory.resolve("good.safetensors");
        Safetensors.save(Map.of("w", NDArray.ones(4, 4)), good);
        byte[] bytes = Files.readAllBytes(good);
        assertCorrupt(java.util.Arrays.copyOf(bytes, bytes.length - 1), "'w' has data_offsets [0,64] outside the 63 bytes of data");
        assertCorrupt(java.util.Arrays.copyOf(bytes, 5), "shorter than the 8-byte header length");
        byte[] lying = bytes.clone();
        ByteBuffer.wrap(lying).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1 << 20);
        assertCorrupt(lying, "the header claims 1048576 bytes");
        assertCorrupt(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 20]}}", 20),
                "'w' is F32 of shape [4], which needs 16 bytes, but its data_offsets span 20");
        assertCorrupt(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}, "
                + "\"v\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [4, 12]}}", 12), "'v' starts at byte 4");
        assertCorrupt(file("{\"w\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 80]}}", 8), "outside the 8 bytes");
        assertCorrupt(file("{\"w\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", 4),
                "'w' has dtype BF16, which Descent does not read");
        assertCorrupt(file("{\"w\": [1, 2", 0), "the header is not valid JSON");
        assertCorrupt(file("[1, 2]", 0), "the header is not a JSON object");
        assertCorrupt(file("{\"w\": {\"dtype\": \"F32\"}}", 0), "needs \"dtype\", \"shape\" and two \"data_offsets\"");
    }

    @Test
    void int64ValuesLoadAsInt32WhenTheyFit() throws IOException {
        byte[] bytes = file("{\"n\": {\"dtype\": \"I64\", \"shape\": [], \"data_offsets\": [0, 8]}}", 8);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(bytes.length - 8, 42);
        assertEquals(42, Safetensors.load(write(bytes)).get("n").item(), 0);
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(bytes.length - 8, 1L << 40);
        IOException e = assertThrows(IOException.class, () -> Safetensors.load(write(bytes)));
        assertTrue(e.getMessage().contains("does not fit in INT32"), e.getMessage());
    }
}
