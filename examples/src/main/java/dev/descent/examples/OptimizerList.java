package dev.descent.examples;

import dev.descent.autograd.Tensor;
import dev.descent.core.DType;
import dev.descent.optim.Optimizers;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The optimizers a comparing command runs, as the user types them: specifications of
 * {@link Optimizers} separated by {@code ;}, each optionally labelled {@code LABEL=SPEC}
 * (the label names its curve and row; the specification itself otherwise).
 */
final class OptimizerList {
    private OptimizerList() {
    }

    /** Label to specification, in order; each specification checked now, so a typo is a usage error naming {@code flag}. */
    static Map<String, String> parse(String command, String flag, String text) {
        Map<String, String> chosen = new LinkedHashMap<>();
        for (String entry : text.split(";")) {
            String trimmed = entry.trim();
            if (trimmed.isEmpty()) {
                continue;
            }
            int equals = trimmed.indexOf('=');
            int colon = trimmed.indexOf(':');
            boolean labelled = equals > 0 && (colon < 0 || equals < colon);
            String label = labelled ? trimmed.substring(0, equals).trim() : trimmed;
            String spec = labelled ? trimmed.substring(equals + 1).trim() : trimmed;
            try {
                Optimizers.create(spec, List.of(Tensor.scalar(DType.FLOAT64, 0).requiresGrad(true)));
            } catch (IllegalArgumentException e) {
                throw new UsageException(command + ": --" + flag + ": " + e.getMessage());
            }
            if (chosen.put(label, spec) != null) {
                throw new UsageException(command + ": --" + flag + ": the label '" + label + "' appears twice");
            }
        }
        if (chosen.isEmpty()) {
            throw new UsageException(command + ": --" + flag + " names no optimizer");
        }
        return chosen;
    }
}
