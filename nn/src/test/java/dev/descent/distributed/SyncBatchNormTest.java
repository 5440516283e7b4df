package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.NDArray;
import dev.descent.nn.BatchNorm1d;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** SyncBatchNorm outside training, and its names; DataParallelEquivalenceTest checks its training against BatchNorm1d on the global batch. */
class SyncBatchNormTest {
    @Test
    void inEvaluationItUsesTheRunningStatisticsWithoutTheGroupAndNamesBadShapes() {
        ProcessGroup alone = InProcessGroup.create(1, Duration.ofSeconds(5)).get(0);
        SyncBatchNorm norm = new SyncBatchNorm(3, 1e-5, 0.1, DType.FLOAT64, alone);
        BatchNorm1d plain = new BatchNorm1d(3, 1e-5, 0.1, true, true, DType.FLOAT64);
        NDArray x = NDArray.randn(DType.FLOAT64, new Generator(3), 6, 3);
        norm.forward(Tensor.of(x));
        plain.forward(Tensor.of(x));
        norm.eval();
        plain.eval();
        assertArrayEquals(plain.forward(Tensor.of(x)).data().toDoubleArray(), norm.forward(Tensor.of(x)).data().toDoubleArray(), 1e-12);
        assertEquals(plain.stateDict().keySet(), norm.stateDict().keySet(), "BatchNorm1d's names");
        IllegalArgumentException bad = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> norm.forward(Tensor.zeros(2, 4)));
        assertTrue(bad.getMessage().contains("expected an input of shape [N, 3], got [2, 4]"), bad.getMessage());
    }
}
