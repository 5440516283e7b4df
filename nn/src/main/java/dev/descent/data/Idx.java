package dev.descent.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reader of the IDX format of the MNIST files (plain or gzip-compressed): two zero bytes, a
 * type byte (0x08 for unsigned bytes, the only type MNIST uses), the number of dimensions, each
 * dimension as a big-endian 32-bit size, then the values. The header and the file length are
 * checked; a bad file is an {@link IOException} naming the file, the problem and what was expected.
 */
public final class Idx {
    private static final int UNSIGNED_BYTE = 0x08;
    /** The most bytes a header takes: the magic number and four dimensions. */
    private static final int MAX_HEADER = 4 + 4 * 4;

    /** The contents of an IDX file of unsigned bytes. */
    public record Data(int[] shape, byte[] values) {
        /** Value {@code i} (row-major) as 0..255. */
        public int get(int i) {
            return values[i] & 0xFF;
        }
    }

    private Idx() {
    }

    /**
     * Reads {@code file}, decompressing it if it starts with the gzip signature. Every failure is
     * an {@link IOException} whose message starts with {@code "Idx.read: <file>: "} and says what
     * was expected.
     */
    public static Data read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException("Idx.read: " + file + ": is a directory; expected an IDX file (plain or gzipped)");
        }
        try {
            byte[] head;
            long length;
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(MAX_HEADER);
                length = Files.size(file);
            }
            if (!isGzip(head)) {
                // a plain file (as the cache holds them) is read once, straight into the values array
                Header header = header(file, head, length);
                byte[] values = new byte[header.count()];   // one array (readNBytes(n) gathers 8 KB chunks first)
                int read;
                try (InputStream in = Files.newInputStream(file)) {
                    in.skipNBytes(header.bytes());
                    read = in.readNBytes(values, 0, values.length);
                }
                if (read != values.length) {
                    throw corrupt(file, "it changed while being read (" + (header.bytes() + read) + " of "
                            + (header.bytes() + header.count()) + " bytes)");
                }
                return new Data(header.shape(), values);
            }
            byte[] compressed = Files.readAllBytes(file);
            byte[] bytes;
            try {
                bytes = uncompressed(compressed);
            } catch (IOException e) {
                throw new CorruptFileException("Idx.read: " + file + ": corrupt: its gzip data is damaged or truncated ("
                        + FailureReasons.reason(e) + "); expected a complete gzipped IDX file", e);
            }
            return parse(file, bytes);
        } catch (NoSuchFileException e) {
            throw new IOException("Idx.read: " + file + ": no such file; expected an IDX file (plain or gzipped)", e);
        } catch (CorruptFileException e) {
            throw e;   // names the file and the problem already
        } catch (IOException e) {
            throw new IOException("Idx.read: " + file + ": cannot be read (" + FailureReasons.reason(e)
                    + "); expected a readable IDX file (plain or gzipped)", e);
        }
    }

    /** An IDX header: the shape, the header's length and the number of values after it. */
    private record Header(int[] shape, int bytes, int count) {
    }

    static Data parse(Path file, byte[] bytes) throws IOException {
        Header header = header(file, bytes, bytes.length);
        return new Data(header.shape(), Arrays.copyOfRange(bytes, header.bytes(), bytes.length));
    }

    /** Checks the header at the start of {@code head} against a file of {@code length} bytes. */
    private static Header header(Path file, byte[] head, long length) throws IOException {
        if (length < 4) {
            throw corrupt(file, "it has " + length + " bytes, fewer than the 4-byte magic number");
        }
        if (head[0] != 0 || head[1] != 0) {
            throw corrupt(file, String.format("the magic number starts with 0x%02x%02x instead of 0x0000 (not an IDX file)",
                    head[0], head[1]));
        }
        int type = head[2] & 0xFF;
        if (type != UNSIGNED_BYTE) {
            throw corrupt(file, String.format("its data type is 0x%02x; Descent reads unsigned bytes (0x08) as MNIST uses", type));
        }
        int rank = head[3] & 0xFF;
        if (rank < 1 || rank > 4) {
            throw corrupt(file, "it declares " + rank + " dimensions (expected 1 to 4)");
        }
        int headerBytes = 4 + 4 * rank;
        if (length < headerBytes) {
            throw corrupt(file, "it ends inside the header (" + length + " bytes, the header needs " + headerBytes + ")");
        }
        ByteBuffer buffer = ByteBuffer.wrap(head);
        int[] shape = new int[rank];
        long count = 1;
        for (int d = 0; d < rank; d++) {
            shape[d] = buffer.getInt(4 + 4 * d);
            if (shape[d] < 0) {
                throw corrupt(file, "dimension " + d + " has a negative size " + shape[d]);
            }
            count *= shape[d];
        }
        long expected = headerBytes + count;
        if (length != expected) {
            throw corrupt(file, "shape " + Arrays.toString(shape) + " needs " + expected + " bytes but the file has " + length
                    + (length < expected ? " (truncated)" : " (extra bytes at the end)"));
        }
        return new Header(shape, headerBytes, (int) count);
    }

    private static boolean isGzip(byte[] bytes) {
        return bytes.length >= 2 && (bytes[0] & 0xFF) == 0x1f && (bytes[1] & 0xFF) == 0x8b;
    }

    private static IOException corrupt(Path file, String problem) {
        return new CorruptFileException("Idx.read: " + file + ": corrupt: " + problem, null);
    }

    /** A file that was read but is not a valid IDX file: its message is final, unlike a failure to read. */
    private static final class CorruptFileException extends IOException {
        CorruptFileException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** {@code bytes} gunzipped when they start with the gzip signature, else unchanged. */
    static byte[] uncompressed(byte[] bytes) throws IOException {
        if (!isGzip(bytes)) {
            return bytes;
        }
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes), 1 << 16)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }
}
