package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fetcher against servers on 127.0.0.1 and addresses that cannot answer (no outside traffic). */
class FetcherTest {
    @TempDir
    Path directory;

    private static final byte[] TRAIN_IMAGES = IdxTest.idx(3, 2, 2);
    private static final byte[] TRAIN_LABELS = IdxTest.idx(3);
    private static final byte[] TEST_IMAGES = IdxTest.idx(2, 2, 2);
    private static final byte[] TEST_LABELS = IdxTest.idx(2);
    private static final List<String> NAMES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte");
    private static final List<byte[]> CONTENTS = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(logged, true, StandardCharsets.UTF_8);

    private String logged() {
        return logged.toString(StandardCharsets.UTF_8);
    }

    private static DatasetFetcher.Source source(String trainImagesSha) {
        return source(trainImagesSha, null);
    }

    /** The tiny data set, its expected hashes injected (the first one as given). */
    private static DatasetFetcher.Source source(String trainImagesSha, String npmPackage) {
        return new DatasetFetcher.Source("Tiny", "tiny", List.of(
                new DatasetFetcher.FileSpec("train-images-idx3-ubyte", trainImagesSha),
                new DatasetFetcher.FileSpec("train-labels-idx1-ubyte", FileHashes.sha256(TRAIN_LABELS)),
                new DatasetFetcher.FileSpec("t10k-images-idx3-ubyte", FileHashes.sha256(TEST_IMAGES)),
                new DatasetFetcher.FileSpec("t10k-labels-idx1-ubyte", FileHashes.sha256(TEST_LABELS))), List.of(), npmPackage, List.of());
    }

    private static DatasetFetcher.Source tiny() {
        return source(FileHashes.sha256(TRAIN_IMAGES));
    }

