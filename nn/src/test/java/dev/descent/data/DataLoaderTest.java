package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** Samples whose input is [i, 2i] and whose target is i. */
    private static TensorDataset numbered(int n) {
        double[] inputs = new double[2 * n];
        int[] targets = new int[n];
        for (int i = 0; i < n; i++) {
            inputs[2 * i] = i;
            inputs[2 * i + 1] = 2 * i;
            targets[i] = i;
        }
        return new TensorDataset(NDArray.of(inputs, n, 2), NDArray.of(targets));
    }

    private static List<Integer> order(DataLoader loader) {
        List<Integer> seen = new ArrayList<>();
        for (Batch batch : loader) {
            for (int t : batch.target().data().toIntArray()) {
                seen.add(t);
            }
            double[] inputs = batch.input().data().toDoubleArray();
            int[] targets = batch.target().data().toIntArray();
            for (int i = 0; i < targets.length; i++) {
                assertEquals(targets[i], inputs[2 * i], 0, "inputs and targets stay paired");
                assertEquals(2 * targets[i], inputs[2 * i + 1], 0);
            }
        }
        return seen;
    }

    @Test
    void batchesCoverTheDatasetInOrderWithoutShuffling() {
        DataLoader loader = new DataLoader(numbered(10), 4);
        assertEquals(3, loader.batchesPerEpoch());
        List<Integer> sizes = new ArrayList<>();
        for (Batch b : loader) {
            sizes.add(b.size());
        }
        assertEquals(List.of(4, 4, 2), sizes);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), order(loader));
        DataLoader dropping = new DataLoader(numbered(10), 4).dropLast(true);
        assertEquals(2, dropping.batchesPerEpoch());
        assertEquals(8, order(dropping).size());
    }

    @Test
    void shufflingDrawsANewPermutationEachEpochAndTheSameSeedRepeatsIt() {
        DataLoader first = new DataLoader(numbered(50), 7).shuffle(new Generator(3));
        DataLoader second = new DataLoader(numbered(50), 7).shuffle(new Generator(3)).prefetch(false);
        List<Integer> epochOne = order(first);
        List<Integer> epochTwo = order(first);
        assertNotEquals(epochOne, epochTwo);
        assertEquals(epochOne, order(second));
        assertEquals(epochTwo, order(second));
        List<Integer> sorted = new ArrayList<>(epochOne);
        sorted.sort(null);
        assertEquals(numberedList(50), sorted, "every sample exactly once");
    }

    @Test
    void aRestoredStateResumesTheDataOrderAndTheBatchSizeSchedule() {
        DataLoader uninterrupted = new DataLoader(numbered(30), 4).shuffle(new Generator(8)).batchSizeSchedule(epoch -> 2 + epoch);
        List<List<Integer>> epochs = new ArrayList<>();
        for (int epoch = 0; epoch < 4; epoch++) {
            epochs.add(order(uninterrupted));
        }
        DataLoader first = new DataLoader(numbered(30), 4).shuffle(new Generator(8)).batchSizeSchedule(epoch -> 2 + epoch);
        order(first);
        order(first);
        DataLoader.State state = first.state();
        assertEquals(2, state.epoch());
        DataLoader resumed = new DataLoader(numbered(30), 4).shuffle(new Generator(12345)).batchSizeSchedule(epoch -> 2 + epoch);
        resumed.setState(state);
        assertEquals(4, resumed.currentBatchSize(), "the schedule continues at epoch 2");
        assertEquals(epochs.get(2), order(resumed));
        assertEquals(epochs.get(3), order(resumed));
        IllegalArgumentException unshuffled = assertThrows(IllegalArgumentException.class,
                () -> new DataLoader(numbered(30), 4).setState(state));
        assertTrue(unshuffled.getMessage().contains("shuffles, but this one does not"), unshuffled.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DataLoader.State(-1, null));
    }

    private static List<Integer> numberedList(int n) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        return all;
    }

    @Test
    void aBatchSizeScheduleChangesTheBatchSizeBetweenEpochs() {
        DataLoader loader = new DataLoader(numbered(12), 2).batchSizeSchedule(epoch -> 2 << epoch);
        List<Integer> sizes = new ArrayList<>();
        for (int epoch = 0; epoch < 3; epoch++) {
            sizes.add(loader.iterator().next().size());
        }
        assertEquals(List.of(2, 4, 8), sizes);
    }

    @Test
    void samplesStackIntoBatchesAndDatasetsCompose() {
        Dataset squares = new Dataset() {
            @Override
            public int size() {
                return 5;
            }

            @Override
            public NDArray[] get(int index) {
                return new NDArray[] {NDArray.full(DType.FLOAT32, index * index, 2, 2), NDArray.scalar(DType.INT32, index)};
            }
        };
        Batch batch = new DataLoader(squares.map(x -> x.add(1)), 3).iterator().next();
        assertArrayEquals(new int[] {3, 2, 2}, batch.input().shape());
        assertArrayEquals(new double[] {1, 1, 1, 1, 2, 2, 2, 2, 5, 5, 5, 5}, batch.input().data().toDoubleArray(), 0);
        assertArrayEquals(new int[] {0, 1, 2}, batch.target().data().toIntArray());

        ConcatDataset both = new ConcatDataset(numbered(3), numbered(2));
        assertEquals(5, both.size());
        assertEquals(1, both.get(4)[1].item(), 0);
        List<Subset> parts = Datasets.randomSplit(numbered(10), new int[] {7, 3}, new Generator(1));
        assertEquals(7, parts.get(0).size());
        int[] all = java.util.stream.IntStream.concat(Arrays.stream(parts.get(0).indices()), Arrays.stream(parts.get(1).indices()))
                .sorted().toArray();
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, all, "the parts are disjoint and cover the dataset");
        assertEquals(parts.get(1).indices()[0], (int) parts.get(1).get(0)[1].item());
        assertThrows(IllegalArgumentException.class, () -> Datasets.randomSplit(numbered(10), new int[] {5, 6}, new Generator(1)));
        assertThrows(IndexOutOfBoundsException.class, () -> numbered(3).get(3));
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(numbered(3), 0));
        assertThrows(IllegalArgumentException.class, () -> new TensorDataset(NDArray.zeros(3, 2), NDArray.zeros(4)));
    }
}
