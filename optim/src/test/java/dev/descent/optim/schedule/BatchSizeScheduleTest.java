package dev.descent.optim.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BatchSizeScheduleTest {
    @Test
    void batchSizeSchedulesGrowAtMilestonesAndTheLinearScalingRuleScalesTheRate() {
        BatchSizeSchedule schedule = BatchSizeSchedule.growing(128, 5, new int[] {60, 30, 80}, 8192);
        assertEquals(128, schedule.batchSize(0));
        assertEquals(128, schedule.batchSize(29));
        assertEquals(640, schedule.batchSize(30));
        assertEquals(3200, schedule.batchSize(60));
        assertEquals(8192, schedule.batchSize(80));
        assertEquals(256, BatchSizeSchedule.constant(256).batchSize(99));
        assertEquals(0.4, BatchSizeSchedule.linearScaling(0.1, 256, 1024), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> BatchSizeSchedule.growing(0, 2, new int[0], 10));
        assertThrows(IllegalArgumentException.class, () -> BatchSizeSchedule.linearScaling(0.1, 0, 10));
    }
}
