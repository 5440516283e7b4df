package dev.descent.examples;

import java.nio.file.Path;

/**
 * What a training run says when it is stopped from outside (Ctrl-C: SIGINT; or SIGTERM) while it
 * trains: what it kept in its directory and the command that continues or repeats it. A shutdown
 * hook prints the line on standard error; the JVM then exits with 128 + the signal (130 for
 * SIGINT). Closed when training ends, so that a run that finishes or fails says nothing more.
 */
final class Interruption implements AutoCloseable {
    private final Path directory;
    private final Thread hook;
    private volatile int checkpoint;

    private Interruption(Path directory, int checkpoint) {
        this.directory = directory;
        this.checkpoint = checkpoint;
        this.hook = new Thread(() -> System.err.println(message()), "descent-interruption");
    }

    /** Starts watching a run writing to {@code directory} whose last checkpoint is of epoch {@code checkpoint} (0: none yet). */
    static Interruption watch(Path directory, int checkpoint) {
        Interruption interruption = new Interruption(directory, checkpoint);
        Runtime.getRuntime().addShutdownHook(interruption.hook);
        return interruption;
    }

    /** Epoch {@code epoch}'s checkpoint is written. */
    void checkpointed(int epoch) {
        checkpoint = epoch;
    }

    /** The line printed when the run is stopped. */
    String message() {
        if (checkpoint == 0) {
            return "descent mnist: interrupted before the first epoch ended; kept config.json in " + directory
                    + ": repeat the run with ./descent mnist --config " + directory.resolve("config.json");
        }
        return "descent mnist: interrupted; kept config.json, metrics and the checkpoint of epoch " + checkpoint + " in " + directory
                + ": continue with ./descent mnist --resume " + directory;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is already exiting: the hook runs and says what was kept
        }
    }
}
