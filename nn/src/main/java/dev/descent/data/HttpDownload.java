package dev.descent.data;

import static dev.descent.data.DurationText.seconds;
import static dev.descent.data.FailureReasons.reason;

import dev.descent.data.FailureReasons.Failure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.MalformedURLException;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * One HTTP(S) GET under two stated time limits: {@code connect} for the host's name to resolve
 * and the TCP connection to open (together), and {@code read} for the longest silence once
 * connected (waiting for the response, or between two parts of the body). A slow download that
 * keeps sending is never cut off; a source that says nothing is given up on. Redirects are
 * followed (at most {@link #MAX_REDIRECTS}, http to https included), each hop under the same
 * limits. Failures are {@link Failure}s or the JDK's own exceptions, whose class
 * and message {@link FailureReasons#reason} puts in the error.
 */
final class HttpDownload {
    static final int MAX_REDIRECTS = 5;
    /** The most a download may be: far above any data set file this fetches. */
    static final long MAX_BYTES = 1L << 30;

    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final PrintStream log;
    private final LongSupplier clock;

    HttpDownload(Duration connectTimeout, Duration readTimeout, PrintStream log, LongSupplier clock) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.log = log;
        this.clock = clock;
    }

    /** The body of {@code url}, which must answer 200. */
    byte[] get(String url) throws IOException {
        URL current = toUrl(url);
        log.println("descent: GET " + url);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpURLConnection connection = connect(current);
            try {
                int status;
                try {
                    status = connection.getResponseCode();
                } catch (SocketTimeoutException e) {
                    throw new Failure("connected to " + current.getHost() + " but no response within "
                            + seconds(readTimeout) + " (read timeout)");
                }
                if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
                    String location = connection.getHeaderField("Location");
                    if (location == null) {
                        throw new Failure("HTTP " + status + " redirect without a Location header");
                    }
                    current = resolve(current, location);
                    log.println("descent: " + url + ": redirected to " + current);
                    continue;
                }
                if (status != HttpURLConnection.HTTP_OK) {
                    String message = connection.getResponseMessage();
                    throw new Failure("HTTP " + status + (message == null || message.isBlank() ? "" : " " + message));
                }
                return body(connection, url);
            } finally {
                connection.disconnect();
            }
        }
        throw new Failure("more than " + MAX_REDIRECTS + " redirects");
    }

    /**
     * Opens the connection: the name resolved on a helper thread so that a resolver that hangs is
     * cut off too (the JDK's connect timeout starts after the lookup), then the TCP connect with
     * what is left of the connect time.
     */
    private HttpURLConnection connect(URL url) throws IOException {
        long deadline = clock.getAsLong() + connectTimeout.toNanos();
        if (direct(url)) {
            resolve(url.getHost(), deadline);
        }
        URLConnection opened = url.openConnection();
        if (!(opened instanceof HttpURLConnection connection)) {
            throw new Failure("not an http or https address");
        }
        long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - clock.getAsLong()));
        connection.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, left));
        connection.setReadTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, readTimeout.toMillis())));
        connection.setInstanceFollowRedirects(false);
        connection.setUseCaches(false);
        connection.setRequestProperty("User-Agent", "Descent");
        try {
            connection.connect();
        } catch (SocketTimeoutException e) {
            // https connects then shakes hands under the read timeout: the JDK says which one fired
            String message = e.getMessage();
            if (message != null && message.toLowerCase(java.util.Locale.ROOT).contains("read")) {
                throw new Failure("connected to " + url.getHost() + " but no answer within "
                        + seconds(readTimeout) + " (read timeout)");
            }
            throw new Failure("no connection to " + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "")
                    + " within " + seconds(connectTimeout) + " (connect timeout)");
        }
        return connection;
    }

    /** True when no proxy is configured for {@code url}, so the name is ours to resolve. */
    private static boolean direct(URL url) {
        try {
            ProxySelector selector = ProxySelector.getDefault();
            if (selector == null) {
                return true;
            }
            List<Proxy> proxies = selector.select(url.toURI());
            return proxies.isEmpty() || proxies.get(0).type() == Proxy.Type.DIRECT;
        } catch (URISyntaxException | IllegalArgumentException e) {
            return true;
        }
    }

    private void resolve(String host, long deadline) throws IOException {
        FutureTask<InetAddress[]> lookup = new FutureTask<>(() -> InetAddress.getAllByName(host));
        Thread thread = new Thread(lookup, "descent-dns-" + host);
        thread.setDaemon(true);
        thread.start();
        try {
            lookup.get(Math.max(1, deadline - clock.getAsLong()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new Failure("the name " + host + " did not resolve within " + seconds(connectTimeout)
                    + " (connect timeout)");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("looking up " + host + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while looking up " + host);
        }
    }

    private byte[] body(HttpURLConnection connection, String url) throws IOException {
        long total = connection.getContentLengthLong();
        if (total > MAX_BYTES) {
            throw new Failure("the server announces " + total + " bytes, more than the " + MAX_BYTES + " a data set file may have");
        }
        DownloadProgress progress = new DownloadProgress(log, url, clock);
        progress.started(total);
        ByteArrayOutputStream out = new ByteArrayOutputStream(total > 0 ? (int) total : 1 << 16);
        long received = 0;
        try (InputStream in = connection.getInputStream()) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) != -1) {
                received += n;
                if (received > MAX_BYTES) {
                    throw new Failure("more than " + MAX_BYTES + " bytes, more than a data set file may have");
                }
                out.write(buffer, 0, n);
                progress.advance(n);
            }
        } catch (SocketTimeoutException e) {
            throw new Failure("no data for " + seconds(readTimeout) + " after " + received
                    + (total >= 0 ? " of " + total : "") + " bytes (read timeout)");
        }
        if (total >= 0 && received != total) {
            throw new Failure("the connection ended after " + received + " of " + total + " bytes");
        }
        progress.finished();
        return out.toByteArray();
    }

    private static URL toUrl(String url) throws IOException {
        try {
            return new URI(url).toURL();
        } catch (URISyntaxException | MalformedURLException | IllegalArgumentException e) {
            throw new Failure("not a valid address (" + reason(e) + ")");
        }
    }

    private static URL resolve(URL base, String location) throws IOException {
        try {
            return base.toURI().resolve(location).toURL();
        } catch (URISyntaxException | MalformedURLException | IllegalArgumentException e) {
            throw new Failure("redirected to an invalid address " + location + " (" + reason(e) + ")");
        }
    }
}
