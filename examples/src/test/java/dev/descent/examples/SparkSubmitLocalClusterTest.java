package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.descent.data.Mnist;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's {@code spark-submit} line, run as the {@code spark-submit} script runs it
 * ({@code org.apache.spark.deploy.SparkSubmit}'s main in a JVM of its own), against
 * {@code local-cluster[2,1,1024]}: a standalone master and two workers inside that JVM, each worker
 * starting its executor as a separate JVM from {@code SPARK_HOME}, so the replicas meet over TCP
 * across processes and the application's classes reach them only through the submitted jar.
 * <p>
 * No Spark distribution is needed: the test assembles a {@code SPARK_HOME} whose {@code jars/}
 * links the third-party jars of this module's test class path (Spark and its dependencies as
 * Maven resolved them, and the few libraries of Descent's own that descent.jar shades, which an
 * executor would load from Spark's jars first anyway), and a jar of the project's own classes to
 * submit, which is all that reaches the executors of Descent. A worker builds the
 * executor's command from {@code SPARK_HOME/jars} and {@code SPARK_HOME/conf}
 * ({@code org.apache.spark.launcher.WorkerCommandBuilder}); it needs {@code SPARK_SCALA_VERSION},
 * which a distribution's {@code bin/load-spark-env.sh} exports, else it looks for a source build's
 * {@code launcher/target/scala-2.13} and fails with "Cannot find any build directories".
 */
class SparkSubmitLocalClusterTest {
    private static final Pattern REPLICA = Pattern.compile(
            "spark-mnist: replica ([0-9]+) of 2 \\(stage attempt 0\\) in executor (\\S+), process ([0-9]+) on (\\S+)");
    private static final Pattern FINAL = Pattern.compile("final test accuracy ([0-9.]+)%");
    private static final Pattern TEST_ACCURACY = Pattern.compile("\"testAccuracy\":([0-9.Ee-]+)");
    /** What the run may take at most before the test kills it (it takes about a minute on two cores). */
    private static final long TIMEOUT_SECONDS = 240;

    @Test
    void sparkSubmitTrainsOnTwoExecutorJvmsOfALocalCluster(@TempDir Path temp) throws IOException, InterruptedException {
        // fetched once here (a no-op when cached): the executors then read the same cache rather than fetching it twice at once
        Mnist.train();
        Mnist.test();
        Path home = Files.createDirectories(temp.resolve("spark-home"));
        Path jar = temp.resolve("descent.jar");
        assemble(home, jar);
        Path run = temp.resolve("run");

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx1g"));
        // the options spark-class gives the JVM it starts: Spark's --add-opens list for Java 17
        command.addAll(Arrays.asList(JavaModuleOptions.defaultModuleOptions().trim().split("\\s+")));
        command.addAll(List.of("-cp", home.resolve("conf") + File.pathSeparator + home.resolve("jars") + File.separator + "*",
                "org.apache.spark.deploy.SparkSubmit",
                "--master", "local-cluster[2,1,1024]",
                "--class", "dev.descent.examples.SparkMnist",
                "--conf", "spark.executor.extraJavaOptions=--add-modules jdk.incubator.vector",
                jar.toString(),
                "--workers", "2", "--epochs", "1", "--limit", "2000", "--out", run.toString()));
        Path out = temp.resolve("driver.out");
        Path err = temp.resolve("driver.err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> environment = builder.environment();
        environment.put("SPARK_HOME", home.toString());
        environment.put("SPARK_SCALA_VERSION", "2.13");
        environment.put("SPARK_LOCAL_IP", "127.0.0.1");
        environment.remove("SPARK_CONF_DIR");
        environment.remove("SPARK_DIST_CLASSPATH");

        long start = System.nanoTime();
        Process driver = builder.start();
        boolean exited = driver.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!exited) {
            driver.descendants().forEach(ProcessHandle::destroyForcibly);
            driver.destroyForcibly().waitFor();
            fail("spark-submit did not finish within " + TIMEOUT_SECONDS + " s" + logs(out, err, home));
        }
        String driverOut = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, driver.exitValue(), "spark-submit's exit code" + logs(out, err, home));

        // the run: weights, metrics and one complete checkpoint, written by rank 0 in its executor
        assertTrue(Files.isRegularFile(run.resolve("weights.safetensors")) && Files.size(run.resolve("weights.safetensors")) > 0,
                "weights.safetensors" + logs(out, err, home));
        assertEquals(1, MnistCheckpoint.latest(run).epoch());
        try (Stream<Path> files = Files.list(run.resolve("checkpoint-epoch-1"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.containsAll(List.of(MnistCheckpoint.MODEL, MnistCheckpoint.STATE)), names.toString());
        }
        try (Stream<Path> entries = Files.list(run)) {
            assertEquals(List.of(".descent-run", "checkpoint-epoch-1", "config.json", "metrics.csv", "metrics.jsonl", "weights.safetensors"),
                    entries.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary or half-written entry");
        }
        Matcher accuracy = TEST_ACCURACY.matcher(Files.readString(run.resolve("metrics.jsonl")));
        assertTrue(accuracy.find(), "metrics.jsonl has the epoch's test accuracy");
        double testAccuracy = Double.parseDouble(accuracy.group(1));
        // one epoch of 2,000 images (16 steps of 128) reaches about 83%; a broken reduction or a stalled replica stays far below
        assertTrue(testAccuracy > 0.80, "test accuracy after one epoch on 2,000 images: " + testAccuracy);
        Matcher reported = FINAL.matcher(driverOut);
        assertTrue(reported.find(), driverOut);
        assertEquals(100 * testAccuracy, Double.parseDouble(reported.group(1)), 0.01, "the driver reports what rank 0 measured");
        assertTrue(driverOut.contains("master local-cluster[2,1,1024]"), driverOut);

        // each replica ran in an executor JVM of its own: its line in the worker's log of that executor's standard output
        Path work = home.resolve("work");
        List<Path> applications;
        try (Stream<Path> entries = Files.list(work)) {
            applications = entries.filter(p -> p.getFileName().toString().startsWith("app-")).toList();
        }
        assertEquals(1, applications.size(), "one application in " + work + ": " + applications);
        Map<Integer, String> executorOfRank = new TreeMap<>();
        Set<Long> processes = new HashSet<>();
        try (Stream<Path> executors = Files.list(applications.get(0))) {
            for (Path executor : executors.sorted().toList()) {
                String stderr = Files.readString(executor.resolve("stderr"), StandardCharsets.UTF_8);
                assertTrue(stderr.startsWith("Spark Executor Command:") && stderr.contains("CoarseGrainedExecutorBackend"),
                        "the worker started executor " + executor.getFileName() + " as a JVM: " + stderr.lines().findFirst().orElse(""));
                Matcher replica = REPLICA.matcher(Files.readString(executor.resolve("stdout"), StandardCharsets.UTF_8));
                while (replica.find()) {
                    assertEquals(executor.getFileName().toString(), replica.group(2), "the executor a replica names is the one whose log it is in");
                    assertTrue(executorOfRank.put(Integer.parseInt(replica.group(1)), replica.group(2)) == null, "replica " + replica.group(1)
                            + " ran once");
                    processes.add(Long.parseLong(replica.group(3)));
                }
            }
        }
        assertEquals(Set.of(0, 1), executorOfRank.keySet(), "every replica announced itself" + logs(out, err, home));
        assertNotEquals(executorOfRank.get(0), executorOfRank.get(1), "the replicas ran in different executors");
        assertEquals(2, processes.size(), "the replicas ran in different processes: " + processes);
        assertFalse(processes.contains(driver.pid()), "no replica ran in the driver's process (" + driver.pid() + ")");
        System.out.printf("SparkSubmitLocalClusterTest: spark-submit on local-cluster[2,1,1024]: %.1f s, test accuracy %.2f%%, replicas in"
                + " executors %s (processes %s; driver %d)%n", seconds, 100 * testAccuracy, executorOfRank, processes, driver.pid());
    }

    /**
     * Splits this test's class path in two: the project's own classes (the class directories of
     * the reactor's modules, or the installed descent jars) go into {@code jar}, what spark-submit
     * ships to the executors; every other jar is linked into {@code home/jars}, the Spark
     * distribution the workers start their executors from.
     */
    private static void assemble(Path home, Path jar) throws IOException {
        Path jars = Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("conf"));
        List<Path> own = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path path = Path.of(entry).toAbsolutePath();
            String name = path.getFileName().toString();
            if (Files.isDirectory(path)) {
                if (!name.equals("test-classes")) {
                    own.add(path);
                }
            } else if (Files.isRegularFile(path) && name.endsWith(".jar")) {
                if (holdsDescentClasses(path)) {
                    if (!name.endsWith("-tests.jar")) {
                        own.add(path);
                    }
                } else if (!Files.exists(jars.resolve(name))) {
                    try {
                        Files.createSymbolicLink(jars.resolve(name), path);
                    } catch (UnsupportedOperationException | IOException e) {
                        Files.copy(path, jars.resolve(name));
                    }
                }
            }
        }
        assertTrue(own.stream().anyMatch(p -> p.endsWith(Path.of("examples", "target", "classes"))), "examples' classes in " + own);
        try (Stream<Path> linked = Files.list(jars)) {
            assertTrue(linked.anyMatch(p -> p.getFileName().toString().startsWith("spark-core_")), "Spark's jars in " + jars);
        }
        writeJar(jar, own);
    }

    private static boolean holdsDescentClasses(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.getEntry("dev/descent/") != null || zip.stream().anyMatch(e -> e.getName().startsWith("dev/descent/"));
        }
    }

    /** One jar of the given class directories and jars, as the shade plugin makes descent.jar: first copy wins, service files merged. */
    private static void writeJar(Path jar, List<Path> sources) throws IOException {
        Map<String, StringBuilder> services = new LinkedHashMap<>();
        Set<String> written = new HashSet<>();
        try (JarOutputStream output = new JarOutputStream(Files.newOutputStream(jar))) {
            for (Path source : sources) {
                if (Files.isDirectory(source)) {
                    try (Stream<Path> files = Files.walk(source)) {
                        for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                            String name = source.relativize(file).toString().replace(File.separatorChar, '/');
                            try (InputStream input = Files.newInputStream(file)) {
                                add(output, name, input, written, services);
                            }
                        }
                    }
                } else {
                    try (ZipFile zip = new ZipFile(source.toFile())) {
                        for (Enumeration<? extends ZipEntry> entries = zip.entries(); entries.hasMoreElements(); ) {
                            ZipEntry entry = entries.nextElement();
                            if (!entry.isDirectory()) {
                                try (InputStream input = zip.getInputStream(entry)) {
                                    add(output, entry.getName(), input, written, services);
                                }
                            }
                        }
                    }
                }
            }
            for (Map.Entry<String, StringBuilder> service : services.entrySet()) {
                output.putNextEntry(new JarEntry(service.getKey()));
                output.write(service.getValue().toString().getBytes(StandardCharsets.UTF_8));
                output.closeEntry();
            }
        }
    }

    private static void add(JarOutputStream output, String name, InputStream input, Set<String> written, Map<String, StringBuilder> services)
            throws IOException {
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        if (upper.equals("META-INF/MANIFEST.MF") || upper.startsWith("META-INF/") && (upper.endsWith(".SF") || upper.endsWith(".DSA")
                || upper.endsWith(".RSA"))) {
            return;
        }
        if (name.startsWith("META-INF/services/")) {
            String text = new String(input.readAllBytes(), StandardCharsets.UTF_8);
            services.computeIfAbsent(name, k -> new StringBuilder()).append(text.endsWith("\n") ? text : text + "\n");
            return;
        }
        if (!written.add(name)) {
            return;
        }
        output.putNextEntry(new JarEntry(name));
        input.transferTo(output);
        output.closeEntry();
    }

    /** The driver's output and the tail of its log and of each executor's, for a failure's message. */
    private static String logs(Path out, Path err, Path home) {
        StringBuilder text = new StringBuilder();
        try {
            text.append("\n--- driver stdout\n").append(tail(Files.readString(out, StandardCharsets.UTF_8), 40));
            text.append("\n--- driver stderr (tail)\n").append(tail(Files.readString(err, StandardCharsets.UTF_8), 60));
            Path work = home.resolve("work");
            if (Files.isDirectory(work)) {
                try (Stream<Path> files = Files.walk(work)) {
                    for (Path file : files.filter(p -> p.getFileName().toString().matches("stdout|stderr")).sorted().toList()) {
                        text.append("\n--- ").append(work.relativize(file)).append(" (tail)\n")
                                .append(tail(Files.readString(file, StandardCharsets.UTF_8), 30));
                    }
                }
            }
        } catch (IOException e) {
            text.append("\n(could not read the logs: ").append(e).append(')');
        }
        return text.toString();
    }

    private static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
