package dev.descent.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * How every file Descent writes (weights, caches, metrics, reports) reaches the disk: into a
 * temporary file beside the target, then renamed over it, so a crash or a failed write never
 * leaves a half-written file in place and never damages the previous one.
 *
 * <pre>{@code
 * AtomicWrite.write(Path.of("runs/metrics.csv"), csv.getBytes(StandardCharsets.UTF_8));
 * }</pre>
 */
public final class AtomicWrite {
    /** Writes the contents of a file to a stream. */
    @FunctionalInterface
    public interface Contents {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicWrite() {
    }

    /** Replaces {@code file} with {@code bytes}, creating its directory if needed. */
    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, out -> out.write(bytes));
    }

    /** Replaces {@code file} with what {@code contents} writes, creating its directory if needed. */
    public static void write(Path file, Contents contents) throws IOException {
        Path absolute = file.toAbsolutePath();
        Path directory = absolute.getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, absolute.getFileName().toString(), ".partial");
        try {
            try (OutputStream out = Files.newOutputStream(temporary)) {
                contents.writeTo(out);
            }
            try {
                Files.move(temporary, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
    }
}
