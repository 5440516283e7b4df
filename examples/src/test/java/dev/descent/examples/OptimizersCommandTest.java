package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.optim.Optimizers;
import org.junit.jupiter.api.Test;

class OptimizersCommandTest {
    @Test
    void listsEveryNameWithItsDeclaredHyperparameters() {
        CommandRun all = CommandRun.of("optimizers");
        assertEquals(0, all.code(), all.err());
        for (String name : Optimizers.names()) {
            assertTrue(all.out().contains(name + " ("), name);
        }
        assertTrue(all.out().contains("    historySize (an integer, >= 1, default 100): curvature pairs kept"), all.out());
        CommandRun lm = CommandRun.of("optimizers", "lm");
        assertTrue(lm.out().startsWith("levenbergmarquardt (LevenbergMarquardt)\n    ftol (a number, >= 0, default 1.0E-12)"), lm.out());
        CommandRun unknown = CommandRun.of("optimizers", "adamm");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("descent: optimizers: optimizer: unknown name 'adamm'"), unknown.err());
    }
}
