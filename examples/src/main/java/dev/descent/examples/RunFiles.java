package dev.descent.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The files of a run beside the weights: config.json, metrics.jsonl and metrics.csv. */
final class RunFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunFiles() {
    }

    static void writeConfig(Path file, Map<String, String> flags) throws IOException {
        AtomicFiles.write(file, JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(flags));
    }

    /** Rewrites both metric files with every epoch so far (one JSON object per line; CSV with a header). */
    static void writeMetrics(Path directory, List<Double> trainLoss, List<Double> trainAccuracy, List<Double> testLoss,
                             List<Double> testAccuracy, List<Double> seconds) throws IOException {
        StringBuilder lines = new StringBuilder();
        StringBuilder csv = new StringBuilder("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy,epochSeconds\n");
        for (int e = 0; e < trainLoss.size(); e++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", e + 1);
            row.put("trainLoss", trainLoss.get(e));
            row.put("trainAccuracy", trainAccuracy.get(e));
            row.put("testLoss", testLoss.get(e));
            row.put("testAccuracy", testAccuracy.get(e));
            row.put("epochSeconds", seconds.get(e));
            lines.append(JSON.writeValueAsString(row)).append('\n');
            csv.append(e + 1).append(',').append(trainLoss.get(e)).append(',').append(trainAccuracy.get(e)).append(',')
                    .append(testLoss.get(e)).append(',').append(testAccuracy.get(e)).append(',').append(seconds.get(e)).append('\n');
        }
        AtomicFiles.write(directory.resolve("metrics.jsonl"), lines.toString());
        AtomicFiles.write(directory.resolve("metrics.csv"), csv.toString());
    }

    /** The process's peak resident memory (VmHWM) in MiB, or NaN where /proc is missing. */
    static double peakRssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }
}
