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
import java.util.function.IntUnaryOperator;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {
    @TempDir
    Path directory;

    /**
     * An IDX file of unsigned bytes with the given dimensions: values 0, 1, 2, ... (modulo 256),
     * except a one-dimensional file (a label file), whose values are 0, 1, ..., 9, 0, 1, ... so
     * that it holds valid MNIST labels.
     */
    static byte[] idx(int... shape) {
        return shape.length == 1 ? idxOf(shape, i -> i % 10) : idxOf(shape, i -> i);
    }

    /** An IDX file of unsigned bytes with the given dimensions, value {@code i} being {@code value(i)} (as a byte). */
    static byte[] idxOf(int[] shape, IntUnaryOperator value) {
        int count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        ByteBuffer buffer = ByteBuffer.allocate(4 + 4 * shape.length + count);
        buffer.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) shape.length);
        for (int size : shape) {
            buffer.putInt(size);
        }
        for (int i = 0; i < count; i++) {
            buffer.put((byte) value.applyAsInt(i));
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
        Idx.Data gz = Idx.read(write("images.gz", gzip(idxOf(new int[] {300}, i -> i))));
        assertArrayEquals(new int[] {300}, gz.shape());
        assertEquals(299 & 0xFF, gz.get(299), "values are unsigned");
    }

    private void assertCorrupt(byte[] bytes, String expected) throws IOException {
        Path file = write("bad", bytes);
        IOException e = assertThrows(IOException.class, () -> Idx.read(file));
        assertTrue(e.getMessage().startsWith("Idx.read: " + file + ": corrupt: "), e.getMessage());
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

    @Test
    void aDirectoryOrAMissingFileInPlaceOfAnIdxFileIsNamed() throws IOException {
        Path folder = Files.createDirectory(directory.resolve("train-images-idx3-ubyte"));
        IOException e = assertThrows(IOException.class, () -> Idx.read(folder));
        assertEquals("Idx.read: " + folder + ": is a directory; expected an IDX file (plain or gzipped)", e.getMessage());
        Path absent = directory.resolve("absent-idx1-ubyte");
        e = assertThrows(IOException.class, () -> Idx.read(absent));
        assertEquals("Idx.read: " + absent + ": no such file; expected an IDX file (plain or gzipped)", e.getMessage());

        // through Mnist, as a training run meets it
        write("train-labels-idx1-ubyte", idx(3));
        e = assertThrows(IOException.class, () -> Mnist.fromDirectory(directory, true));
        assertTrue(e.getMessage().contains(folder.toString()) && e.getMessage().contains("is a directory"), e.getMessage());
        e = assertThrows(IOException.class, () -> Mnist.fromDirectory(directory, false));
        assertTrue(e.getMessage().contains(directory.resolve("t10k-images-idx3-ubyte") + ": no such file"), e.getMessage());
    }

    @Test
    void anOutOfRangeLabelNamesTheFileAndTheIndex() throws IOException {
        write("train-images-idx3-ubyte", idx(400, 2, 2));
        Path labels = write("train-labels-idx1-ubyte", idxOf(new int[] {400}, i -> i == 345 ? 12 : i % 10));
        IOException e = assertThrows(IOException.class, () -> Mnist.fromDirectory(directory, true));
        assertEquals("MNIST: " + labels + ": label 12 at index 345 is out of range 0-9 (expected one of the 10 classes)", e.getMessage());
    }

    @Test
    void filesThatDisagreeAreNamed() throws IOException {
        Path images = write("train-images-idx3-ubyte", idx(4, 2, 2));
        Path labels = write("train-labels-idx1-ubyte", idx(3));
        IOException e = assertThrows(IOException.class, () -> Mnist.fromDirectory(directory, true));
        assertEquals("MNIST: " + images + " holds 4 images but " + labels + " holds 3 labels; expected one label per image", e.getMessage());
        write("train-labels-idx1-ubyte", idx(4, 1));
        e = assertThrows(IOException.class, () -> Mnist.fromDirectory(directory, true));
        assertEquals("MNIST: " + labels + " has shape [4, 1]; expected labels of shape [count]", e.getMessage());
    }

    @Test
    void gzippedFilesInADirectoryAreRead() throws IOException {
        write("t10k-images-idx3-ubyte.gz", gzip(idx(3, 2, 2)));
        write("t10k-labels-idx1-ubyte.gz", gzip(idx(3)));
        Mnist mnist = Mnist.fromDirectory(directory, false);
        assertEquals(3, mnist.size());
        assertEquals(2, mnist.label(2));
    }
}