    /** Serves the four files gzipped under /data/, counting requests; returns the server. */
    private static HttpServer serve(Map<String, byte[]> files, AtomicInteger requests) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/data/", exchange -> {
            requests.incrementAndGet();
            String name = exchange.getRequestURI().getPath().substring("/data/".length());
            byte[] body = files.get(name);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        return server;
    }

    private static HttpServer serveAll(AtomicInteger requests) throws IOException {
        return serve(Map.of("train-images-idx3-ubyte.gz", IdxTest.gzip(TRAIN_IMAGES),
                "train-labels-idx1-ubyte.gz", IdxTest.gzip(TRAIN_LABELS), "t10k-images-idx3-ubyte.gz", IdxTest.gzip(TEST_IMAGES),
                "t10k-labels-idx1-ubyte.gz", IdxTest.gzip(TEST_LABELS)), requests);
    }

    private static String mirror(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/data/";
    }

    /** A port with nothing listening on it (bound, then released). */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private DatasetFetcher fetcher(DatasetFetcher.Source source, Path cache, List<String> mirrors) {
        return new DatasetFetcher(source).directory(cache).mirrors(mirrors).npm(false).log(log)
                .timeouts(Duration.ofSeconds(2), Duration.ofMillis(300));
    }

    private void writeCache(Path cache) throws IOException {
        Files.createDirectories(cache);
        for (int i = 0; i < NAMES.size(); i++) {
            Files.write(cache.resolve(NAMES.get(i)), CONTENTS.get(i));
        }
    }

    @Test
    void downloadsVerifiesAndCachesTheFilesFromAMirror() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = serveAll(requests);
        try {
            Path cache = directory.resolve("cache");
            List<String> mirrors = List.of("http://127.0.0.1:" + closedPort() + "/unreachable/", mirror(server));
            assertEquals(cache, fetcher(tiny(), cache, mirrors).fetch());
            assertArrayEquals(TRAIN_IMAGES, Files.readAllBytes(cache.resolve("train-images-idx3-ubyte")));
            Mnist dataset = Mnist.fromDirectory(cache, true);
            assertEquals(3, dataset.size());
            assertEquals(2, dataset.label(2));
            assertEquals(4, requests.get(), "one request per file");
            assertEquals(1, logged().lines().filter(line -> line.startsWith("descent: GET ") && line.contains("/unreachable/")).count(),
                    "after the first file the mirror that worked is tried first: " + logged());
            fetcher(tiny(), cache, mirrors).fetch();
            assertEquals(4, requests.get(), "a second fetch uses the cache");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void progressLinesNameTheSourceAndTheBytes() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = serveAll(requests);
        try {
            fetcher(tiny(), directory.resolve("cache"), List.of(mirror(server))).fetch();
            String url = mirror(server) + "train-images-idx3-ubyte.gz";
            int size = IdxTest.gzip(TRAIN_IMAGES).length;
            String text = logged();
            assertTrue(text.contains("descent: Tiny: 4 of 4 files missing from " + directory.resolve("cache")), text);
            assertTrue(text.contains("0.3 s without data"), "the time limits are stated: " + text);
            assertTrue(text.contains("descent: GET " + url + "\n"), text);
            assertTrue(text.contains("descent: " + url + ": " + size + " B to download\n"), text);
            assertTrue(text.contains("descent: " + url + ": " + size + " B in "), text);
            assertTrue(text.lines().count() <= 1 + 4 * 3, "a few lines per file: " + text);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void progressLinesAreFewAtAnySpeed() {
        AtomicLong now = new AtomicLong();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(out, true, StandardCharsets.UTF_8);
        DownloadProgress known = new DownloadProgress(stream, "http://host/f.gz", now::get);
        known.started(47_000_000);
        for (int i = 0; i < 47_000; i++) {  // 1000 bytes every 2 ms: 94 s
            now.addAndGet(2_000_000);
            known.advance(1000);
        }
        known.finished();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(11, lines.size(), "start, 10%..90%, end: " + lines);
        assertEquals("descent: http://host/f.gz: 47.0 MB to download", lines.get(0));
        assertEquals("descent: http://host/f.gz: 4.7 MB of 47.0 MB (10%), 500.0 kB/s", lines.get(1));
        assertEquals("descent: http://host/f.gz: 47.0 MB in 94.0 s (500.0 kB/s)", lines.get(10));

        out.reset();
        now.set(0);
        DownloadProgress fast = new DownloadProgress(stream, "http://host/f.gz", now::get);
        fast.started(47_000_000);
        for (int i = 0; i < 47_000; i++) {  // the same bytes in 0.47 s: no line in between
            now.addAndGet(10_000);
            fast.advance(1000);
        }
        fast.finished();
        assertEquals(2, out.toString(StandardCharsets.UTF_8).lines().count(), out.toString(StandardCharsets.UTF_8));

        out.reset();
        now.set(0);
        DownloadProgress unknown = new DownloadProgress(stream, "http://host/f.gz", now::get);
        unknown.started(-1);
        for (int i = 0; i < 100_000; i++) {  // 100 s, size not given: a line every 10 s
            now.addAndGet(1_000_000);
            unknown.advance(100);
        }
        unknown.finished();
        lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(12, lines.size(), lines.toString());
        assertEquals("descent: http://host/f.gz: downloading (size not given)", lines.get(0));
        assertEquals("descent: http://host/f.gz: 1.0 MB so far, 100.0 kB/s", lines.get(1));
    }

    @Test
    void whenEverySourceFailsTheErrorHasOneLinePerSourceWithItsReason() throws IOException, InterruptedException {
        // a server that accepts connections and never answers: only the read timeout ends the wait
        List<Socket> accepted = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String silentMirror = "http://127.0.0.1:" + silent.getLocalPort() + "/data/";
            String refusingMirror = "http://127.0.0.1:" + closedPort() + "/data/";
            String unresolvableMirror = "http://invalid.invalid/data/";
            Path cache = directory.resolve("cache");
            long start = System.nanoTime();
            IOException e = assertThrows(IOException.class,
                    () -> fetcher(tiny(), cache, List.of(silentMirror, refusingMirror, unresolvableMirror)).fetch());
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("FetcherTest: every source failed after %.2f s (limits: 2 s to connect, 0.3 s of silence)%n", seconds);
            String message = e.getMessage();
            List<String> lines = message.lines().toList();
            assertEquals("Tiny: could not fetch train-images-idx3-ubyte into " + cache + "; every source failed:", lines.get(0), message);
            assertEquals("  " + silentMirror + "train-images-idx3-ubyte.gz: connected to 127.0.0.1 but no response within 0.3 s"
                    + " (read timeout)", lines.get(1), message);
            assertTrue(lines.get(2).startsWith("  " + refusingMirror + "train-images-idx3-ubyte.gz: java.net.ConnectException"),
                    message);
            assertTrue(lines.get(3).startsWith("  " + unresolvableMirror + "train-images-idx3-ubyte.gz: "), message);
            assertTrue(lines.get(3).contains("java.net.UnknownHostException: invalid.invalid")
                    || lines.get(3).contains("did not resolve within 2 s (connect timeout)"), message);
            assertTrue(lines.get(4).startsWith("Stopped there; also missing: train-labels-idx1-ubyte, t10k-images-idx3-ubyte,"
                    + " t10k-labels-idx1-ubyte. Put the four uncompressed IDX files in " + cache), message);
            assertEquals(5, lines.size(), message);
            assertFalse(message.contains("null"), message);
            assertEquals(1, accepted.size(), "the files after the first that failed are not tried");
            assertTrue(seconds < 3 * (2 + 0.3) + 2, "within the stated limits: " + seconds + " s");
            assertTrue(logged().contains(silentMirror + "train-images-idx3-ubyte.gz failed: connected to 127.0.0.1 but no response"
                    + " within 0.3 s (read timeout); trying the next source"), logged());
            try (Stream<Path> files = Files.list(cache)) {
                assertEquals(List.of(), files.toList(), "nothing partial stays in the cache");
            }
        } finally {
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    @Test
    void aFileWithTheWrongChecksumNeverEntersTheCache() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        byte[] tampered = TRAIN_IMAGES.clone();
        tampered[tampered.length - 1] ^= 1;
        HttpServer server = serve(Map.of("train-images-idx3-ubyte.gz", IdxTest.gzip(tampered)), requests);
        try {
            Path cache = directory.resolve("cache");
            IOException e = assertThrows(IOException.class, () -> fetcher(tiny(), cache, List.of(mirror(server))).fetch());
            assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz: train-images-idx3-ubyte has SHA-256 "
                    + FileHashes.sha256(tampered) + ", expected " + FileHashes.sha256(TRAIN_IMAGES)), e.getMessage());
            assertTrue(e.getMessage().contains("Put the four uncompressed IDX files in " + cache + " by hand"), e.getMessage());
            try (Stream<Path> files = Files.list(cache)) {
                assertEquals(List.of(), files.toList(), "no partial or unverified file stays in the cache");
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aCorruptCachedFileIsDeletedAndFetchedAgain() throws IOException {
        Path cache = directory.resolve("cache");
        writeCache(cache);
        Path images = cache.resolve("train-images-idx3-ubyte");
        byte[] damaged = TRAIN_IMAGES.clone();
        damaged[20] ^= 0x40;  // the same size: only the hash tells
        Files.write(images, damaged);
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = serveAll(requests);
        try {
            assertEquals(cache, fetcher(tiny(), cache, List.of(mirror(server))).fetch());
            assertArrayEquals(TRAIN_IMAGES, Files.readAllBytes(images));
            assertEquals(1, requests.get(), "only the corrupt file is fetched again");
            assertTrue(logged().contains("descent: " + images + " is corrupt: its SHA-256 is " + FileHashes.sha256(damaged)
                    + ", expected " + FileHashes.sha256(TRAIN_IMAGES) + "; deleting it and fetching it again"), logged());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aCorruptCachedFileThatCannotBeFetchedAgainIsNamed() throws IOException {
        Path cache = directory.resolve("cache");
        writeCache(cache);
        Path labels = cache.resolve("t10k-labels-idx1-ubyte");
        Files.write(labels, new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 9, 9});
        IOException e = assertThrows(IOException.class,
                () -> fetcher(tiny(), cache, List.of("http://127.0.0.1:" + closedPort() + "/data/")).fetch());
        assertTrue(e.getMessage().startsWith("Tiny: could not fetch t10k-labels-idx1-ubyte into " + cache), e.getMessage());
        assertTrue(e.getMessage().contains("\n" + labels + " is corrupt: its SHA-256 is "), e.getMessage());
        assertTrue(e.getMessage().contains("; it has been deleted."), e.getMessage());
        assertFalse(Files.exists(labels));
    }

    @Test
    void aDirectoryInPlaceOfACachedFileIsNamed() throws IOException {
        Path cache = directory.resolve("cache");
        writeCache(cache);
        Path images = cache.resolve("train-images-idx3-ubyte");
        Files.delete(images);
        Files.createDirectory(images);
        IOException e = assertThrows(IOException.class, () -> fetcher(tiny(), cache, List.of()).fetch());
        assertEquals("Tiny: " + images + " is a directory, expected the IDX file train-images-idx3-ubyte (SHA-256 "
                + FileHashes.sha256(TRAIN_IMAGES) + "); remove it and run again to fetch the file", e.getMessage());
    }

    /** A stand-in for npm: a shell script (skipped where there is no POSIX shell). */
    private Path fakeNpm(String body) throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/sh")), "needs /bin/sh");
        Path script = directory.resolve("npm");
        Files.writeString(script, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void npmFailingGivesItsReasonInOneLine() throws IOException {
        Path npm = fakeNpm("""
                echo "npm error code ENOTFOUND" >&2
                echo "npm error syscall getaddrinfo" >&2
                echo "npm error network request to https://registry.npmjs.org/tiny-data failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org" >&2
                echo "npm error A complete log of this run can be found in: /tmp/x.log" >&2
                exit 1""");
        Path cache = directory.resolve("cache");
        DatasetFetcher fetcher = fetcher(source(FileHashes.sha256(TRAIN_IMAGES), "tiny-data@1.0.0"), cache,
                List.of("http://127.0.0.1:" + closedPort() + "/data/")).npm(true).npmExecutable(npm.toString());
        IOException e = assertThrows(IOException.class, fetcher::fetch);
        List<String> lines = e.getMessage().lines().toList();
        assertEquals("  npm pack tiny-data@1.0.0: exit code 1: network request to https://registry.npmjs.org/tiny-data failed,"
                + " reason: getaddrinfo ENOTFOUND registry.npmjs.org", lines.get(1), e.getMessage());
        assertTrue(lines.get(2).contains("java.net.ConnectException"), e.getMessage());

        Path silentNpm = fakeNpm("""
                echo "npm error code FETCH_ERROR" >&2
                echo "npm error network timeout at: https://registry.npmjs.org/tiny-data" >&2
                exit 1""");
        e = assertThrows(IOException.class, fetcher.npmExecutable(silentNpm.toString())::fetch);
        assertEquals("  npm pack tiny-data@1.0.0: exit code 1: network timeout at: https://registry.npmjs.org/tiny-data"
                + " (npm's limit: 0.3 s without an answer)", e.getMessage().lines().toList().get(1), e.getMessage());
    }

    @Test
    void npmThatHangsIsStoppedAtItsTimeLimit() throws IOException {
        Path npm = fakeNpm("exec sleep 30");
        Path cache = directory.resolve("cache");
        DatasetFetcher fetcher = fetcher(source(FileHashes.sha256(TRAIN_IMAGES), "tiny-data@1.0.0"), cache, List.of())
                .npm(true).npmExecutable(npm.toString()).npmTimeLimit(Duration.ofMillis(500));
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, fetcher::fetch);
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "stopped, not waited for");
        assertTrue(e.getMessage().contains("\n  npm pack tiny-data@1.0.0: " + npm + " did not finish within 0.5 s and was stopped"),
                e.getMessage());
    }

    @Test
    void npmInstallsTheFilesOfItsPackage() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/tar")) || Files.isExecutable(Path.of("/bin/tar")), "needs tar");
        Path packed = Files.createDirectories(directory.resolve("packed/package/data"));
        for (int i = 0; i < NAMES.size(); i++) {
            Files.write(packed.resolve(NAMES.get(i)), CONTENTS.get(i));
        }
        Path tarball = directory.resolve("tiny-data-1.0.0.tgz");
        Process tar = new ProcessBuilder("tar", "-czf", tarball.toString(), "package").directory(directory.resolve("packed").toFile())
                .inheritIO().start();
        assertEquals(0, tar.waitFor());
        Path npm = fakeNpm("cp '" + tarball + "' .");
        Path cache = directory.resolve("cache");
        fetcher(source(FileHashes.sha256(TRAIN_IMAGES), "tiny-data@1.0.0"), cache, List.of())
                .npm(true).npmExecutable(npm.toString()).fetch();
        for (int i = 0; i < NAMES.size(); i++) {
            assertArrayEquals(CONTENTS.get(i), Files.readAllBytes(cache.resolve(NAMES.get(i))));
        }
        assertTrue(logged().contains("descent: npm pack tiny-data@1.0.0 (from npm's cache or registry; at most 0.3 s without an answer"),
                logged());
        assertTrue(logged().contains("descent: npm pack tiny-data@1.0.0: done in "), logged());
    }

    @Test
    void reasonsAreNeverNull() {
        assertEquals("java.net.SocketException", FailureReasons.reason(new java.net.SocketException()));
        assertEquals("java.net.UnknownHostException: example.invalid",
                FailureReasons.reason(new UncheckedIOException(new java.net.UnknownHostException("example.invalid"))));
        assertEquals("java.io.IOException: handshake failed (caused by java.security.cert.CertificateException: expired)",
                FailureReasons.reason(new IOException("handshake failed", new java.security.cert.CertificateException("expired"))));
        assertEquals("java.io.IOException: java.net.ConnectException: Connection refused",
                FailureReasons.reason(new IOException(new java.net.ConnectException("Connection refused"))));
        assertEquals("java.io.IOException: two; lines", FailureReasons.reason(new IOException("two\nlines")));
    }
}
