package dev.descent.examples;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.descent.core.MemoryScope;
import dev.descent.data.DataLoader;
import dev.descent.nn.Safetensors;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checkpoint {@code descent mnist} writes at the end of every epoch, from which
 * {@code --resume} continues: a directory {@code RUN/checkpoint-epoch-N} holding
 * <ul>
 *   <li>{@value #MODEL}: the model's parameters and buffers (batch norm's running statistics);</li>
 *   <li>{@value OptimizerCheckpoint#ARRAYS} and {@value OptimizerCheckpoint#GROUPS}: the optimizer's state dict;</li>
 *   <li>{@value #STATE}: the epoch, the run's configuration (its flags), the schedule's state dict,
 *       the data loader's position with its shuffling generator, the dropout and augmentation
 *       generators' states, and the metrics so far.</li>
 * </ul>
 * Atomic as a whole: the files go into a hidden temporary directory, which one rename (it happens
 * or it does not) then gives its final name; only after that are older checkpoints removed. A run
 * killed at any moment leaves the previous checkpoint, the new one, or both (the newer is used),
 * and perhaps a temporary directory, which reading ignores and the next write removes.
 */
final class MnistCheckpoint {
    static final String MODEL = "model.safetensors";
    static final String STATE = "state.json";
    private static final String PREFIX = "checkpoint-epoch-";
    private static final Pattern COMPLETE = Pattern.compile(Pattern.quote(PREFIX) + "([0-9]+)");
    /** Temporary and condemned directories: hidden, so never taken for a checkpoint. */
    private static final String HIDDEN_PREFIX = "." + PREFIX;
    private static final String FORMAT = "descent mnist checkpoint 1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private MnistCheckpoint() {
    }

    /** A checkpoint read back: where it is, after which epoch, with which flags, and the saved states. */
    record Saved(Path directory, int epoch, Map<String, String> config, Map<String, Object> scheduler, DataLoader.State data,
                 long[] dropout, long[] augmentation, Map<String, List<Number>> history) {

        /** This checkpoint with another schedule state (a re-planned one). */
        Saved withScheduler(Map<String, Object> state) {
            return new Saved(directory, epoch, config, state, data, dropout, augmentation, history);
        }

        /** Puts every saved state into the run's live objects, which were built from the same configuration. */
        void restore(TrainingState into) throws IOException {
            if ((scheduler == null) != (into.scheduler() == null)) {
                throw new IllegalArgumentException("MnistCheckpoint.restore: " + directory + " was saved " + (scheduler == null
                        ? "without a learning-rate schedule, but this run has one" : "with a learning-rate schedule, but this run has none"));
            }
            into.model().load(directory.resolve(MODEL));
            OptimizerCheckpoint.load(directory, into.optimizer());
            if (scheduler != null) {
                into.scheduler().loadStateDict(scheduler);
            }
            into.loader().setState(data);
            into.dropout().setState(dropout);
            into.augmentation().setState(augmentation);
            into.history().restore(history);
        }
    }

    /** Writes the checkpoint after {@code epoch} into {@code run} (created if needed) and removes the older ones. */
    static void write(Path run, int epoch, Map<String, String> config, TrainingState state) throws IOException {
        Files.createDirectories(run);
        Path temporary = run.resolve(HIDDEN_PREFIX + epoch + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36)
                + ".partial");
        Files.createDirectory(temporary);
        try {
            // the optimizer's snapshot copies its state: on a GPU those copies go back when the scope closes
            try (MemoryScope snapshot = MemoryScope.open()) {
                Safetensors.save(state.model().stateDict(), temporary.resolve(MODEL));
                OptimizerCheckpoint.save(state.optimizer().stateDict(), temporary);
            }
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("format", FORMAT);
            json.put("epoch", epoch);
            json.put("config", config);
            json.put("scheduler", state.scheduler() == null ? null : state.scheduler().stateDict());
            DataLoader.State data = state.loader().state();
            Map<String, Object> loader = new LinkedHashMap<>();
            loader.put("epoch", data.epoch());
            loader.put("shuffle", data.shuffle());
            json.put("data", loader);
            json.put("dropout", state.dropout().state());
            json.put("augmentation", state.augmentation().state());
            json.put("history", state.history().toMap());
            AtomicFiles.write(temporary.resolve(STATE), JSON.writeValueAsString(json));
            Path target = run.resolve(PREFIX + epoch);
            if (Files.exists(target)) {
                remove(target);   // a checkpoint of the same epoch from an earlier attempt: this one replaces it
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, target);
            }
        } finally {
            if (Files.exists(temporary)) {
                deleteTree(temporary);
            }
        }
        removeAllBut(run, epoch);
    }

    /** The newest complete checkpoint in {@code run}, or null when there is none. */
    static Saved latest(Path run) throws IOException {
        int newest = -1;
        if (Files.isDirectory(run)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(run)) {
                for (Path entry : entries) {
                    Matcher name = COMPLETE.matcher(entry.getFileName().toString());
                    if (name.matches() && Files.isDirectory(entry)) {
                        newest = Math.max(newest, Integer.parseInt(name.group(1)));
                    }
                }
            }
        }
        return newest < 0 ? null : read(run.resolve(PREFIX + newest));
    }

    @SuppressWarnings("unchecked")
    private static Saved read(Path directory) throws IOException {
        Path file = directory.resolve(STATE);
        Map<String, Object> json = JSON.readValue(file.toFile(), new TypeReference<Map<String, Object>>() { });
        if (!FORMAT.equals(json.get("format"))) {
            throw corrupt(file, "it does not start with \"format\": \"" + FORMAT + "\"");
        }
        try {
            Map<String, Object> data = (Map<String, Object>) json.get("data");
            Map<String, String> config = new LinkedHashMap<>();
            ((Map<String, Object>) json.get("config")).forEach((k, v) -> config.put(k, String.valueOf(v)));
            return new Saved(directory, ((Number) json.get("epoch")).intValue(), config, (Map<String, Object>) json.get("scheduler"),
                    new DataLoader.State(((Number) data.get("epoch")).intValue(), longs(data.get("shuffle"))), longs(json.get("dropout")),
                    longs(json.get("augmentation")), (Map<String, List<Number>>) json.get("history"));
        } catch (ClassCastException | NullPointerException e) {
            throw corrupt(file, "a value is missing or of the wrong kind (" + e.getMessage() + ")");
        }
    }

    private static long[] longs(Object list) {
        if (list == null) {
            return null;
        }
        return ((List<?>) list).stream().mapToLong(value -> ((Number) value).longValue()).toArray();
    }

    private static IOException corrupt(Path file, String problem) {
        return new IOException("checkpoint file " + file + " is corrupt: " + problem);
    }

    /** Removes every checkpoint but the one of {@code keep}, and every temporary directory an interrupted write left. */
    private static void removeAllBut(Path run, int keep) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(run)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                Matcher complete = COMPLETE.matcher(name);
                if (complete.matches() && Integer.parseInt(complete.group(1)) != keep) {
                    remove(entry);
                } else if (name.startsWith(HIDDEN_PREFIX)) {
                    deleteTree(entry);
                }
            }
        }
    }

    /**
     * Renames a checkpoint to a hidden name before deleting it, so that a run killed while
     * deleting never leaves a half-deleted directory under a checkpoint's name.
     */
    private static void remove(Path checkpoint) throws IOException {
        Path condemned = checkpoint.resolveSibling("." + checkpoint.getFileName() + "." + Long.toUnsignedString(
                ThreadLocalRandom.current().nextLong(), 36) + ".removing");
        Files.move(checkpoint, condemned, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(condemned);
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
