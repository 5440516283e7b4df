package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.cuda.CudaMemory;
import dev.descent.cuda.DeviceActivity;
import dev.descent.cuda.EmulatedGpu;
import dev.descent.cuda.MemoryStatistics;
import dev.descent.data.DataLoader;
import dev.descent.data.TensorDataset;
import dev.descent.nn.Sequential;
import dev.descent.optim.firstorder.Adam;
import dev.descent.optim.schedule.CosineAnnealingLR;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The examples' training loop on the emulated cuda:0 (the CUDA memory rules, CPU kernels):
 * nothing is read back inside a step, memory does not grow from epoch to epoch, and the numbers
 * equal the CPU's bit for bit.
 */
@ExtendWith(EmulatedGpu.class)
class TrainerOnDeviceTest {
    private static final Device GPU = Device.cuda(0);

    /** Random "images" of MLP-BN's input size with learnable labels (the class of the largest of the first ten pixels). */
    private static TensorDataset data(int samples) {
        NDArray images = NDArray.randn(new Generator(9), samples, 784);
        NDArray labels = images.narrow(1, 0, 10).argmax(1);
        return new TensorDataset(images, labels);
    }

    /** MLP-BN with Adam whose learning rate decays every step, so that a replayed step must read a new one each time. */
    private static Trainer trainer(Device device) {
        Sequential model = MlpBn.create(4);
        model.to(device);
        Adam adam = new Adam(model.parameters(), Adam.options().lr(1e-3));
        return new Trainer(model, adam, new CosineAnnealingLR(adam, 60, 1e-5), device);
    }

    private static DataLoader loader(TensorDataset data, Device device) {
        return new DataLoader(device.equals(Device.CPU) ? data : data.to(device), 16).shuffle(new Generator(2))
                .prefetch(device.equals(Device.CPU));
    }

    /** Device-to-host copies of one epoch of {@code samples} samples (batch 16), with the progress listener never due. */
    private static long copiesBackInAnEpoch(int samples) {
        Trainer trainer = trainer(GPU);
        trainer.readInterval(Duration.ofDays(1));
        int[] reads = {0};
        DataLoader loader = loader(data(samples), GPU);
        DeviceActivity before = DeviceActivity.of(GPU);
        trainer.trainEpoch(loader, (step, steps, loss, seen) -> reads[0]++);
        DeviceActivity epoch = DeviceActivity.of(GPU).minus(before);
        assertEquals(1, reads[0], "the listener is called at the epoch's end only");
        assertTrue(epoch.kernelLaunches() > 10L * samples / 16, epoch.toString());
        return epoch.deviceToHostCopies();
    }

    @Test
    void stepsBetweenProgressReadsCopyNothingBackFromTheDevice() {
        long fourSteps = copiesBackInAnEpoch(64);
        long sixteenSteps = copiesBackInAnEpoch(256);
        // the epoch's end reads the same few arrays however many steps ran: zero copies per step
        assertEquals(fourSteps, sixteenSteps, "copies back in an epoch of 4 and of 16 steps");
        assertTrue(fourSteps <= 5, "copies back at the epoch's end: " + fourSteps);
    }

    @Test
    void epochsOnTheDeviceEqualTheCpusBitForBitAndLeaveMemoryFlat() {
        TensorDataset data = data(96);
        Trainer onCpu = trainer(Device.CPU);
        Trainer onGpu = trainer(GPU);
        DataLoader cpuLoader = loader(data, Device.CPU);
        DataLoader gpuLoader = loader(data, GPU);
        MemoryStatistics afterFirst = null;
        for (int epoch = 0; epoch < 3; epoch++) {
            Trainer.EpochResult cpu = onCpu.trainEpoch(cpuLoader, null);
            Trainer.EpochResult gpu = onGpu.trainEpoch(gpuLoader, null);
            assertEquals(cpu.meanLoss(), gpu.meanLoss(), 0, "epoch " + epoch);
            assertEquals(cpu.accuracy(), gpu.accuracy(), 0, "epoch " + epoch);
            MemoryStatistics now = CudaMemory.statistics(GPU);
            if (epoch == 0) {
                afterFirst = now;
            } else {
                assertTrue(now.blocksInUse() <= afterFirst.blocksInUse(), "epoch " + epoch + ": " + afterFirst + " -> " + now);
            }
        }
        assertEquals(onCpu.stepLoss, onGpu.stepLoss);
        assertEquals(onCpu.stepGradNorm, onGpu.stepGradNorm);
        Trainer.Evaluation cpu = onCpu.evaluate(new DataLoader(data, 40), 10);
        Trainer.Evaluation gpu = onGpu.evaluate(new DataLoader(data.to(GPU), 40).prefetch(false), 10);
        assertEquals(cpu.meanLoss(), gpu.meanLoss(), 0);
        assertTrue(java.util.Arrays.deepEquals(cpu.confusion(), gpu.confusion()));
    }

    @Test
    void aCapturedStepReplaysTheEagerStepsBitsAndFallsBackForOtherShapesAndAChangedModel() {
        TensorDataset data = data(100);   // batches of 16: six, then a smaller seventh
        Trainer onCpu = trainer(Device.CPU);
        Trainer replayed = trainer(GPU);
        Trainer eager = trainer(GPU).eager();
        // epoch 1 at batch 24: another shape than the one captured in epoch 0, so every step runs eagerly
        java.util.function.IntUnaryOperator batchSizes = epoch -> epoch == 1 ? 24 : 16;
        DataLoader cpuLoader = loader(data, Device.CPU).batchSizeSchedule(batchSizes);
        DataLoader replayedLoader = loader(data, GPU).batchSizeSchedule(batchSizes);
        DataLoader eagerLoader = loader(data, GPU).batchSizeSchedule(batchSizes);
        for (int epoch = 0; epoch < 3; epoch++) {
            onCpu.trainEpoch(cpuLoader, null);
            replayed.trainEpoch(replayedLoader, null);
            eager.trainEpoch(eagerLoader, null);
        }
        assertEquals(onCpu.stepLoss, replayed.stepLoss);
        assertEquals(onCpu.stepGradNorm, replayed.stepGradNorm);
        assertEquals(eager.stepLoss, replayed.stepLoss);
        // 7 + 5 + 7 steps: the first, the two smaller last ones and all five of epoch 1 ran eagerly, the other 11 replayed the graph
        assertTrue(replayed.graphStatus().contains("11 steps replayed it, 8 ran eagerly"), replayed.graphStatus());
        assertEquals(null, eager.graphStatus());

        // the model moved away and back: its arrays are new, so the old graph must not run on them
        Trainer moved = trainer(GPU);
        DataLoader movedLoader = loader(data, GPU);
        moved.trainEpoch(movedLoader, null);
        String before = moved.graphStatus();
        moved.model().to(Device.CPU).to(GPU);
        moved.trainEpoch(movedLoader, null);
        assertTrue(before.contains("5 steps replayed it, 2 ran eagerly"), before);
        // after the move: one eager step, a new capture, and replays again
        assertTrue(moved.graphStatus().contains("10 steps replayed it, 4 ran eagerly"), moved.graphStatus());
        replayed.close();
        moved.close();
    }
}
