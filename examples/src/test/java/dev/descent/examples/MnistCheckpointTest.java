package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.descent.autograd.Tensor;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.data.Batch;
import dev.descent.data.DataLoader;
import dev.descent.data.TensorDataset;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.Dropout;
import dev.descent.nn.Linear;
import dev.descent.nn.Losses;
import dev.descent.nn.Sequential;
import dev.descent.optim.Optimizer;
import dev.descent.optim.Optimizers;
import dev.descent.optim.schedule.CosineAnnealingLR;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistCheckpointTest {
    private static final Map<String, String> CONFIG = Map.of("epochs", "3", "seed", "0");

    @TempDir
    Path run;

    /** A small model with batch norm and dropout, Adam, a cosine schedule, a shuffling loader and generators, before any step. */
    private static TrainingState fresh() {
        Generator dropout = new Generator(2);
        Sequential model = new Sequential(new Linear(4, 6, true, new Generator(1)), new BatchNorm1d(6), new Dropout(0.3, dropout),
                new Linear(6, 3, true, new Generator(1)));
        Optimizer optimizer = Optimizers.create("adam", model.parameters());
        NDArray inputs = NDArray.randn(new Generator(9), 20, 4);
        NDArray targets = NDArray.of(new int[] {0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1});
        DataLoader loader = new DataLoader(new TensorDataset(inputs, targets), 6).shuffle(new Generator(3)).prefetch(false);
        RunHistory history = new RunHistory(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(),
                new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new java.util.LinkedHashMap<>());
        return new TrainingState(model, optimizer, new CosineAnnealingLR(optimizer, 12, 0), loader, dropout, new Generator(4), history);
    }

    /** One epoch of steps, recording each step's loss and rate, and one draw of augmentation. */
    private static void epoch(TrainingState state) {
        for (Batch batch : state.loader()) {
            state.optimizer().zeroGrad();
            Tensor loss = Losses.crossEntropy(state.model().forward(batch.input()), batch.target());
            loss.backward();
            state.optimizer().step();
            state.history().stepLoss().add(loss.item());
            state.history().stepLr().add(state.optimizer().paramGroups().get(0).lr());
            state.scheduler().step();
        }
        state.history().trainLoss().add(state.history().stepLoss().get(state.history().stepLoss().size() - 1));
        state.history().addLayerNorms(List.of("0.weight", "3.weight"), List.of(new double[] {0.5, 0.25}, new double[] {1.5, 0.75}));
        state.augmentation().nextGaussian();
    }

    private static List<Object> everything(TrainingState state) {
        List<Object> values = new ArrayList<>();
        state.model().stateDict().forEach((name, array) -> values.add(name + "=" + java.util.Arrays.toString(array.toDoubleArray())));
        state.optimizer().stateDict().state().forEach((index, arrays) -> arrays.forEach((key, array) ->
                values.add(index + "." + key + "=" + java.util.Arrays.toString(array.toDoubleArray()))));
        values.add(state.optimizer().paramGroups().get(0).lr());
        values.add(state.scheduler().stateDict());
        values.add(state.loader().state().epoch());
        values.add(java.util.Arrays.toString(state.loader().state().shuffle()));
        values.add(java.util.Arrays.toString(state.dropout().state()));
        values.add(java.util.Arrays.toString(state.augmentation().state()));
        values.add(state.history().toMap());
        return values;
    }

    @Test
    void aRestoredStateEqualsTheSavedOneAndTrainsOnIdentically() throws IOException {
        TrainingState uninterrupted = fresh();
        epoch(uninterrupted);
        TrainingState first = fresh();
        epoch(first);
        MnistCheckpoint.write(run, 1, CONFIG, first);

        MnistCheckpoint.Saved saved = MnistCheckpoint.latest(run);
        assertEquals(1, saved.epoch());
        assertEquals(CONFIG, saved.config());
        TrainingState resumed = fresh();
        saved.restore(resumed);
        assertEquals(everything(first), everything(resumed));
        epoch(uninterrupted);
        epoch(resumed);
        assertEquals(everything(uninterrupted), everything(resumed));
    }

    @Test
    void theNewestCompleteCheckpointWinsAndLeftoversOfAnInterruptedWriteGo() throws IOException {
        TrainingState state = fresh();
        assertNull(MnistCheckpoint.latest(run));
        epoch(state);
        MnistCheckpoint.write(run, 1, CONFIG, state);
        epoch(state);
        MnistCheckpoint.write(run, 2, CONFIG, state);
        assertEquals(List.of("checkpoint-epoch-2"), names());

        // killed after the rename of epoch 2 but before epoch 1 was removed, and again while writing epoch 3 and while removing
        copy(run.resolve("checkpoint-epoch-2"), run.resolve("checkpoint-epoch-1"));
        Path partial = Files.createDirectory(run.resolve(".checkpoint-epoch-3.k3j9.partial"));
        Files.write(partial.resolve(MnistCheckpoint.MODEL), new byte[] {1, 2, 3});
        Files.createDirectory(run.resolve(".checkpoint-epoch-0.x1.removing"));
        MnistCheckpoint.Saved saved = MnistCheckpoint.latest(run);
        assertEquals(2, saved.epoch());
        assertEquals(run.resolve("checkpoint-epoch-2"), saved.directory());

        TrainingState resumed = fresh();
        saved.restore(resumed);
        epoch(resumed);
        MnistCheckpoint.write(run, 3, CONFIG, resumed);
        assertEquals(List.of("checkpoint-epoch-3"), names());
    }

    private List<String> names() throws IOException {
        try (Stream<Path> entries = Files.list(run)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectory(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
    }

    @Test
    void aGeneratorStateSurvivesTheJsonFileExactly() throws IOException {
        TrainingState state = fresh();
        state.dropout().nextGaussian();   // a second normal is now waiting: its bits travel as a long
        epoch(state);
        MnistCheckpoint.write(run, 1, CONFIG, state);
        assertArrayEquals(state.dropout().state(), MnistCheckpoint.latest(run).dropout());
    }
}
