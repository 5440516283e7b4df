package dev.descent.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP route of the fetcher, against a server on 127.0.0.1 (no outside traffic). */
class FetcherTest {
    @TempDir
    Path directory;

    private static final byte[] TRAIN_IMAGES = IdxTest.idx(3, 2, 2);
    private static final byte[] TRAIN_LABELS = IdxTest.idx(3);
    private static final byte[] TEST_IMAGES = IdxTest.idx(2, 2, 2);
    private static final byte[] TEST_LABELS = IdxTest.idx(2);

    private static DatasetFetcher.Source source(String trainImagesSha) {
        return new DatasetFetcher.Source("Tiny", "tiny", List.of(
                new DatasetFetcher.FileSpec("train-images-idx3-ubyte", trainImagesSha),
                new DatasetFetcher.FileSpec("train-labels-idx1-ubyte", DatasetFetcher.sha256(TRAIN_LABELS)),
                new DatasetFetcher.FileSpec("t10k-images-idx3-ubyte", DatasetFetcher.sha256(TEST_IMAGES)),
                new DatasetFetcher.FileSpec("t10k-labels-idx1-ubyte", DatasetFetcher.sha256(TEST_LABELS))), List.of(), null, List.of());
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

    @Test
    void downloadsVerifiesAndCachesTheFilesFromAMirror() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = serve(Map.of("train-images-idx3-ubyte.gz", IdxTest.gzip(TRAIN_IMAGES),
                "train-labels-idx1-ubyte.gz", IdxTest.gzip(TRAIN_LABELS), "t10k-images-idx3-ubyte.gz", IdxTest.gzip(TEST_IMAGES),
                "t10k-labels-idx1-ubyte.gz", IdxTest.gzip(TEST_LABELS)), requests);
        try {
            String mirror = "http://127.0.0.1:" + server.getAddress().getPort() + "/data/";
            Path cache = directory.resolve("cache");
            DatasetFetcher.Source tiny = source(DatasetFetcher.sha256(TRAIN_IMAGES));
            List<String> mirrors = List.of("http://127.0.0.1:1/unreachable/", mirror);
            assertEquals(cache, DatasetFetcher.fetch(tiny, cache, mirrors, false));
            assertArrayEquals(TRAIN_IMAGES, Files.readAllBytes(cache.resolve("train-images-idx3-ubyte")));
            Mnist dataset = Mnist.fromDirectory(cache, true);
            assertEquals(3, dataset.size());
            assertEquals(2, dataset.label(2));
            int served = requests.get();
            DatasetFetcher.fetch(tiny, cache, mirrors, false);
            assertEquals(served, requests.get(), "a second fetch uses the cache");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aFileWithTheWrongChecksumNeverEntersTheCache() throws IOException {
        AtomicInteger requests = new AtomicInteger();
        byte[] tampered = TRAIN_IMAGES.clone();
        tampered[tampered.length - 1] ^= 1;
        HttpServer server = serve(Map.of("train-images-idx3-ubyte.gz", IdxTest.gzip(tampered)), requests);
        try {
            String mirror = "http://127.0.0.1:" + server.getAddress().getPort() + "/data/";
            Path cache = directory.resolve("cache");
            IOException e = assertThrows(IOException.class,
                    () -> DatasetFetcher.fetch(source(DatasetFetcher.sha256(TRAIN_IMAGES)), cache, List.of(mirror), false));
            assertTrue(e.getMessage().contains("train-images-idx3-ubyte has SHA-256"), e.getMessage());
            assertTrue(e.getMessage().contains("Put the four IDX files there by hand"), e.getMessage());
            try (Stream<Path> files = Files.list(cache)) {
                assertEquals(List.of(), files.toList(), "no partial or unverified file stays in the cache");
            }
        } finally {
            server.stop(0);
        }
    }
}
