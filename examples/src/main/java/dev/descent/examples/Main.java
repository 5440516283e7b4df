package dev.descent.examples;

import dev.descent.cuda.DeviceOutOfMemoryException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code descent} command. Subcommands: {@code mnist}, {@code compare-optimizers},
 * {@code evaluate}, {@code custom-layer}, {@code fit}, {@code second-order}, {@code landscape},
 * {@code optimizers}, {@code doctor}; each has {@code --help}. Bad usage prints one line on
 * stderr and exits 2; a failure while running exits 1.
 */
public final class Main {
    private static final String USAGE = """
            usage: descent COMMAND [flags]     (descent COMMAND --help lists the flags)

            commands:
              mnist                train MLP-BN on MNIST (or Fashion-MNIST) with progress, metrics and report.html
              spark-mnist          train MLP-BN data-parallel on Apache Spark (one barrier task per replica)
              compare-optimizers   train the same model with SGD, momentum, Nesterov, AdaGrad, RMSProp, Adadelta and Adam
              evaluate             test accuracy and confusion matrix of saved weights
              custom-layer         define a layer of your own (a hand-written Function) and train with it
              fit                  nonlinear least squares: fit a formula's parameters to a CSV file
              second-order         GD, momentum, Adam, L-BFGS, Newton, Gauss-Newton and LM on one full-batch problem
              landscape            optimizers' trajectories over the contour plot of a 2-D test function
              optimizers           every optimizer name with its hyperparameters, defaults and rules
              study                the optimization curriculum's experiments (descent study lists them)
              doctor               Java, cores, SIMD kernels, CUDA devices, and matrix-product GFLOP/s on each device
              bench                JMH benchmarks: GEMM GFLOP/s, fused optimizer steps, the MLP-BN epoch
                                   (./descent bench [gemm] [optimizer] [epoch]; run through the launcher)
            """;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err, System.console() != null));
    }

    /** Runs the command and returns its exit code. */
    static int run(String[] args, PrintStream out, PrintStream err, boolean terminal) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? 2 : 0;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            return switch (args[0]) {
                case "mnist" -> MnistCommand.run(rest, out, err, terminal);
                case SparkMnistCommand.NAME -> SparkMnistCommand.run(rest, out, err);
                case "compare-optimizers" -> CompareOptimizersCommand.run(rest, out, err, terminal);
                case "evaluate" -> EvaluateCommand.run(rest, out);
                case "custom-layer" -> CustomLayerCommand.run(rest, out, err, terminal);
                case "fit" -> FitCommand.run(rest, out);
                case "second-order" -> SecondOrderCommand.run(rest, out, err);
                case "landscape" -> LandscapeCommand.run(rest, out);
                case "optimizers" -> OptimizersCommand.run(rest, out);
                case "doctor" -> DoctorCommand.run(rest, out);
                case "study" -> StudyCommand.run(rest, out, err);
                case "bench" -> throw new UsageException("bench runs from the launcher, with the benchmarks jar: ./descent bench"
                        + " [gemm] [optimizer] [epoch]");
                default -> throw new UsageException("unknown command '" + args[0] + "' (commands: mnist, compare-optimizers, evaluate,"
                        + " custom-layer, fit, second-order, landscape, optimizers, study, doctor; see descent --help)");
            };
        } catch (UsageException e) {
            err.println("descent: " + e.getMessage());
            return 2;
        } catch (DeviceOutOfMemoryException e) {
            // a setting too large for the device (usually --batch): the user's to change, like bad usage
            err.println("descent: " + args[0] + ": " + e.getMessage() + "; try a smaller --batch");
            return 2;
        } catch (Exception e) {
            err.println("descent: error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            if (System.getenv("DESCENT_DEBUG") != null) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }
}
