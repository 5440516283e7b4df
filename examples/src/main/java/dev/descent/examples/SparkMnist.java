package dev.descent.examples;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The entry point {@code spark-submit} runs: {@code descent spark-mnist} with the given flags.
 * <pre>
 * spark-submit --master spark://HOST:7077 --class dev.descent.examples.SparkMnist \
 *     examples/target/descent.jar --workers 4 --epochs 5 --out /shared/runs/mnist
 * </pre>
 * Without {@code --master} among the flags the command takes spark-submit's.
 */
public final class SparkMnist {
    private SparkMnist() {
    }

    /** Runs {@code descent spark-mnist ARGS} and exits with its code (2: bad usage, 1: a failed run). */
    public static void main(String[] args) {
        List<String> command = new ArrayList<>(List.of(SparkMnistCommand.NAME));
        command.addAll(Arrays.asList(args));
        System.exit(Main.run(command.toArray(new String[0]), System.out, System.err, System.console() != null));
    }
}
