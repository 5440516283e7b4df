package dev.descent.data;

import static dev.descent.data.FailureReasons.reason;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * SHA-256 checksums of byte arrays and files, as lowercase hexadecimal. Cached files are checked
 * on every use, so a file's hash is remembered for the rest of the process and reused while its
 * size, modification time and inode are unchanged: MNIST's 55 MB are read once per process, not
 * once per data set opened.
 */
final class FileHashes {
    /** Files whose SHA-256 this process computed, by path: "size:mtime:fileKey=sha256". */
    private static final Map<Path, String> HASHED = new ConcurrentHashMap<>();

    private FileHashes() {
    }

    /** The SHA-256 of {@code bytes}, as lowercase hexadecimal. */
    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    /** The SHA-256 of a file's contents; a file unchanged (size, time, inode) since this process hashed it is not read again. */
    static String sha256(Path file) throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            String stamp = attributes.size() + ":" + attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS) + ":" + attributes.fileKey() + "=";
            Path key = file.toAbsolutePath().normalize();
            String known = HASHED.get(key);
            if (known != null && known.startsWith(stamp)) {
                return known.substring(stamp.length());
            }
            MessageDigest digest = digest();
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) != -1) {
                    digest.update(buffer, 0, n);
                }
            }
            String hash = HexFormat.of().formatHex(digest.digest());
            HASHED.put(key, stamp + hash);
            return hash;
        } catch (IOException e) {
            throw new IOException("DatasetFetcher: cannot read " + file + " to check its SHA-256 (" + reason(e) + ")", e);
        }
    }

    /** A fresh SHA-256 digest; every JVM must provide the algorithm, so its absence is a broken JVM, not an I/O failure. */
    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
