package dev.descent.autograd;

import dev.descent.core.NDArray;

/** The checks behind {@link GradMode#detectAnomaly()}: NaN or infinity produced by an op, forward or backward. */
final class Anomaly {
    private Anomaly() {
    }

    /**
     * The first stack frame that is neither this framework's core or autograd code nor the JDK: the
     * line of user code that called the op. Framework classes are recognized by where they were
     * loaded from, so user classes in the same packages (tests, custom ops) still count as user code.
     */
    static String userCallSite() {
        for (StackTraceElement frame : new Throwable().getStackTrace()) {
            String name = frame.getClassName();
            if (name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.")) {
                continue;
            }
            if (!isFrameworkClass(name)) {
                return frame.toString();
            }
        }
        return "unknown";
    }

    private static boolean isFrameworkClass(String name) {
        if (!name.startsWith("dev.descent.")) {
            return false;
        }
        try {
            java.security.CodeSource source = Class.forName(name, false, Anomaly.class.getClassLoader())
                    .getProtectionDomain().getCodeSource();
            return source == null || sameLocation(source, Tensor.class) || sameLocation(source, NDArray.class);
        } catch (ClassNotFoundException | LinkageError | SecurityException e) {
            return true;
        }
    }

    private static boolean sameLocation(java.security.CodeSource source, Class<?> framework) {
        java.security.CodeSource own = framework.getProtectionDomain().getCodeSource();
        return own != null && java.util.Objects.equals(own.getLocation(), source.getLocation());
    }

    static boolean allFinite(NDArray x) {
        if (!x.dtype().isFloatingPoint() || x.size() == 0) {
            return true;
        }
        // x - x is 0 for finite values and NaN for NaN or infinity
        return x.sub(x).eq(0).min().item() == 1;
    }

    /** How many backward passes are running on this thread: their ops are checked as backward, not forward. */
    private static final ThreadLocal<int[]> BACKWARD_DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    static void enterBackward() {
        BACKWARD_DEPTH.get()[0]++;
    }

    static void exitBackward() {
        BACKWARD_DEPTH.get()[0]--;
    }

    static void checkForward(Function op, NDArray[] inputs, NDArray output) {
        if (BACKWARD_DEPTH.get()[0] > 0) {
            return; // a backward formula's intermediate: the engine checks the gradient it returns
        }
        for (NDArray input : inputs) {
            if (!allFinite(input)) {
                return; // the NaN or infinity came from elsewhere
            }
        }
        if (!allFinite(output)) {
            throw new ArithmeticException(op.name() + " produced NaN or infinity in its forward output from finite inputs"
                    + " (created at " + op.creationSite() + ")");
        }
    }

    static void checkBackward(Node node, Tensor gradOutput, Tensor[] grads) {
        if (!allFinite(gradOutput.data())) {
            return;
        }
        for (int i = 0; i < grads.length; i++) {
            if (grads[i] != null && !allFinite(grads[i].data())) {
                String site = node instanceof Function f && f.creationSite() != null ? f.creationSite() : "unknown";
                throw new ArithmeticException(node.name() + " produced NaN or infinity in the gradient of input " + i
                        + " during backward (the op was created at " + site + ")");
            }
        }
    }
}
