package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed PTX matches the CUDA sources (tools/build-ptx.sh regenerates it). */
class PtxResourcesTest {
    private static final Path SOURCES = Path.of("src/main/cuda");

    private static List<Path> kernelSources() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            return files.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
    }

    private static String resource(String module) throws IOException {
        try (InputStream in = CudaDevice.class.getResourceAsStream("ptx/" + module + ".ptx")) {
            assertNotNull(in, "no committed PTX for " + module + ".cu: run tools/build-ptx.sh");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static String sourceHash(Path source) throws IOException, NoSuchAlgorithmException {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        sha.update(Files.readAllBytes(SOURCES.resolve("common.cuh")));
        sha.update(Files.readAllBytes(source));
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String module(Path source) {
        return source.getFileName().toString().replace(".cu", "");
    }

    @Test
    void everyKernelSourceHasACommittedPtxBuiltFromItsCurrentText() throws Exception {
        List<Path> sources = kernelSources();
        assertEquals(6, sources.size(), "kernel sources: " + sources);
        for (Path source : sources) {
            String ptx = resource(module(source));
            String firstLine = ptx.lines().findFirst().orElse("");
            assertEquals("// descent-sources-sha256: " + sourceHash(source), firstLine,
                    module(source) + ".ptx is out of date with its source: run tools/build-ptx.sh");
            PtxRequirement requirement = PtxRequirement.of(ptx);
            assertEquals("sm_75", requirement.target());
        }
    }

    @Test
    void everyKernelTheBackendLaunchesIsInTheModules() throws Exception {
        StringBuilder all = new StringBuilder();
        for (Path source : kernelSources()) {
            all.append(resource(module(source)));
        }
        String ptx = all.toString();
        for (String type : new String[] {"f32", "f64", "i32"}) {
            for (String kernel : new String[] {"fill_", "unary_", "binary_", "compare_", "where_", "reduce_", "arg_reduce_", "gather_",
                    "scatter_add_", "index_select_", "copy_f32_", "copy_f64_", "copy_i32_"}) {
                assertTrue(ptx.contains(".entry " + kernel + type + "("), kernel + type);
            }
        }
        for (String type : new String[] {"f32", "f64"}) {
            for (String kernel : new String[] {"gemm_", "bernoulli_", "philox_", "sum_of_squares_", "sgd_update_", "adam_update_",
                    "batch_norm_statistics_", "batch_norm_normalize_", "batch_norm_backward_sums_", "batch_norm_input_gradient_"}) {
                assertTrue(ptx.contains(".entry " + kernel + type + "("), kernel + type);
            }
        }
    }

    /** Where nvcc exists, the sources still compile; with the nvcc that built the PTX, to the same text. */
    @Test
    void whereNvccExistsTheSourcesCompileToTheCommittedPtx() throws Exception {
        Path nvcc = Path.of(System.getenv().getOrDefault("NVCC", "/usr/local/cuda/bin/nvcc"));
        assumeTrue(Files.isExecutable(nvcc), "no nvcc at " + nvcc);
        for (Path source : kernelSources()) {
            Path out = Files.createTempFile(module(source), ".ptx");
            try {
                Process process = new ProcessBuilder(nvcc.toString(), "-ptx", "-arch=compute_75", "-O3", "-std=c++17", "-I", SOURCES.toString(),
                        source.toString(), "-o", out.toString()).redirectErrorStream(true).start();
                String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(process.waitFor(120, TimeUnit.SECONDS), "nvcc timed out on " + source);
                assertEquals(0, process.exitValue(), "nvcc failed on " + source + ":\n" + log);
                String compiled = Files.readString(out, StandardCharsets.US_ASCII);
                String committed = resource(module(source));
                String committedBody = committed.substring(committed.indexOf('\n') + 1);
                if (compilerLine(compiled).equals(compilerLine(committedBody))) {
                    assertEquals(committedBody, compiled, module(source) + ".ptx differs from what this nvcc makes of its source");
                }
            } finally {
                Files.deleteIfExists(out);
            }
        }
    }

    private static String compilerLine(String ptx) {
        return ptx.lines().filter(l -> l.startsWith("// Cuda compilation tools")).findFirst().orElse("");
    }
}
