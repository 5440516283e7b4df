package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path directory;

    /** An IDX file of unsigned bytes with the given dimensions and values 0, 1, 2, ... */
    static byte[] idx(int... shape) {
        int count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * shape.length + count);
        buffer.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) shape.length);
        for (int size : shape) {
            buffer.putInt(size);
        }
        for (int i = 0; i < count; i++) {
            buffer.put((byte) i);
        }
        return buffer.array();
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path file = directory.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    @Test
    void readsPlainAndGzippedFiles() throws IOException {
        Idx.Data plain = Idx.read(write("images", idx(2, 3, 4)));
        assertArrayEquals(new int[] {2, 3, 4}, plain.shape());
        assertEquals(24, plain.values().length);
        assertEquals(23, plain.get(23));
        Idx.Data gz = Idx.read(write("images.gz", gzip(idx(300))));
        assertArrayEquals(new int[] {300}, gz.shape());
        assertEquals(299 & 0xFF, gz.get(299), "values are unsigned");
    }

    private void assertCorrupt(byte[] bytes, String expected) throws IOException {
        Path file = write("bad", bytes);
        IOException e = assertThrows(IOException.class, () -> Idx.read(file));
        assertTrue(e.getMessage().startsWith("IDX file " + file + " is corrupt: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void corruptFilesAreRejectedWithTheReason() throws IOException {
        byte[] good = idx(5, 4);
        assertCorrupt(Arrays.copyOf(good, good.length - 3), "shape [5, 4] needs 32 bytes but the file has 29 (truncated)");
        assertCorrupt(Arrays.copyOf(good, good.length + 2), "(extra bytes at the end)");
        byte[] magic = good.clone();
        magic[0] = 0x1a;
        assertCorrupt(magic, "the magic number starts with 0x1a00 instead of 0x0000");
        byte[] type = good.clone();
        type[2] = 0x0D;
        assertCorrupt(type, "its data type is 0x0d");
        byte[] dims = good.clone();
        dims[3] = 9;
        assertCorrupt(dims, "it declares 9 dimensions");
        assertCorrupt(new byte[] {0, 0}, "fewer than the 4-byte magic number");
        assertCorrupt(Arrays.copyOf(good, 6), "it ends inside the header");
        byte[] gz = gzip(idx(100, 10));
        assertCorrupt(Arrays.copyOf(gz, gz.length / 2), "its gzip data is damaged or truncated");
    }
}
