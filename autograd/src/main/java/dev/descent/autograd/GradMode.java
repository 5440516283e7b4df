package dev.descent.autograd;

/**
 * Thread-local switches for recording: gradient recording on or off, and anomaly detection.
 *
 * <pre>{@code
 * try (GradMode.Scope scope = GradMode.noGrad()) {
 *     weight.data().subi(weight.grad().data().mul(lr));   // nothing is recorded here
 * }
 * try (GradMode.Scope scope = GradMode.detectAnomaly()) {
 *     loss.backward();   // a NaN or Inf names the op that made it and where it was created
 * }
 * }</pre>
 * Scopes nest and restore the previous setting when closed.
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> STATE = ThreadLocal.withInitial(() -> new boolean[] {true, false, false});
    private static final int ENABLED = 0;
    private static final int ANOMALY = 1;
    private static final int DIFFERENTIABLE_BACKWARD = 2;

    private GradMode() {
    }

    /** A setting in force until {@link #close()} restores the previous one. */
    public static final class Scope implements AutoCloseable {
        private final int flag;
        private final boolean previous;
        private boolean closed;

        private Scope(int flag, boolean value) {
            this.flag = flag;
            boolean[] state = STATE.get();
            this.previous = state[flag];
            state[flag] = value;
        }

        @Override
        public void close() {
            if (!closed) {
                STATE.get()[flag] = previous;
                closed = true;
            }
        }
    }

    /** Turns recording off: operations build no graph and keep no intermediate values. */
    public static Scope noGrad() {
        return new Scope(ENABLED, false);
    }

    /** Turns recording on, e.g. inside a {@link #noGrad()} scope. */
    public static Scope enableGrad() {
        return new Scope(ENABLED, true);
    }

    /**
     * Checks every forward and backward result for NaN or infinity and throws an
     * {@link ArithmeticException} naming the operation and the user code that created it.
     * Slow: for debugging.
     */
    public static Scope detectAnomaly() {
        return new Scope(ANOMALY, true);
    }

    /**
     * Makes every plain {@code backward()} on this thread record its own graph, as
     * {@code backward(gradOutput, true, true)} does, so the gradients it leaves can be
     * differentiated again. Second-order optimizers run a user's ordinary closure (zero the
     * gradients, compute the loss, {@code backward()}) in this scope and take Hessian-vector
     * products from the gradients it leaves.
     */
    public static Scope differentiableBackward() {
        return new Scope(DIFFERENTIABLE_BACKWARD, true);
    }

    /** Whether plain backward passes record a graph on this thread ({@link #differentiableBackward()}). */
    public static boolean isBackwardDifferentiable() {
        return STATE.get()[DIFFERENTIABLE_BACKWARD];
    }

    /** Whether operations are being recorded on this thread. */
    public static boolean isEnabled() {
        return STATE.get()[ENABLED];
    }

    /** Whether anomaly detection is on for this thread. */
    public static boolean isAnomalyDetectionEnabled() {
        return STATE.get()[ANOMALY];
    }
}
