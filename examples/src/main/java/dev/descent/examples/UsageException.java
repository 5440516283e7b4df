package dev.descent.examples;

/** Bad command-line usage: reported as one line on stderr with exit code 2. */
final class UsageException extends RuntimeException {
    UsageException(String message) {
        super(message);
    }
}
