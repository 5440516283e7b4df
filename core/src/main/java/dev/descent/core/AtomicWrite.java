package dev.descent.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How every file Descent writes (weights, caches, metrics, reports) reaches the disk: into a
 * temporary file beside the target, then renamed over it, so a crash or a failed write never
 * leaves a half-written file in place and never damages the previous one. The file gets the
 * permissions a newly created file gets (the umask's, typically 0644), or keeps those of the file
 * it replaces.
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
        Path temporary = createTemporary(directory, absolute.getFileName().toString());
        try {
            keepPermissions(absolute, temporary);
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

    /**
     * A new empty file beside the target. Not {@code Files.createTempFile}: it makes files only
     * the owner may read (0600), and the rename would hand that mode to every weights file and
     * report; a plain create gets the umask's mode.
     */
    private static Path createTemporary(Path directory, String name) throws IOException {
        while (true) {
            Path candidate = directory.resolve("." + name + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".partial");
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException e) {
                // another writer drew the same name: draw again
            }
        }
    }

    /** A file being replaced keeps its permissions. */
    private static void keepPermissions(Path target, Path temporary) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(target, PosixFileAttributeView.class);
        if (view != null && Files.exists(target)) {
            Files.setPosixFilePermissions(temporary, Files.getPosixFilePermissions(target));
        }
    }
}
