package dev.descent.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Why a fetch step failed, as the one line that goes into the fetcher's error after the source
 * it concerns. A person reading "every source failed" needs the real cause of each (a refused
 * connection, a name that did not resolve, a checksum), never "null" or a wrapper's class.
 */
final class FailureReasons {
    private FailureReasons() {
    }

    /**
     * Why {@code failure} happened, on one line and never "null": our own failures say it in their
     * message; the JDK's give their class and message (its class alone when it has none), then
     * any causes that add something.
     */
    static String reason(Throwable failure) {
        Throwable e = failure;
        while ((e instanceof UncheckedIOException || e instanceof ExecutionException || e instanceof CompletionException
                || e instanceof InvocationTargetException) && e.getCause() != null) {
            e = e.getCause();
        }
        StringBuilder text = new StringBuilder(e instanceof Failure ? String.valueOf(e.getMessage()) : describe(e));
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(e);
        for (Throwable cause = e.getCause(); cause != null && seen.add(cause); cause = cause.getCause()) {
            String described = describe(cause);
            String message = cause.getMessage();
            if (!text.toString().contains(message != null ? message : described)) {
                text.append(" (caused by ").append(described).append(')');
            }
        }
        return text.toString().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** A JDK exception as "class: message", its class alone when the message says nothing. */
    private static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getName() + (message == null || message.isBlank() ? "" : ": " + message);
    }

    /** A failure whose message is the whole reason (no exception class to add). */
    static final class Failure extends IOException {
        Failure(String message) {
            super(message);
        }
    }
}
