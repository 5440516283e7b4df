package dev.descent.core;

/**
 * A flat buffer of elements owned by one backend. An {@link NDArray} is a strided view of a
 * storage; several arrays (views) may share one. Backends create storages and are the only code
 * that reads their contents.
 */
public interface Storage {
    /** The device the buffer lives on. */
    Device device();

    /** The element type. */
    DType dtype();

    /** The number of elements. */
    int size();

    /**
     * Gives the memory back now instead of when the garbage collector finds the storage
     * unreachable; every view of it becomes unusable. Device storages (whose memory cannot wait
     * for a collection) implement it and register with {@link MemoryScope#track}. Host storages
     * are not tracked by scopes; one the CPU backend allocated hands its array to a pool for the
     * next allocation of the same size (the autograd engine releases a backward pass's
     * intermediate gradients so), and a wrapped one does nothing.
     */
    default void release() {
    }
}
