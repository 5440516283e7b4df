package dev.descent.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Spark context Descent's replicas run in, configured so that no wait is unbounded: the
 * barrier's {@code allGather} (Spark's default timeout is a year) and the check that the cluster
 * has a slot for every barrier task (by default retried 40 times, 15 s apart) give up after
 * bounded times, and a failed barrier stage is re-run a bounded number of times.
 */
final class SparkContexts {
    /** How many times Spark runs the training stage in all: the first attempt and three re-runs after failures. */
    static final int STAGE_ATTEMPTS = 4;

    private SparkContexts() {
    }

    /** Starts a context on {@code master}; {@code collectiveTimeout} also bounds the barrier's own rendezvous. */
    static JavaSparkContext start(String master, String application, Duration collectiveTimeout) {
        quietLogging();
        SparkConf conf = new SparkConf().setMaster(master).setAppName(application)
                .set("spark.barrier.sync.timeout", collectiveTimeout.toSeconds() + "s")
                .set("spark.stage.maxConsecutiveAttempts", Integer.toString(STAGE_ATTEMPTS))
                .set("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "3")
                .set("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "5s")
                // the progress bar and the web UI are for interactive Spark sessions; a command prints its own progress
                .set("spark.ui.showConsoleProgress", "false")
                .setIfMissing("spark.ui.enabled", "false");
        return new JavaSparkContext(conf);
    }

    /**
     * Spark logs every stage and task at INFO on stderr unless a log4j2 configuration is given;
     * unless the user gave one, ours keeps warnings and errors (a failed task, a re-run stage).
     * Set before Spark first logs, which is when log4j2 reads it.
     */
    private static void quietLogging() {
        if (System.getProperty("log4j2.configurationFile") != null || System.getenv("SPARK_CONF_DIR") != null
                || SparkContexts.class.getClassLoader().getResource("log4j2.properties") != null) {
            return;
        }
        boolean debug = System.getenv("DESCENT_DEBUG") != null;
        try {
            Path file = Files.createTempFile("descent-spark-log4j2", ".properties");
            file.toFile().deleteOnExit();
            Files.writeString(file, String.join("\n",
                    "rootLogger.level = warn",
                    "rootLogger.appenderRef.stderr.ref = console",
                    "appender.console.type = Console",
                    "appender.console.name = console",
                    "appender.console.target = SYSTEM_ERR",
                    "appender.console.layout.type = PatternLayout",
                    // a failed task's stack trace only with DESCENT_DEBUG, as for the command's own errors: the scheduler's line
                    // "Lost task ...: Exception: message" names the cause (the executor's own line says no more, without its trace)
                    // the file is a Java properties file, where a backslash is written twice
                    "appender.console.layout.pattern = spark: %p %c{1}: " + (debug ? "%m%n%ex" : "%replace{%m}{(?s)\\\\R\\\\s+at .*}{}%n%ex{none}"),
                    "logger.executor.name = org.apache.spark.executor.Executor",
                    "logger.executor.level = " + (debug ? "error" : "off"),
                    // Hadoop's note that it found no native library, and the loopback-address notice, say nothing to act on
                    "logger.hadoop.name = org.apache.hadoop.util.NativeCodeLoader",
                    "logger.hadoop.level = error",
                    "logger.utils.name = org.apache.spark.util.Utils",
                    "logger.utils.level = error", ""), StandardCharsets.UTF_8);
            System.setProperty("log4j2.configurationFile", file.toString());
        } catch (IOException e) {
            // Spark's own INFO logging then: noisy, not wrong
        }
    }
}
