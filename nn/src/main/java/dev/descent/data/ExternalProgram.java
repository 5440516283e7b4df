package dev.descent.data;

import static dev.descent.data.DurationText.elapsed;
import static dev.descent.data.DurationText.seconds;
import static dev.descent.data.FailureReasons.reason;

import dev.descent.data.FailureReasons.Failure;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program (npm, tar) under a stated time limit: a program that hangs is stopped
 * with all its children, one that runs long says so every {@link #HEARTBEAT}, and one that fails
 * is reported by the line of its output that says why, not by its exit code alone.
 */
final class ExternalProgram {
    /** How often a line says that a program is still running. */
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private ExternalProgram() {
    }

    /**
     * Runs {@code command} in {@code directory} for at most {@code limit}, its output in a file (so
     * that a full pipe never blocks it); {@code heartbeat}, when not null, gets a line every
     * {@link #HEARTBEAT} while it runs.
     */
    static void run(Path directory, List<String> command, Duration limit, PrintStream heartbeat) throws IOException {
        String shown = String.join(" ", command);
        Path output = Files.createTempFile("descent-process", ".log");
        try {
            Process process;
            try {
                process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                        .redirectOutput(output.toFile()).start();
            } catch (IOException e) {
                throw new Failure(command.get(0) + " could not be started (" + reason(e) + ")");
            }
            long start = System.nanoTime();
            long deadline = start + limit.toNanos();
            try {
                while (true) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        stop(process);
                        throw new Failure(command.get(0) + " did not finish within " + seconds(limit) + " and was stopped");
                    }
                    if (process.waitFor(Math.min(left, HEARTBEAT.toNanos()), TimeUnit.NANOSECONDS)) {
                        break;
                    }
                    if (heartbeat != null && System.nanoTime() < deadline) {
                        heartbeat.println("descent: " + shown + ": still running after " + elapsed(System.nanoTime() - start)
                                + " (stopped after " + seconds(limit) + ")");
                    }
                }
            } catch (InterruptedException e) {
                stop(process);
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while running " + shown);
            }
            if (process.exitValue() != 0) {
                throw new Failure("exit code " + process.exitValue() + ": " + summary(Files.readString(output, StandardCharsets.UTF_8)));
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /** Kills {@code process} and its descendants: killing only the program would leave those it started (node under an npm wrapper script) running. */
    private static void stop(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The line of a program's output that says what went wrong (npm's "reason:" line when there is one). */
    static String summary(String output) {
        List<String> lines = new ArrayList<>();
        for (String line : output.strip().split("\\R")) {
            String text = line.strip();
            for (String prefix : List.of("npm error ", "npm ERR! ", "npm error", "npm ERR!")) {
                if (text.startsWith(prefix)) {
                    text = text.substring(prefix.length()).strip();
                    break;
                }
            }
            if (!text.isEmpty() && !text.startsWith("A complete log") && !text.matches("(code|syscall|errno) \\S+")) {
                lines.add(text);
            }
        }
        for (String line : lines) {
            if (line.contains("reason:") || line.contains("timeout")) {
                return line;
            }
        }
        return lines.isEmpty() ? "(no output)" : lines.get(0);
    }
}
