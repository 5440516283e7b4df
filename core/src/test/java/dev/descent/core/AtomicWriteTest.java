package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files written atomically: contents replaced whole, the umask's permissions, nothing left beside them. */
class AtomicWriteTest {
    @TempDir
    Path directory;

    @Test
    void aNewFileGetsTheModeAPlainCreateGetsAndNoTemporaryIsLeft() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path written = directory.resolve("weights.bin");
        AtomicWrite.write(written, new byte[] {1, 2, 3});
        Path plain = Files.createFile(directory.resolve("plain"));
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(written)));
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(written));
        try (Stream<Path> files = Files.list(directory)) {
            assertEquals(List.of("plain", "weights.bin"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void aReplacedFileKeepsItsPermissions() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path file = directory.resolve("report.html");
        AtomicWrite.write(file, new byte[] {1});
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-r--"));
        AtomicWrite.write(file, new byte[] {2, 2});
        assertEquals("rw-rw-r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(new byte[] {2, 2}, Files.readAllBytes(file));
    }
}
