package dev.descent.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code --out} directory of a command, checked before the command does anything and created
 * only when its first file is about to be written.
 * <ul>
 *   <li>The default, {@code runs/COMMAND-<timestamp>}, is made unique: millisecond time and a short
 *       random suffix, created with one atomic {@link Files#createDirectory} and another suffix
 *       whenever that name exists already, so two runs started together never share it. The root
 *       {@code runs} is the working directory's, or the system property {@value #ROOT_PROPERTY}.</li>
 *   <li>A run claims its directory with an owner marker, {@value #MARKER}, created atomically
 *       ({@code CREATE_NEW}). An explicit {@code --out} that another run owns (it has the marker) or
 *       that holds another run's results is refused as bad usage, before any side effect.</li>
 *   <li>{@code --resume DIR} continues the run that owns DIR: {@link #resume} takes the directory as
 *       it is.</li>
 * </ul>
 */
final class RunDirectory {
    /** The owner marker a run creates in its directory. */
    static final String MARKER = ".descent-run";
    /** The system property naming the root of the default run directories (default: {@code runs}). */
    static final String ROOT_PROPERTY = "descent.runs";
    /** What a run directory holds (any command's results): an explicit --out holding one of these belongs to another run. */
    private static final List<String> RESULTS = List.of("config.json", "weights.safetensors", "metrics.jsonl", "metrics.csv", "report.html",
            "results.json", "compare.html", "second-order.html", "landscape.svg", "landscape.html");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");
    /** The clock of the default names (tests fix it to make runs collide). */
    static Clock clock = Clock.systemDefaultZone();

    private final String command;
    private final String prefix;   // the default's name before the unique part, or null for an explicit directory
    private final boolean resumed;
    private final Instant started = Instant.now(clock);   // the default's name tells when the run started, not when it first wrote
    private Path directory;        // null until created (the default's name is chosen then)
    private boolean claimed;

    private RunDirectory(String command, String prefix, Path directory, boolean resumed) {
        this.command = command;
        this.prefix = prefix;
        this.directory = directory;
        this.resumed = resumed;
    }

    /**
     * The directory {@code --out} names, checked (non-empty, writable, owned by no other run) but
     * not created. {@code given} says whether --out was given; otherwise the default
     * {@code runs/PREFIX-<timestamp>} is chosen when it is {@linkplain #create() created}.
     */
    static RunDirectory of(String command, String out, boolean given, String defaultPrefix) {
        if (!given) {
            Path root = root();
            checkWritable(command, root);
            return new RunDirectory(command, defaultPrefix, null, false);
        }
        if (out == null || out.isBlank()) {
            throw new UsageException(command + ": --out is empty; give a directory for the results, or leave --out out for a new"
                    + " directory under " + root() + "/");
        }
        Path directory = Path.of(out);
        checkNotAnotherRuns(command, directory);
        checkWritable(command, directory);
        return new RunDirectory(command, null, directory, false);
    }

    /** The directory of the run {@code --resume} continues: its own, created and claimed when it first ran. */
    static RunDirectory resume(String command, Path directory) {
        checkWritable(command, directory);
        return new RunDirectory(command, null, directory, true);
    }

    /** Where the default run directories go: {@code runs}, or the system property {@value #ROOT_PROPERTY}. */
    static Path root() {
        return Path.of(System.getProperty(ROOT_PROPERTY, "runs"));
    }

    /** The directory, or what it will be called (the default's pattern) before it is created. */
    String describe() {
        return directory != null ? directory.toString() : root().resolve(prefix + "-<timestamp>").toString();
    }

    /**
     * The directory, created and claimed on the first call: the default under a unique name; an
     * explicit one refused if another run claimed it since the check.
     */
    synchronized Path create() throws IOException {
        if (claimed) {
            return directory;
        }
        if (resumed) {
            // the run's own directory: its marker (absent for runs from before markers) notes that it went on
            Files.writeString(directory.resolve(MARKER), "resumed at " + Instant.now(clock) + " by process " + ProcessHandle.current().pid()
                    + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            claimed = true;
            return directory;
        }
        if (prefix != null) {
            Path root = root();
            Files.createDirectories(root);
            String stamp = LocalDateTime.ofInstant(started, clock.getZone()).format(STAMP);
            while (true) {
                Path candidate = root.resolve(prefix + "-" + stamp + "-" + suffix());
                try {
                    Files.createDirectory(candidate);
                    directory = candidate;
                    break;
                } catch (FileAlreadyExistsException e) {
                    // another run took this name in the same millisecond: draw another suffix
                }
            }
        } else {
            Files.createDirectories(directory);
        }
        try {
            Files.writeString(directory.resolve(MARKER), "descent " + command + " run, started " + started + " by process "
                    + ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw new UsageException(command + ": --out " + directory + " was claimed by another run meanwhile (it has " + MARKER
                    + "); choose another directory, or leave --out out");
        }
        claimed = true;
        return directory;
    }

    /** Notes in the owner marker that the run failed, so that what it left says so. */
    void failed(Exception cause) {
        if (!claimed) {
            return;
        }
        try {
            Files.writeString(directory.resolve(MARKER), "failed at " + Instant.now(clock) + ": " + (cause.getMessage() != null
                    ? cause.getMessage() : cause.toString()) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private static String suffix() {
        return Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36), 36);
    }

    private static void checkNotAnotherRuns(String command, Path directory) {
        if (!Files.isDirectory(directory)) {
            return;
        }
        String owner = null;
        if (Files.exists(directory.resolve(MARKER))) {
            owner = "is another run's (it has " + MARKER + ")";
        } else {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (RESULTS.contains(name) || name.startsWith("checkpoint-epoch-")) {
                        owner = "holds another run's results (" + name + ")";
                        break;
                    }
                }
            } catch (IOException e) {
                throw new UsageException(command + ": --out " + directory + " cannot be read (" + e.getMessage() + ")");
            }
        }
        if (owner != null) {
            throw new UsageException(command + ": --out " + directory + " " + owner + "; choose a new directory, leave --out out for a"
                    + " fresh one" + (command.equals("mnist") ? ", or --resume it to continue that run" : ""));
        }
    }

    /** The directory, or the nearest of its parents that exists, must be a writable directory: checked without creating anything. */
    private static void checkWritable(String command, Path directory) {
        Path existing = directory.toAbsolutePath().normalize();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        String problem = existing == null ? "no parent directory exists"
                : !Files.isDirectory(existing) ? existing + " is not a directory" : null;
        if (problem == null) {
            try {
                // a probe file, removed at once: access rights alone do not tell (root, read-only or virtual file systems)
                Files.delete(Files.createTempFile(existing, ".descent-probe", ".tmp"));
            } catch (IOException | SecurityException e) {
                problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }
        if (problem != null) {
            throw new UsageException(command + ": --out " + directory + " is not writable (" + problem + ")");
        }
    }
}
