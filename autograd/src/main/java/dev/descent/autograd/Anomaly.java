package dev.descent.autograd;

import dev.descent.core.NDArray;

/** The checks behind {@link GradMode#detectAnomaly()}: NaN or infinity produced by an op, forward or backward. */
final class Anomaly {
    private Anomaly() {
    }

    /** The first stack frame outside Descent and the JDK: the line of user code that called the op. */
    static String userCallSite() {
        for (StackTraceElement frame : new Throwable().getStackTrace()) {
            String cls = frame.getClassName();
            if (!cls.startsWith("dev.descent.autograd.") && !cls.startsWith("dev.descent.core.")
                    && !cls.startsWith("java.") && !cls.startsWith("jdk.") && !cls.startsWith("sun.")) {
                return frame.toString();
            }
        }
        return "unknown";
    }

    static boolean allFinite(NDArray x) {
        if (!x.dtype().isFloatingPoint() || x.size() == 0) {
            return true;
        }
        // x - x is 0 for finite values and NaN for NaN or infinity
        return x.sub(x).eq(0).min().item() == 1;
    }

    static void checkForward(Function op, NDArray[] inputs, NDArray output) {
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
