package dev.descent.examples;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON and CSV files the commands write: config.json, metrics.jsonl and metrics.csv of a run,
 * and the commands' summaries. NaN and infinities, which JSON cannot hold, are written as null.
 */
final class RunFiles {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new SimpleModule()
            .addSerializer(Double.class, new FiniteDouble())
            .addSerializer(double[].class, new FiniteDoubleArray()));
    private static final ObjectMapper INDENTED = JSON.copy().enable(SerializationFeature.INDENT_OUTPUT);

    private RunFiles() {
    }

    /** A number, or null where it is NaN or infinite. */
    private static final class FiniteDouble extends StdSerializer<Double> {
        FiniteDouble() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator out, SerializerProvider provider) throws IOException {
            write(value, out);
        }

        static void write(double value, JsonGenerator out) throws IOException {
            if (Double.isFinite(value)) {
                out.writeNumber(value);
            } else {
                out.writeNull();
            }
        }
    }

    /** An array of numbers, each null where it is NaN or infinite. */
    private static final class FiniteDoubleArray extends StdSerializer<double[]> {
        FiniteDoubleArray() {
            super(double[].class);
        }

        @Override
        public void serialize(double[] values, JsonGenerator out, SerializerProvider provider) throws IOException {
            out.writeStartArray();
            for (double value : values) {
                FiniteDouble.write(value, out);
            }
            out.writeEndArray();
        }
    }

    /** {@code value} as indented JSON, written atomically. */
    static void writeJson(Path file, Object value) throws IOException {
        AtomicFiles.write(file, INDENTED.writeValueAsString(value));
    }

    static void writeConfig(Path file, Map<String, String> flags) throws IOException {
        writeJson(file, flags);
    }

    /** Rewrites both metric files with every epoch so far (one JSON object per line; CSV with a header). */
    /**
     * metrics.jsonl: every step's line ({@code step}, {@code epoch}, {@code loss}, {@code lr},
     * {@code gradNorm} and, when recorded, {@code layerGradNorm} by layer), then each epoch's line
     * ({@code epoch}, the training and test loss and accuracy, seconds, and each layer's mean
     * gradient norm over the epoch); and metrics.csv, the epoch lines as a table.
     */
    static void writeMetrics(Path directory, RunHistory history) throws IOException {
        StringBuilder lines = new StringBuilder();
        StringBuilder csv = new StringBuilder("epoch,trainLoss,trainAccuracy,testLoss,testAccuracy,epochSeconds\n");
        boolean steps = history.epochSteps().size() == history.epochs();
        for (int e = 0; e < history.epochs(); e++) {
            int first = steps ? history.firstStepOf(e) : 0;
            int count = steps ? history.epochSteps().get(e).intValue() : 0;
            Map<String, Double> layerMeans = new LinkedHashMap<>();
            for (int k = first; k < first + count && k < history.stepLoss().size(); k++) {
                Map<String, Object> step = new LinkedHashMap<>();
                step.put("step", k + 1);
                step.put("epoch", e + 1);
                step.put("loss", history.stepLoss().get(k));
                step.put("lr", history.stepLr().get(k));
                step.put("gradNorm", history.stepGradNorm().get(k));
                Map<String, Double> layers = new LinkedHashMap<>();
                int index = k;
                history.layerGradNorm().forEach((layer, values) -> {
                    if (index < values.size()) {
                        layers.put(layer, values.get(index));
                        layerMeans.merge(layer, values.get(index) / count, Double::sum);
                    }
                });
                if (!layers.isEmpty()) {
                    step.put("layerGradNorm", layers);
                }
                lines.append(JSON.writeValueAsString(step)).append('\n');
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("epoch", e + 1);
            row.put("trainLoss", history.trainLoss().get(e));
            row.put("trainAccuracy", history.trainAccuracy().get(e));
            row.put("testLoss", history.testLoss().get(e));
            row.put("testAccuracy", history.testAccuracy().get(e));
            row.put("epochSeconds", history.epochSeconds().get(e));
            if (!layerMeans.isEmpty()) {
                row.put("layerGradNorm", layerMeans);
            }
            lines.append(JSON.writeValueAsString(row)).append('\n');
            csv.append(e + 1).append(',').append(history.trainLoss().get(e)).append(',').append(history.trainAccuracy().get(e)).append(',')
                    .append(history.testLoss().get(e)).append(',').append(history.testAccuracy().get(e)).append(',')
                    .append(history.epochSeconds().get(e)).append('\n');
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
