package dev.descent.cuda;

import dev.descent.core.NDArray;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Deterministic release of device memory for a block of work such as one training step: every
 * CUDA array this thread allocates while the scope is open goes back to the allocator's cache
 * when it closes, except the arrays marked with {@link #keep} (they pass to the enclosing scope,
 * or to the garbage collector when there is none). The JVM frees an array only when a
 * collection finds it unreachable, which device memory cannot wait for; a scope makes the memory
 * in use the same after every step.
 *
 * <pre>{@code
 * try (MemoryScope step = MemoryScope.open()) {
 *     Tensor loss = Losses.crossEntropy(model.forward(images), labels);
 *     loss.backward();
 *     for (Parameter p : model.parameters()) {
 *         step.keep(p.grad().data());        // the optimizer reads the gradients after the scope
 *     }
 *     lossValue = loss.item();
 * }
 * adam.step();                               // outside: its state, made on the first step, lives on
 * }</pre>
 *
 * An array released by a scope must not be used afterwards: doing so throws
 * {@link IllegalStateException} instead of reading memory that another array now owns. Scopes
 * nest, close in the reverse order of opening, and belong to the thread that opened them; arrays
 * other threads allocate meanwhile are not theirs.
 */
public final class MemoryScope implements AutoCloseable {
    /** Something a scope can release: a device storage, or a stand-in in tests. */
    interface Tracked {
        void release();
    }

    private static final ThreadLocal<MemoryScope> CURRENT = new ThreadLocal<>();

    private final MemoryScope outer;
    private final Thread owner = Thread.currentThread();
    private final Set<Tracked> allocated = new LinkedHashSet<>();
    private final Set<Tracked> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private MemoryScope(MemoryScope outer) {
        this.outer = outer;
    }

    /** Opens a scope on this thread, inside the one already open if any. */
    public static MemoryScope open() {
        MemoryScope scope = new MemoryScope(CURRENT.get());
        CURRENT.set(scope);
        return scope;
    }

    /** Called for each new device storage: the innermost open scope of this thread takes it. */
    static void track(Tracked storage) {
        MemoryScope scope = CURRENT.get();
        if (scope != null) {
            scope.allocated.add(storage);
        }
    }

    /** Keeps the memory of {@code arrays} (CPU arrays are ignored) beyond this scope. */
    public MemoryScope keep(NDArray... arrays) {
        for (NDArray array : arrays) {
            if (array != null && array.storage() instanceof CudaStorage storage) {
                keep(storage);
            }
        }
        return this;
    }

    void keep(Tracked storage) {
        kept.add(storage);
    }

    /** How many storages allocated in this scope it holds now. */
    int size() {
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
        for (Tracked storage : allocated) {
            if (!kept.contains(storage)) {
                storage.release();
            } else if (outer != null) {
                outer.allocated.add(storage);
            }
        }
        allocated.clear();
    }
}
