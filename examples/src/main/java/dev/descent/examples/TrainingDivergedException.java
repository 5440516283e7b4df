package dev.descent.examples;

/**
 * Training stopped because it diverged: a step's loss or gradient norm was not finite, or the
 * loss exploded past {@link StepMetrics#EXPLOSION} times its start. The message names the step and
 * suggests a lower learning rate; the command exits 1 and its report says so.
 */
final class TrainingDivergedException extends ArithmeticException {
    private final int step;

    TrainingDivergedException(int step, String message) {
        super(message);
        this.step = step;
    }

    /** The step of the run (from 1) at which training was stopped. */
    int step() {
        return step;
    }
}
