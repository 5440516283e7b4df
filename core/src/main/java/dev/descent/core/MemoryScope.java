package dev.descent.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Deterministic release of device memory for a block of work such as one training step: every
 * device array this thread allocates while the scope is open goes back to its allocator when the
 * scope closes, except the arrays marked with {@link #keep} (they pass to the enclosing scope, or
 * to the garbage collector when there is none). The JVM frees an array only when a collection
 * finds it unreachable, which device memory cannot wait for; a scope makes the memory in use the
 * same after every step. Host arrays are not tracked: scopes cost nothing on the CPU.
 *
 * <pre>{@code
 * NDArray gradient;
 * try (MemoryScope step = MemoryScope.open()) {
 *     NDArray error = x.matmul(w).sub(y);            // a temporary: released when the scope closes
 *     gradient = x.t().matmul(error).div(x.shape(0));
 *     step.keep(gradient);                           // read after the scope, so passed on
 * }
 * w.subi(gradient.mul(0.1));                         // outside: w, made before the scope, lives on
 * }</pre>
 *
 * An array released by a scope must not be used afterwards: a device backend then throws
 * {@link IllegalStateException} instead of reading memory that another array now owns. Scopes
 * nest, close in the reverse order of opening, and belong to the thread that opened them; arrays
 * other threads allocate meanwhile are not theirs.
 *
 * <p>Work that makes arrays for a later consumer, such as a data loader assembling the next batch
 * ahead of time, runs through {@link #collect}: what it allocates belongs to no scope until the
 * consumer {@linkplain Collected#adoptIntoCurrentScope adopts} it, so the batch belongs to the
 * step that uses it, not to the step during which it happened to be made.
 */
public final class MemoryScope implements AutoCloseable {
    private static final ThreadLocal<MemoryScope> CURRENT = new ThreadLocal<>();

    private final MemoryScope outer;
    private final boolean collecting;
    private final Thread owner = Thread.currentThread();
    private final Set<Storage> allocated = new LinkedHashSet<>();
    private final Set<Storage> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private MemoryScope(MemoryScope outer, boolean collecting) {
        this.outer = outer;
        this.collecting = collecting;
    }

    /** Opens a scope on this thread, inside the one already open if any. */
    public static MemoryScope open() {
        MemoryScope scope = new MemoryScope(CURRENT.get(), false);
        CURRENT.set(scope);
        return scope;
    }

    /** The innermost scope open on this thread, or null. */
    static MemoryScope current() {
        return CURRENT.get();
    }

    /**
     * For device backends: called for each new device storage, so that the innermost open scope
     * of this thread takes it.
     */
    public static void track(Storage storage) {
        MemoryScope scope = CURRENT.get();
        if (scope != null) {
            scope.allocated.add(storage);
        }
    }

    /**
     * Runs {@code work} with no scope of the caller's around it and returns its result with the
     * device memory it allocated, which nobody releases until a scope adopts it.
     */
    public static <T> Collected<T> collect(Supplier<T> work) {
        MemoryScope scope = new MemoryScope(CURRENT.get(), true);
        CURRENT.set(scope);
        T value;
        try {
            value = work.get();
        } catch (RuntimeException | Error e) {
            scope.close();   // a failed assembly leaves nothing behind
            throw e;
        }
        List<Storage> storages = new ArrayList<>(scope.allocated);
        scope.allocated.clear();
        scope.close();
        return new Collected<>(value, storages);
    }

    /** A value made by {@link #collect} and the device storages allocated for it. */
    public static final class Collected<T> {
        private final T value;
        private final List<Storage> storages;

        private Collected(T value, List<Storage> storages) {
            this.value = value;
            this.storages = storages;
        }

        /** The value; its memory is then released by the scope open on this thread when it closes (or by the collector when none is). */
        public T adoptIntoCurrentScope() {
            MemoryScope scope = CURRENT.get();
            if (scope != null) {
                scope.allocated.addAll(storages);
            }
            return value;
        }

        /** The value, its memory owned by no scope: for things that live as long as the program, or until released by hand. */
        public T withoutOwner() {
            return value;
        }

        /** How many device storages the work allocated. */
        public int storageCount() {
            return storages.size();
        }
    }

    /** Keeps the memory of {@code arrays} (host arrays are ignored) beyond this scope. */
    public MemoryScope keep(NDArray... arrays) {
        for (NDArray array : arrays) {
            if (array != null) {
                kept.add(array.storage());
            }
        }
        return this;
    }

    /** Keeps {@code storage} beyond this scope (for tests with stand-in storages; callers keep arrays). */
    MemoryScope keep(Storage storage) {
        kept.add(storage);
        return this;
    }

    /** How many storages allocated in this scope it holds now. */
    public int size() {
        return allocated.size();
    }

    /** Releases what was allocated in the scope and not kept; kept storages pass to the enclosing scope. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner || CURRENT.get() != this) {
            throw new IllegalStateException("MemoryScope.close: a scope closes on the thread that opened it, inner scopes first");
        }
        closed = true;
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
        for (Storage storage : allocated) {
            if (!kept.contains(storage)) {
                storage.release();
            } else if (outer != null && !collecting) {
                outer.allocated.add(storage);
            }
        }
        allocated.clear();
    }
}
