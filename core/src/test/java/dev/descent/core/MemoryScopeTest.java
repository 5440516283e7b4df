package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The bookkeeping of {@link MemoryScope}, with stand-ins for device storages (no GPU needed). */
class MemoryScopeTest {
    /** Counts its releases. */
    private static final class Block implements Storage {
        int releases;

        Block() {
            MemoryScope.track(this);   // as a device storage does when it is created
        }

        @Override
        public Device device() {
            return Device.cuda(0);
        }

        @Override
        public DType dtype() {
            return DType.FLOAT32;
        }

        @Override
        public int size() {
            return 1;
        }

        @Override
        public void release() {
            releases++;
        }
    }

    @Test
    void closingReleasesWhatTheScopeAllocatedExceptWhatWasKept() {
        Block before = new Block();
        Block temporary;
        Block kept;
        try (MemoryScope scope = MemoryScope.open()) {
            temporary = new Block();
            kept = new Block();
            scope.keep(kept);
            assertEquals(2, scope.size());
        }
        assertEquals(1, temporary.releases);
        assertEquals(0, kept.releases);
        assertEquals(0, before.releases);
    }

    @Test
    void keptBlocksPassToTheEnclosingScope() {
        Block inner;
        Block keptTwice;
        try (MemoryScope outer = MemoryScope.open()) {
            try (MemoryScope step = MemoryScope.open()) {
                inner = new Block();
                keptTwice = new Block();
                step.keep(inner);
                step.keep(keptTwice);
            }
            assertEquals(0, inner.releases);
            assertEquals(2, outer.size());
            outer.keep(keptTwice);
        }
        assertEquals(1, inner.releases);
        assertEquals(0, keptTwice.releases);
    }

    @Test
    void aTrainingLoopOfScopesReleasesEveryStepsTemporariesOnce() {
        java.util.List<Block> all = new java.util.ArrayList<>();
        for (int step = 0; step < 50; step++) {
            try (MemoryScope scope = MemoryScope.open()) {
                for (int i = 0; i < 7; i++) {
                    all.add(new Block());
                }
            }
        }
        assertTrue(all.stream().allMatch(block -> block.releases == 1));
        Block after = new Block();   // no scope open: left to the garbage collector's safety net
        assertEquals(0, after.releases);
    }

    @Test
    void scopesCloseInnerFirstOnTheirOwnThreadAndOnlyOnce() throws Exception {
        MemoryScope outer = MemoryScope.open();
        MemoryScope inner = MemoryScope.open();
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("inner scopes first"), e.getMessage());
        Thread other = new Thread(() -> assertThrows(IllegalStateException.class, inner::close));
        other.start();
        other.join();
        inner.close();
        inner.close();
        outer.close();
    }

    @Test
    void anotherThreadsAllocationsAreNotTheScopes() throws Exception {
        Block[] fromOther = new Block[1];
        try (MemoryScope scope = MemoryScope.open()) {
            Thread other = new Thread(() -> fromOther[0] = new Block());
            other.start();
            other.join();
            assertEquals(0, scope.size());
        }
        assertFalse(fromOther[0].releases > 0);
    }

    @Test
    void collectedWorkBelongsToTheScopeThatAdoptsItNotToTheOneAroundItsMaking() {
        Block ahead;
        MemoryScope.Collected<Block> next;
        try (MemoryScope stepOne = MemoryScope.open()) {
            next = MemoryScope.collect(Block::new);   // made during step one, for step two
            assertEquals(0, stepOne.size());
            assertEquals(1, next.storageCount());
        }
        try (MemoryScope stepTwo = MemoryScope.open()) {
            ahead = next.adoptIntoCurrentScope();
            assertEquals(0, ahead.releases);
            assertEquals(1, stepTwo.size());
        }
        assertEquals(1, ahead.releases);
    }

    @Test
    void collectedWorkThatFailsReleasesWhatItMade() {
        Block[] made = new Block[1];
        assertThrows(IllegalStateException.class, () -> MemoryScope.collect(() -> {
            made[0] = new Block();
            throw new IllegalStateException("corrupt batch");
        }));
        assertEquals(1, made[0].releases);
        assertEquals(null, MemoryScope.current());
    }
}
